// The UI benchmark (issue 6 "done when", issue 7.7 load): the real renderer in Debian's Chromium, through the browser
// harness (out/web/harness.js: the real main-process services over a WebSocket), against a loopback cloud holding
// BENCH_UI_IMAGES images in one project. Needs `npm run build` first. See bench/UI-RESULTS.md.
//
//   npm run build && node bench/ui.mjs         (also run by bench/run.mjs; stdout is the summary table)
//
// Knobs: BENCH_UI_IMAGES (10000)  BENCH_UI_RUNS (5)  BENCH_UI_STATE (bench/.state: the cached cloud + images)
//        BENCH_UI_XFERS (20 uploads at once; 0 skips the load test)  BENCH_UI_XFER_MIB (64)
//        BENCH_UI_KEEP_CLOUD=1 (leave the bench cloud running)  BENCH_UI_JSON=1 (raw figures as JSON on stdout)
//        BENCH_UI_LIST_TIMEOUT_S (600: how long a full listing of the images may take)
//        BENCH_UI_SEED_ONLY=1 (start the cloud and seed the images, measure nothing, leave the cloud running; no
//        build needed: seed in the background while you build)
//        BENCH_UI_PORTS: BENCH_UI_KEYSTONE_PORT (45000) BENCH_UI_GLANCE_PORT (49292) BENCH_UI_GLANCE2_PORT (49293)
//        BENCH_KEYSTONE_CACHE (1: Keystone's cache on, as production runs; 0: off; applies when the cloud starts)
// The OS_* of the environment (bench/run.mjs passes its own) are ignored on purpose: 10,000 images never go to a
// shared cloud. The bench cloud is stopped at the end unless it was already running or BENCH_UI_KEEP_CLOUD=1.
import { fork } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { launchBrowser } from './ui/browser.mjs'
import { cloudDown, cloudRunning, cloudUp, ensureBenchUser, glanceFor, listAll, seedImages } from './ui/cloud.mjs'
import { INIT_SCRIPT, timeFilter, timeRefresh, timeScroll, waitLoaded } from './ui/page.mjs'

const root = resolve(import.meta.dirname, '..')
const N = Number(process.env.BENCH_UI_IMAGES ?? 10000)
const RUNS = Number(process.env.BENCH_UI_RUNS ?? 5)
const XFERS = Number(process.env.BENCH_UI_XFERS ?? 20)
const XFER_MIB = Number(process.env.BENCH_UI_XFER_MIB ?? 64)
const STATE = resolve(process.env.BENCH_UI_STATE ?? join(root, 'bench/.state'))
const CLOUD_STATE = join(STATE, 'cloud')
const TARGET_FIRST_ROWS = 300
const TARGET_FILTER = 100
const FILTER_TERMS = ['fedora-40', 'gpu-0042']
const SEED_ONLY = process.env.BENCH_UI_SEED_ONLY === '1'
/** How long a full listing may take (a loaded machine lists 10,000 images in minutes, not seconds). */
const LIST_TIMEOUT_MS = Number(process.env.BENCH_UI_LIST_TIMEOUT_S ?? 600) * 1000

const log = (...a) => console.error('[bench:ui]', ...a)
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim()
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (!s.length) return NaN
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const r0 = (x) => (Number.isFinite(x) ? Math.round(x) : 'n/a')
const r1 = (x) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : 'n/a')

const cleanups = []
const out = {
  date: new Date().toISOString(),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  images: N,
  runs: RUNS,
}

