// Chromium CPU profile of the image list (refresh, filter, scroll) through the harness against the bench cloud
// (start it with `BENCH_UI_KEEP_CLOUD=1 node bench/ui.mjs` first). Prints the top self-time functions with a snippet
// of the (minified) source at each position.   node bench/ui/profile.mjs [refresh|filter|scroll]
import { fork } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { launchBrowser } from './browser.mjs'
import { ensureBenchUser } from './cloud.mjs'
import { INIT_SCRIPT, timeFilter, timeRefresh, timeScroll, waitLoaded } from './page.mjs'

const root = resolve(import.meta.dirname, '../..')
const what = process.argv[2] ?? 'scroll'
const admin = {}
for (const l of readFileSync(join(root, 'bench/.state/cloud/admin-openrc.sh'), 'utf8').split('\n')) {
  const m = /^export (OS_\w+)=(.*)$/.exec(l)
  if (m) admin[m[1]] = m[2].replace(/^["']|["']$/g, '')
}
const env = await ensureBenchUser(admin, () => {})
const child = fork(join(root, 'bench/ui/harness-child.mjs'), [], {
  env: { PATH: process.env.PATH, BENCH_UI_ROOT: root, BENCH_UI_DATA: mkdtempSync(join(tmpdir(), 'gd-prof-')), ...env },
})
const info = await new Promise((ok) => child.on('message', (m) => m.ready && ok(m)))
const { context: ctx } = await launchBrowser('gd-prof-chromium-', {
  viewport: { width: 1360, height: 860 },
})
await ctx.addInitScript(INIT_SCRIPT)
const page = ctx.pages()[0]
await page.goto(info.url)
console.log('loaded', await page.evaluate(waitLoaded, 1))
await page.evaluate(waitLoaded, { n: Number(process.env.BENCH_UI_IMAGES ?? 10000), timeoutMs: 600000 })
const cdp = await ctx.newCDPSession(page)
await cdp.send('Profiler.enable')
await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
await cdp.send('Profiler.start')
const r =
  what === 'refresh'
    ? await page.evaluate(timeRefresh, { n: Number(process.env.BENCH_UI_IMAGES ?? 10000), timeoutMs: 600000 })
    : what === 'filter'
      ? await page.evaluate(timeFilter, 'fedora-40')
      : await page.evaluate(timeScroll, 100)
const { profile } = await cdp.send('Profiler.stop')
console.log(JSON.stringify(r).slice(0, 600))
const self = new Map()
const dt = profile.timeDeltas
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const count = new Map()
profile.samples.forEach((id, i) => count.set(id, (count.get(id) ?? 0) + (dt[i] ?? 0)))
for (const [id, us] of count) {
  const n = byId.get(id)
  const f = n.callFrame
  const k = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`
  self.set(k, (self.get(k) ?? 0) + us)
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
const srcs = {}
for (const [k, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  const m = /(\S+\.js):(\d+):(\d+)$/.exec(k)
  let snip = ''
  if (m) {
    const file = join(root, 'out/renderer/assets', m[1])
    try {
      srcs[file] ??= readFileSync(file, 'utf8').split('\n')
      snip = srcs[file][Number(m[2])]?.slice(Number(m[3]), Number(m[3]) + 90) ?? ''
    } catch {
      /* not ours */
    }
  }
  console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}  ${snip}`)
}
await ctx.close()
child.kill()
