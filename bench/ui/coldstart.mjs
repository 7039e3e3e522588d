// Cold start timeline of the renderer (issue 16.4): a fresh harness + browser, navigation to the first image rows
// painted, with every script/style fetch, User Timing mark and WebSocket message (channel, sent/answered) on one
// clock (ms from navigation start). Against the bench cloud (BENCH_UI_SEED_ONLY=1 node bench/ui.mjs first).
//   node bench/ui/coldstart.mjs [runs] [--profile]   (--profile: the top self-time functions up to the first rows)
import { fork } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { launchBrowser } from './browser.mjs'
import { ensureBenchUser } from './cloud.mjs'
import { INIT_SCRIPT } from './page.mjs'

const root = resolve(import.meta.dirname, '../..')
const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1)
const PROFILE = process.argv.includes('--profile')
const admin = {}
for (const l of readFileSync(join(root, 'bench/.state/cloud/admin-openrc.sh'), 'utf8').split('\n')) {
  const m = /^export (OS_\w+)=(.*)$/.exec(l)
  if (m) admin[m[1]] = m[2].replace(/^["']|["']$/g, '')
}
const env = await ensureBenchUser(admin, () => {})

// WebSocket messages with their channel, on the page's clock.
const WS_SCRIPT = `(() => {
  const b = (window.__ws = [])
  const send = WebSocket.prototype.send
  WebSocket.prototype.send = function (d) {
    try { const m = JSON.parse(d); b.push([performance.now(), 'send', m.id, m.channel ?? m.ch ?? String(d).slice(0, 40)]) } catch {}
    if (!this.__gdw) {
      this.__gdw = true
      this.addEventListener('message', (e) => {
        try { const m = JSON.parse(e.data); b.push([performance.now(), 'recv', m.id ?? null, m.event ?? (m.result?.ok === false ? 'error' : 'ok'), String(e.data).length]) } catch {}
      })
    }
    return send.call(this, d)
  }
})()`

for (let r = 0; r < runs; r++) {
  const data = mkdtempSync(join(tmpdir(), 'gd-cold-'))
  const child = fork(join(root, 'bench/ui/harness-child.mjs'), [], {
    env: { PATH: process.env.PATH, BENCH_UI_ROOT: root, BENCH_UI_DATA: data, ...env },
  })
  const info = await new Promise((ok) => child.on('message', (m) => m.ready && ok(m)))
  const { context: ctx, userDataDir: udd } = await launchBrowser('gd-cold-chromium-', {
    viewport: { width: 1360, height: 860 },
  })
  await ctx.addInitScript(INIT_SCRIPT)
  await ctx.addInitScript(WS_SCRIPT)
  const page = ctx.pages()[0]
  const cdp = PROFILE ? await ctx.newCDPSession(page) : null
  if (cdp) {
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
    await cdp.send('Profiler.start')
  }
  await page.goto(info.url)
  await page.waitForFunction(() => window.__bench.firstRowPainted !== null, null, { timeout: 60000 })
  if (cdp) printProfile((await cdp.send('Profiler.stop')).profile)
  const t = await page.evaluate(() => {
    const ev = []
    const nav = performance.getEntriesByType('navigation')[0]
    ev.push([nav.responseEnd, 'html', 'responseEnd'])
    ev.push([nav.domInteractive, 'html', 'domInteractive'])
    ev.push([nav.domContentLoadedEventEnd, 'html', 'DOMContentLoaded'])
    for (const e of performance.getEntriesByType('resource'))
      ev.push([e.startTime, 'fetch', `${e.name.split('/').pop().split('?')[0]} -> ${Math.round(e.responseEnd)} (${Math.round(e.transferSize / 1024)} KiB)`])
    for (const e of performance.getEntriesByType('mark')) ev.push([e.startTime, 'mark', e.name])
    for (const e of performance.getEntriesByType('paint')) ev.push([e.startTime, 'paint', e.name])
    for (const w of window.__ws) ev.push([w[0], 'ws', w.slice(1).join(' ')])
    for (const l of window.__bench.longtasks) ev.push([l[0], 'longtask', `${Math.round(l[1])} ms`])
    ev.push([window.__bench.firstRowPainted, 'rows', 'first rows painted'])
    return ev
  })
  // The main process's HTTP exchanges (its log: end time and duration), on the page's clock.
  const origin = await page.evaluate(() => performance.timeOrigin)
  for (const f of findLogs(data)) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.includes('"http"')) continue
      try {
        const r = JSON.parse(line)
        const end = Date.parse(r.t) - origin
        const u = new URL(r.url)
        t.push([end - r.ms, 'http', `${r.method} :${u.port}${u.pathname}${u.search.slice(0, 40)} -> ${r.status ?? r.error} in ${Math.round(r.ms)} ms`])
      } catch {
        /* not a record */
      }
    }
  }
  t.sort((a, b) => a[0] - b[0])
  console.log(`--- run ${r + 1}`)
  for (const [ms, kind, what] of t) console.log(`${String(Math.round(ms)).padStart(6)}  ${kind.padEnd(8)} ${what}`)
  await ctx.close()
  child.kill()
  rmSync(udd, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
}

function findLogs(dir) {
  const out = []
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name === 'main.log') out.push(join(e.parentPath ?? e.path, e.name))
  return out
}

/** Self time per function and per script (ms), the top entries. */
function printProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const fn = new Map()
  const file = new Map()
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame
    const us = profile.timeDeltas[i] ?? 0
    const script = f.url.split('/').pop().split('?')[0] || `(${f.functionName || 'native'})`
    const k = `${f.functionName || '(anon)'} ${script}:${f.lineNumber}:${f.columnNumber}`
    fn.set(k, (fn.get(k) ?? 0) + us)
    file.set(script, (file.get(script) ?? 0) + us)
  })
  console.log('self time per script:')
  for (const [k, us] of [...file].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`)
  console.log('self time per function:')
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`)
}