/** The harness in its own process (its event loop measured alone), driven over IPC. */
async function startChild(env, dataDir) {
  const child = fork(join(root, 'bench/ui/harness-child.mjs'), [], {
    env: { PATH: process.env.PATH, BENCH_UI_ROOT: root, BENCH_UI_DATA: dataDir, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting = new Map()
  let seq = 0
  child.once('exit', (code, signal) => log(`harness process exited (code ${code}, signal ${signal})`))
  const ready = new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`harness exited (${code})`)))
    child.on('message', (m) => {
      if (m.ready) ok(m)
      else waiting.get(m.id)?.(m.result)
    })
  })
  const info = await ready
  const ask = (cmd) =>
    new Promise((ok, fail) => {
      if (!child.connected) return fail(new Error('the harness process is gone'))
      const id = ++seq
      waiting.set(id, ok)
      child.send({ id, cmd })
    })
  return { ...info, ask, child }
}

async function main() {
  mkdirSync(STATE, { recursive: true })
  if (SEED_ONLY) return seedOnly()
  if (!existsSync(join(root, 'out/web/harness.js')) || !existsSync(join(root, 'out/renderer/index.html'))) {
    throw new Error('no build: run `npm run build` first')
  }
  out.loadBefore = load()
  log(uptime())

  // ---- the cloud, the project, the images
  const wasRunning = cloudRunning(CLOUD_STATE)
  const admin = cloudUp(root, CLOUD_STATE, log)
  if (!wasRunning && process.env.BENCH_UI_KEEP_CLOUD !== '1') cleanups.push(() => cloudDown(root, CLOUD_STATE))
  const env = await ensureBenchUser(admin, log)
  const g = await glanceFor(env)
  const seeded = await seedImages(g, N, 8, log)
  if (seeded.created) out.seed = { created: seeded.created, seconds: r1(seeded.seconds), perSecond: r1(seeded.created / seeded.seconds) }
  const present = (await listAll(g)).length
  out.imagesInProject = present
  log(`project ${env.OS_PROJECT_NAME} holds ${present} images`)

  // ---- the "main process" and the browser (restarted when a run loses them: the machine is shared)
  let sess = await session(env)
  cleanups.push(() => sess.close())

  // ---- list: cold navigation, refresh, filter, scroll
  const runs = []
  let failures = 0
  for (let r = 0; r < RUNS; r++) {
    log(`run ${r + 1}/${RUNS} (load ${load()})`)
    try {
      // A fresh harness and browser per run: every run is a cold start (and a second navigation in one session
      // sometimes never gets its list: see UI-RESULTS.md).
      if (r > 0) {
        await sess.close()
        sess = await session(env)
      }
      runs.push(await listRun(sess, present))
    } catch (e) {
      log(`run ${r + 1} failed: ${e.message}`)
      if (++failures > 2) throw e
      await sess.close()
      sess = await session(env)
      r--
    }
  }
  out.runs = runs
  out.failedRuns = failures
  out.problems = sess.problems

  // ---- load: XFERS uploads at once (issue 7.7)
  if (XFERS > 0) out.load = await loadTest({ page: sess.page, h: sess.h, g })

  out.loadAfter = load()
  out.uptime = uptime()
  return out
}

/** BENCH_UI_SEED_ONLY=1: the cloud and its images only; the cloud is left running for the measuring run. */
async function seedOnly() {
  log(uptime())
  const admin = cloudUp(root, CLOUD_STATE, log)
  const env = await ensureBenchUser(admin, log)
  const g = await glanceFor(env)
  const seeded = await seedImages(g, N, 8, log)
  const present = (await listAll(g)).length
  log(
    `seeded: ${seeded.created} created in ${r1(seeded.seconds)} s; project ${env.OS_PROJECT_NAME} holds ${present} images; cloud left running (${CLOUD_STATE})`,
  )
  return { seedOnly: true, created: seeded.created, seconds: seeded.seconds, imagesInProject: present }
}

