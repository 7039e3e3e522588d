// Cold start timeline of the renderer (issue 16.4): a fresh harness + browser, navigation to the first image rows
// painted, with every script/style fetch, User Timing mark and WebSocket message (channel, sent/answered) on one
// clock (ms from navigation start). Against the bench cloud (BENCH_UI_SEED_ONLY=1 node bench/ui.mjs first).
//   node bench/ui/coldstart.mjs [runs] [--profile]   (--profile: the top self-time functions up to the first rows)
//   BENCH_UI_STATE (bench/.state): the bench cloud's state dir (another checkout's running bench cloud, say)
//   BENCH_UI_WARM=0: the harness without the warm start (main/profiles/warm.ts), for a before/after on one build
//   BENCH_UI_HARNESS=<dir>/web/harness.js: another build (a copy of out/ inside the checkout, e.g. .state/out-a)
//   BENCH_UI_NAV_DELAY_MS=<ms>: navigate that long after the harness is up (a renderer that asks after the warm start
//   is done, as with a cloud that signs in faster than the renderer boots); compare "list sent" with "first page"
//   BENCH_UI_QUIET=1: only the summary (per run: list request sent, first rows, the renderer's main-thread work up to
//   them; then the medians)
import { fork } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { launchBrowser } from './browser.mjs'
import { ensureBenchUser } from './cloud.mjs'
import { INIT_SCRIPT } from './page.mjs'

const root = resolve(import.meta.dirname, '../..')
const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1)
const PROFILE = process.argv.includes('--profile')
const admin = {}
const STATE = resolve(process.env.BENCH_UI_STATE ?? join(root, 'bench/.state'))
for (const l of readFileSync(join(STATE, 'cloud/admin-openrc.sh'), 'utf8').split('\n')) {
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

const QUIET = process.env.BENCH_UI_QUIET === '1'
const summary = []
for (let r = 0; r < runs; r++) {
  const data = mkdtempSync(join(tmpdir(), 'gd-cold-'))
  // The browser first, then the harness, then the navigation at once: as the app opens its window right after
  // building the services (main/index.ts), so that a warm start gets no head start the app would not have.
  const { context: ctx, userDataDir: udd } = await launchBrowser('gd-cold-chromium-', {
    viewport: { width: 1360, height: 860 },
  })
  await ctx.addInitScript(INIT_SCRIPT)
  await ctx.addInitScript(WS_SCRIPT)
  const page = ctx.pages()[0]
  const child = fork(join(root, 'bench/ui/harness-child.mjs'), [], {
    env: {
      PATH: process.env.PATH,
      BENCH_UI_ROOT: root,
      BENCH_UI_DATA: data,
      BENCH_UI_WARM: process.env.BENCH_UI_WARM ?? '',
      BENCH_UI_HARNESS: process.env.BENCH_UI_HARNESS ?? '',
      ...env,
    },
  })
  const info = await new Promise((ok) => child.on('message', (m) => m.ready && ok(m)))
  // The renderer's main-thread work up to the first rows (CDP Performance metrics: CPU time, steadier than wall time
  // on a loaded machine): TaskDuration = every task, ScriptDuration = JavaScript, from navigation.
  const perf = await ctx.newCDPSession(page)
  await perf.send('Performance.enable', { timeDomain: 'threadTicks' })
  const cdp = PROFILE ? await ctx.newCDPSession(page) : null
  if (cdp) {
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
    await cdp.send('Profiler.start')
  }
  if (process.env.BENCH_UI_NAV_DELAY_MS) await new Promise((r) => setTimeout(r, Number(process.env.BENCH_UI_NAV_DELAY_MS)))
  await page.goto(info.url)
  await page.waitForFunction(() => window.__bench.firstRowPainted !== null, null, { timeout: 60000 })
  const metric = Object.fromEntries((await perf.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]))
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
  const at = (kind, what) => t.find((e) => e[1] === kind && (what === undefined || String(e[2]).includes(what)))?.[0] ?? NaN
  const run = {
    listSent: at('mark', 'gd:list:start'),
    firstPage: at('mark', 'gd:list:first-page'),
    rows: at('rows'),
    busy: metric.TaskDuration * 1000,
    script: metric.ScriptDuration * 1000,
  }
  summary.push(run)
  if (!QUIET) {
    console.log(`--- run ${r + 1}`)
    for (const [ms, kind, what] of t) console.log(`${String(Math.round(ms)).padStart(6)}  ${kind.padEnd(8)} ${what}`)
  }
  console.log(
    `run ${r + 1}: list sent ${Math.round(run.listSent)} ms, first page ${Math.round(run.firstPage)} ms, first rows ${Math.round(run.rows)} ms; ` +
      `renderer main thread busy ${Math.round(run.busy)} ms (script ${Math.round(run.script)} ms)`,
  )
  await ctx.close()
  child.kill()
  rmSync(udd, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN
}
console.log(
  `median of ${runs} (${process.env.BENCH_UI_HARNESS ? `harness ${process.env.BENCH_UI_HARNESS}` : 'out/web/harness.js'}, BENCH_UI_WARM=${process.env.BENCH_UI_WARM ?? ''}): list sent ${Math.round(median(summary.map((s) => s.listSent)))} ms, ` +
    `first page ${Math.round(median(summary.map((s) => s.firstPage)))} ms, first rows ${Math.round(median(summary.map((s) => s.rows)))} ms, ` +
    `renderer busy ${Math.round(median(summary.map((s) => s.busy)))} ms (script ${Math.round(median(summary.map((s) => s.script)))} ms) ` +
    `(load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})`,
)

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
