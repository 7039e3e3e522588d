// The "main process" of the UI benchmark: the built browser harness (out/web/harness.js, the real main-process
// services over a WebSocket) in its own Node process, so that its event loop is measured alone
// (perf_hooks.monitorEventLoopDelay), apart from Playwright's. Driven over the fork IPC channel:
//   -> { id, cmd: 'eld-reset' | 'eld' | 'stats' | 'close' }      <- { id, result }
// Environment: what the services see (OS_* of the bench user = a ready profile); BENCH_UI_DATA = data dir;
// BENCH_UI_WARM=0: no warm start.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'

const root = process.env.BENCH_UI_ROOT
// BENCH_UI_HARNESS: another build's harness.js (a copy of out/ inside the checkout, for a before/after of two builds)
const { startHarness } = await import(pathToFileURL(process.env.BENCH_UI_HARNESS || join(root, 'out/web/harness.js')).href)

const env = { PATH: process.env.PATH ?? '', HOME: process.env.BENCH_UI_DATA }
for (const [k, v] of Object.entries(process.env)) if (k.startsWith('OS_')) env[k] = v

const lines = []
// BENCH_UI_WARM=0: without the warm start (issue 16.4), for a before/after on one build.
const warmStart = process.env.BENCH_UI_WARM !== '0'
const harness = await startHarness({ dataDir: process.env.BENCH_UI_DATA, env, startQueue: true, warmStart, log: (l) => lines.push(l) })
const h = monitorEventLoopDelay({ resolution: 10 })
h.enable()
let cpu0 = process.cpuUsage()
let t0 = performance.now()

const ms = (ns) => Math.round((ns / 1e6) * 10) / 10
function eld() {
  const cpu = process.cpuUsage(cpu0)
  const wall = performance.now() - t0
  return {
    p50: ms(h.percentile(50)),
    p99: ms(h.percentile(99)),
    max: ms(h.max),
    mean: ms(h.mean),
    samples: h.count,
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 100),
    rssMiB: Math.round(process.memoryUsage().rss / 1048576),
    wallMs: Math.round(wall),
  }
}

process.on('message', async (msg) => {
  let result = null
  if (msg.cmd === 'eld-reset') {
    h.reset()
    cpu0 = process.cpuUsage()
    t0 = performance.now()
  } else if (msg.cmd === 'eld') result = eld()
  else if (msg.cmd === 'lines') result = lines.slice(-50)
  else if (msg.cmd === 'close') {
    h.disable()
    await harness.close()
    process.send({ id: msg.id, result: null }, () => process.exit(0))
    return
  }
  process.send({ id: msg.id, result })
})
process.send({ ready: true, url: harness.url, origin: harness.origin, token: harness.token, dataDir: harness.dataDir })