async function session(env) {
  const closers = []
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {})
    closers.length = 0
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'gd-uibench-data-'))
  closers.push(async () => rmSync(dataDir, { recursive: true, force: true }))
  const h = await startChild(env, dataDir)
  closers.push(async () => {
    await Promise.race([h.ask('close').catch(() => {}), new Promise((r) => setTimeout(r, 5000))])
    h.child.kill()
  })
  const { context, userDataDir } = await launchBrowser('gd-uibench-browser-', {
    viewport: { width: 1360, height: 860 },
    locale: 'en-US',
  })
  let closing = false
  context.on('close', () => closing || log('the browser closed unexpectedly'))
  closers.push(async () => {
    closing = true
    await context.close().catch(() => {})
    rmSync(userDataDir, { recursive: true, force: true })
  })
  await context.addInitScript(INIT_SCRIPT)
  const page = context.pages()[0] ?? (await context.newPage())
  const problems = []
  page.on('pageerror', (e) => problems.push(String(e.message)))
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  const ws = { bytes: 0 }
  cdp.on('Network.webSocketFrameReceived', (e) => (ws.bytes += e.response.payloadData.length))
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage')
    return (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20
  }
  // JS heap allocated (used + free, after GC) and DOM nodes: CDP Performance.getMetrics
  const metrics = async () => {
    await cdp.send('Performance.enable')
    const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]))
    return { heapTotalMiB: m.JSHeapTotalSize / 2 ** 20, nodes: m.Nodes }
  }
  return { h, context, page, problems, ws, heap, metrics, rss: () => rendererRssMiB(userDataDir), dataDir, close }
}

/**
 * The resident memory (MiB) of this browser's largest page renderer: Chromium's renderers carry --type=renderer and
 * the browser's --user-data-dir on their command line (rewritten with spaces, not NULs, after the zygote's fork), its
 * own UI's --top-chrome-webui / --extension-process ones are left out. Linux only (/proc); null elsewhere.
 */
function rendererRssMiB(userDataDir) {
  let best = null
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue
      try {
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ')
        if (!cmd.includes('--type=renderer') || !cmd.includes(`--user-data-dir=${userDataDir}`)) continue
        if (cmd.includes('--top-chrome-webui') || cmd.includes('--extension-process')) continue
        const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1] ?? 0) / 1024
        best = Math.max(best ?? 0, rss)
      } catch {
        /* gone */
      }
    }
  } catch {
    return null
  }
  return best
}

/**
 * The main process's first Keystone token and first image list of a cold start, from its log (dataDir/.../main.log,
 * one JSON record per HTTP exchange): where the cold start's time goes on the server side.
 */
function coldHttp(dataDir) {
  const out = { tokenMs: null, firstListMs: null }
  try {
    for (const e of readdirSync(dataDir, { withFileTypes: true, recursive: true })) {
      if (!e.isFile() || e.name !== 'main.log') continue
      for (const line of readFileSync(join(e.parentPath ?? e.path, e.name), 'utf8').split('\n')) {
        if (!line.includes('"http"')) continue
        const r = JSON.parse(line)
        if (out.tokenMs === null && r.method === 'POST' && /\/auth\/tokens$/.test(new URL(r.url).pathname)) out.tokenMs = r.ms
        if (out.firstListMs === null && r.method === 'GET' && /\/v2\/images$/.test(new URL(r.url).pathname)) out.firstListMs = r.ms
      }
    }
  } catch {
    /* no log: figures stay null */
  }
  return out
}

async function listRun({ h, page, ws, heap, metrics, rss, dataDir }, present) {
  await h.ask('eld-reset')
  ws.bytes = 0
  await page.goto(h.url)
  const nav = await page.evaluate(waitLoaded, { n: present, timeoutMs: LIST_TIMEOUT_MS }).catch(async (e) => {
    await page.screenshot({ path: join(STATE, 'failed.png') }).catch(() => {})
    log(`page at ${page.url()}; screenshot ${join(STATE, 'failed.png')}`)
    throw e
  })
  const navBytes = ws.bytes
  nav.http = coldHttp(dataDir)
  const navEld = await h.ask('eld')
  const heapMiB = await heap()
  const rendererRss = rss()
  const pageMetrics = await metrics()
  ws.bytes = 0
  await h.ask('eld-reset')
  const refresh = await page.evaluate(timeRefresh, { n: present, timeoutMs: LIST_TIMEOUT_MS })
  const refreshEld = await h.ask('eld')
  const refreshBytes = ws.bytes
  const filters = []
  for (const term of FILTER_TERMS) filters.push(await page.evaluate(timeFilter, term))
  const scroll = await page.evaluate(timeScroll, 250)
  const keyMs = filters.flatMap((f) => f.keys.map((k) => k.ms))
  log(
    `  first rows: navigation ${r0(nav.firstRowsPainted)} ms (list request at ${r0(nav.listStart)}, first page data ${r0(nav.firstPage)}), refresh ${r0(refresh.firstRows)} ms; all ${present}: ${r0(refresh.complete)} ms;` +
      ` filter keystroke median ${r0(median(keyMs))} / max ${r0(Math.max(...keyMs))} ms; scroll p50/p95 frame ${r1(scroll.frameP50)}/${r1(scroll.frameP95)} ms; heap ${r1(heapMiB)} MiB, renderer RSS ${r1(rendererRss)} MiB; scroll long tasks ${scroll.longTasks} (max ${r0(scroll.longTaskMax)} ms)`,
  )
  return { nav, navBytes, navEld, heapMiB, rendererRss, pageMetrics, refresh, refreshEld, refreshBytes, filters, scroll, load: load() }
}

async function loadTest({ page, h, g }) {
  const dir = mkdtempSync(join(tmpdir(), 'gd-uibench-files-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  log(`load: writing ${XFERS} x ${XFER_MIB} MiB files in ${dir}`)
  const files = []
  const block = randomBytes(1 << 20)
  for (let i = 0; i < XFERS; i++) {
    const p = join(dir, `load-${String(i).padStart(2, '0')}.raw`)
    const fd = openSync(p, 'w')
    for (let m = 0; m < XFER_MIB; m++) {
      block.writeUInt32LE(i * 65536 + m, 0)
      writeSync(fd, block)
    }
    closeSync(fd)
    files.push(p)
  }
  // The harness's scripted file dialog answers the next XFERS "open" dialogs with these paths.
  const res = await fetch(`${h.origin}/__harness/dialog`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-harness-token': h.token },
    body: JSON.stringify({ paths: files, clear: true }),
  })
  if (!res.ok) throw new Error(`harness dialog: HTTP ${res.status}`)

  // Idle baseline of the main process's event loop, then the transfers.
  await h.ask('eld-reset')
  await new Promise((r) => setTimeout(r, 3000))
  const idle = await h.ask('eld')
  await h.ask('eld-reset')
  log(`load: queueing ${XFERS} uploads through window.api (load ${load()})`)
  const t0 = Date.now()
  const queued = await page.evaluate(
    async ({ n, mib }) => {
      const api = window.api
      const b = window.__bench
      b.xfer = { events: 0, items: 0, first: null, last: null, states: {} }
      b.unsub = api.on('transfers:progress', (evs) => {
        b.xfer.events++
        b.xfer.items += evs.length
        b.xfer.first ??= performance.now()
        b.xfer.last = performance.now()
      })
      b.unsubChanged = api.on('transfers:changed', (job) => (b.xfer.states[job.id] = job.state))
      const st = await api.profiles.state()
      if (!st.ok) throw new Error(st.error.message)
      const ctx = { profileId: st.value.profiles[0].id }
      const jobs = []
      for (let i = 0; i < n; i++) {
        const f = await api.files.pickOpen('image')
        if (!f.ok || !f.value) throw new Error(`pickOpen: ${JSON.stringify(f)}`)
        const r = await api.images.create(ctx, {
          name: `bench-load-${mib}m-${i}`,
          fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false },
          diskFormat: 'raw',
          source: { kind: 'file', fileHandle: f.value.handle },
        })
        if (!r.ok) throw new Error(`create: ${r.error.code} ${r.error.message}`)
        jobs.push(r.value)
      }
      return jobs
    },
    { n: XFERS, mib: XFER_MIB },
  )
  log(`load: ${queued.length} jobs queued in ${Date.now() - t0} ms; measuring the UI while they run`)

  // While the transfers run: time UI actions (filter keystrokes, opening/closing the transfers panel), long tasks.
  const lt0 = await page.evaluate(() => window.__bench.longtasks.length)
  const actions = { filter: [], panel: [] }
  const deadline = Date.now() + 15 * 60 * 1000
  let finished = false
  while (!finished && Date.now() < deadline) {
    const f = await page.evaluate(timeFilter, 'rocky')
    actions.filter.push(...f.keys.map((k) => k.ms))
    const panel = await page.evaluate(async () => {
      const afterPaint = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
      const t0 = performance.now()
      document.querySelector('[data-testid=btn-transfers]').click()
      const frame = () => new Promise((r) => requestAnimationFrame(() => r()))
      for (;;) {
        const p = document.querySelector('[data-testid=transfers-panel]')
        if (p && p.offsetParent !== null && p.querySelectorAll('[data-testid=job-row]').length) break
        if (performance.now() - t0 > 10000) break
        await frame()
      }
      await afterPaint()
      const open = performance.now() - t0
      document.querySelector('[data-testid=btn-transfers]').click()
      await afterPaint()
      return open
    })
    actions.panel.push(panel)
    const states = await page.evaluate(() => Object.values(window.__bench.xfer.states))
    const done = states.filter((s) => s === 'done' || s === 'failed' || s === 'cancelled').length
    finished = done >= XFERS
    await new Promise((r) => setTimeout(r, 1000))
  }
  const seconds = (Date.now() - t0) / 1000
  const busy = await h.ask('eld')
  const xfer = await page.evaluate((lt) => {
    const b = window.__bench
    b.unsub()
    b.unsubChanged()
    const lts = b.longtasks.slice(lt)
    const states = Object.values(b.xfer.states)
    return {
      events: b.xfer.events,
      items: b.xfer.items,
      eventsPerSecond: b.xfer.last > b.xfer.first ? (b.xfer.events / (b.xfer.last - b.xfer.first)) * 1000 : 0,
      done: states.filter((s) => s === 'done').length,
      failed: states.filter((s) => s === 'failed').length,
      longTasks: lts.length,
      longTaskMax: Math.max(0, ...lts.map((x) => x[1])),
      longTaskTotal: lts.reduce((a, x) => a + x[1], 0),
    }
  }, lt0)
  const heapMiB = await page.evaluate(() => performance.memory?.usedJSHeapSize / 2 ** 20)

  // Clean up: the uploaded images (by name), the files.
  const mine = (await listAll(g)).filter((im) => im.name?.startsWith('bench-load-'))
  for (const im of mine) await g.api('DELETE', `/v2/images/${im.id}`).catch((e) => log(`delete ${im.id}: ${e.message}`))
  log(`load: ${xfer.done}/${XFERS} done in ${seconds.toFixed(1)} s; deleted ${mine.length} images`)
  return {
    transfers: XFERS,
    mib: XFER_MIB,
    seconds,
    mibPerSecond: (XFERS * XFER_MIB) / seconds,
    idle,
    busy,
    xfer,
    filterMs: { median: median(actions.filter), max: Math.max(...actions.filter), n: actions.filter.length },
    panelMs: { median: median(actions.panel), max: Math.max(...actions.panel), n: actions.panel.length },
    heapMiB,
    load: load(),
  }
}

function table(o) {
  const rs = o.runs
  const m = (f) => median(rs.map(f))
  const keys = (i) => rs.flatMap((r) => r.filters[i].keys.map((k) => k.ms))
  const allKeys = rs.flatMap((r) => r.filters.flatMap((f) => f.keys.map((k) => k.ms)))
  const firstRowsRefresh = m((r) => r.refresh.firstRows)
  const filterMed = median(allKeys)
  const ok = (v, t) => (v <= t ? 'MET' : 'MISSED')
  const L = []
  L.push(`UI benchmark: ${o.imagesInProject} images in one project, ${rs.length} runs, medians (ms unless noted); load ${o.loadBefore} -> ${o.loadAfter}`)
  L.push(
    `  ${'first rows painted, from the refresh click'.padEnd(60)} ${String(r0(firstRowsRefresh)).padStart(7)}   target ${TARGET_FIRST_ROWS}: ${ok(firstRowsRefresh, TARGET_FIRST_ROWS)}`,
  )
  L.push(`  ${'  of which: first page of 1000 received (data)'.padEnd(60)} ${String(r0(m((r) => r.refresh.firstPageData))).padStart(7)}`)
  L.push(
    `  ${'first rows painted, from navigation start (cold page)'.padEnd(60)} ${String(r0(m((r) => r.nav.firstRowsPainted))).padStart(7)}   (run 1, with Keystone auth: ${r0(rs[0].nav.firstRowsPainted)})`,
  )
  L.push(`  ${'  of which: app mounted and list request sent'.padEnd(60)} ${String(r0(m((r) => r.nav.listStart))).padStart(7)}`)
  L.push(`  ${'  main process: Keystone token issued in'.padEnd(60)} ${String(r0(m((r) => r.nav.http?.tokenMs ?? NaN))).padStart(7)}`)
  L.push(`  ${'  main process: first Glance list (new token) answered in'.padEnd(60)} ${String(r0(m((r) => r.nav.http?.firstListMs ?? NaN))).padStart(7)}`)
  L.push(`  ${'  renderer: first page data -> first rows painted'.padEnd(60)} ${String(r0(m((r) => r.nav.firstRowsPainted - r.nav.firstPage))).padStart(7)}`)
  L.push(`  ${`all ${o.imagesInProject} loaded and painted, from the refresh click`.padEnd(60)} ${String(r0(m((r) => r.refresh.complete))).padStart(7)}`)
  L.push(
    `  ${`filter: one keystroke -> filtered rows painted (all)`.padEnd(60)} ${String(r0(filterMed)).padStart(7)}   target ${TARGET_FILTER}: ${ok(filterMed, TARGET_FILTER)} (max ${r0(Math.max(...allKeys))})`,
  )
  FILTER_TERMS.forEach((t, i) => {
    const k = keys(i)
    L.push(
      `  ${`  typing "${t}" (${rs[0].filters[i].keys.at(-1).rows} rows left), per keystroke`.padEnd(60)} ${String(r0(median(k))).padStart(7)}   (max ${r0(Math.max(...k))})`,
    )
  })
  L.push(`  ${'filter cleared -> all rows painted'.padEnd(60)} ${String(r0(median(rs.flatMap((r) => r.filters.map((f) => f.clear.ms))))).padStart(7)}`)
  L.push(
    `  ${'scroll top->bottom, 250 frames: frame interval p50 / p95 / max'.padEnd(60)} ${`${r1(m((r) => r.scroll.frameP50))} / ${r1(m((r) => r.scroll.frameP95))} / ${r1(m((r) => r.scroll.frameMax))}`.padStart(7)}`,
  )
  L.push(
    `  ${'scroll: fps / long tasks (count, max ms)'.padEnd(60)} ${`${r0(m((r) => r.scroll.fps))} / ${r0(m((r) => r.scroll.longTasks))}, ${r0(m((r) => r.scroll.longTaskMax))}`.padStart(7)}`,
  )
  L.push(`  ${'refresh: long tasks (count, max ms)'.padEnd(60)} ${`${r0(m((r) => r.refresh.longTasks))}, ${r0(m((r) => r.refresh.longTaskMax))}`.padStart(7)}`)
  L.push(`  ${'JS heap after the full list (MiB, after GC)'.padEnd(60)} ${String(r1(m((r) => r.heapMiB))).padStart(7)}`)
  L.push(
    `  ${'JS heap allocated (used + free) / DOM nodes'.padEnd(60)} ${`${r1(m((r) => r.pageMetrics?.heapTotalMiB ?? NaN))} / ${r0(m((r) => r.pageMetrics?.nodes ?? NaN))}`.padStart(7)}`,
  )
  L.push(`  ${'renderer process RSS after the full list (MiB, shared pages included)'.padEnd(60)} ${String(r1(m((r) => r.rendererRss ?? NaN))).padStart(7)}`)
  L.push(`  ${'WebSocket bytes received for the full list (MiB)'.padEnd(60)} ${String(r1(m((r) => r.refreshBytes / 2 ** 20))).padStart(7)}`)
  L.push(
    `  ${'main process event loop during a full load: p99 / max'.padEnd(60)} ${`${r1(m((r) => r.refreshEld.p99))} / ${r1(m((r) => r.refreshEld.max))}`.padStart(7)}`,
  )
  if (o.load) {
    const l = o.load
    L.push(
      `load: ${l.transfers} uploads of ${l.mib} MiB queued at once: ${l.xfer.done} done, ${l.xfer.failed} failed in ${r1(l.seconds)} s (${r0(l.mibPerSecond)} MiB/s together); load ${l.load}`,
    )
    L.push(`  ${'main process event loop delay, idle: p50 / p99 / max'.padEnd(60)} ${`${l.idle.p50} / ${l.idle.p99} / ${l.idle.max}`.padStart(7)}`)
    L.push(
      `  ${'main process event loop delay, transfers: p50 / p99 / max'.padEnd(60)} ${`${l.busy.p50} / ${l.busy.p99} / ${l.busy.max}`.padStart(7)}   (CPU ${l.busy.cpuPct}%, RSS ${l.busy.rssMiB} MiB)`,
    )
    L.push(
      `  ${'UI: filter keystroke during transfers, median / max'.padEnd(60)} ${`${r0(l.filterMs.median)} / ${r0(l.filterMs.max)}`.padStart(7)}   (n=${l.filterMs.n})`,
    )
    L.push(
      `  ${'UI: open the transfers panel during transfers, median / max'.padEnd(60)} ${`${r0(l.panelMs.median)} / ${r0(l.panelMs.max)}`.padStart(7)}   (n=${l.panelMs.n})`,
    )
    L.push(
      `  ${'UI: long tasks during transfers (count, max, total ms)'.padEnd(60)} ${`${l.xfer.longTasks}, ${r0(l.xfer.longTaskMax)}, ${r0(l.xfer.longTaskTotal)}`.padStart(7)}`,
    )
    L.push(`  ${'progress events reaching the page (per s; items)'.padEnd(60)} ${`${r1(l.xfer.eventsPerSecond)}; ${l.xfer.items}`.padStart(7)}`)
  }
  if (o.problems?.length) L.push(`page errors: ${o.problems.slice(0, 5).join(' | ')}`)
  L.push(`(${o.uptime})`)
  return L.join('\n')
}

let code = 0
try {
  const o = await main()
  if (o.seedOnly) {
    console.log(`ui benchmark: seeded only (${o.imagesInProject} images in the project)`)
    process.exit(0)
  }
  console.log(table(o))
  if (process.env.BENCH_UI_JSON) console.log(JSON.stringify(o))
  const file = join(STATE, 'last-ui.json')
  try {
    const prev = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : []
    const list = Array.isArray(prev) ? prev : []
    list.push(o)
    const fd = openSync(file, 'w')
    writeSync(fd, JSON.stringify(list.slice(-20), null, 1))
    closeSync(fd)
  } catch {
    /* a cache only */
  }
} catch (e) {
  console.error('[bench:ui] failed:', e?.stack ?? e)
  console.log(`ui benchmark failed: ${e?.message ?? e}`)
  code = 1
} finally {
  for (const c of cleanups.reverse()) {
    try {
      await c()
    } catch {
      /* best effort */
    }
  }
}
process.exit(code)
