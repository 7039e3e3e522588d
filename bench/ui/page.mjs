// In-page measurement helpers (run in Chromium through Playwright; they bypass the app's CSP).

/** Installed before the app's scripts: long tasks, and the moment the first image row is painted. */
export const INIT_SCRIPT = `(() => {
  const b = (window.__bench = { longtasks: [], firstRowPainted: null, progress: 0 })
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) b.longtasks.push([e.startTime, e.duration]) })
      .observe({ type: 'longtask', buffered: true })
  } catch {}
  const poll = () => {
    if (document.querySelector('[data-testid=image-row]')) setTimeout(() => { b.firstRowPainted = performance.now() }, 0)
    else requestAnimationFrame(poll)
  }
  requestAnimationFrame(poll)
})()`

// The functions below are serialised by page.evaluate: self-contained, no closures.

/**
 * Waits for the list to be complete with `n` rows (`arg`: n, or { n, timeoutMs }: a full listing of 10,000 takes
 * minutes on a loaded machine); returns the marks relative to navigation start.
 */
export async function waitLoaded(arg) {
  const n = typeof arg === 'number' ? arg : arg.n
  const limit = typeof arg === 'number' ? 60000 : arg.timeoutMs
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()))
  const mark = (name) => performance.getEntriesByName(name).at(-1)?.startTime ?? null
  const t0 = performance.now()
  for (;;) {
    const rows = Number(document.querySelector('[data-testid=image-table]')?.getAttribute('data-rows') ?? 0)
    if (mark('gd:list:complete') !== null && rows >= n && window.__bench.firstRowPainted !== null) break
    if (performance.now() - t0 > limit) throw new Error(`list not loaded after ${limit / 1000} s (${rows} rows)`)
    await frame()
  }
  await new Promise((r) => setTimeout(r, 0))
  return {
    firstRowsPainted: window.__bench.firstRowPainted,
    listStart: mark('gd:list:start'),
    firstPage: mark('gd:list:first-page'),
    complete: mark('gd:list:complete'),
    completePainted: performance.now(),
    domContentLoaded: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null,
  }
}

/** Clicks "refresh" and times the new first page's rows painted and the full reload (ms from the click); `arg` as waitLoaded's. */
export async function timeRefresh(arg) {
  const n = typeof arg === 'number' ? arg : arg.n
  const limit = typeof arg === 'number' ? 120000 : arg.timeoutMs
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()))
  const afterPaint = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
  const mark = (name) => performance.getEntriesByName(name).at(-1)?.startTime ?? -1
  await afterPaint()
  const lt0 = window.__bench.longtasks.length
  const t0 = performance.now()
  document.querySelector('[data-testid=btn-refresh]').click()
  while (mark('gd:list:first-page') < t0) {
    if (performance.now() - t0 > limit) throw new Error(`no first page after ${limit / 1000} s`)
    await frame()
  }
  // The data arrived in an earlier task and Vue rendered it in that task's microtasks: this frame paints it.
  await new Promise((r) => setTimeout(r, 0))
  const firstRows = performance.now() - t0
  const firstRowCount = document.querySelectorAll('[data-testid=image-row]').length
  while (mark('gd:list:complete') < t0) {
    if (performance.now() - t0 > limit) throw new Error(`list not complete after ${limit / 1000} s`)
    await frame()
  }
  await afterPaint()
  const rows = Number(document.querySelector('[data-testid=image-table]').getAttribute('data-rows'))
  const lts = window.__bench.longtasks.slice(lt0)
  return {
    firstRows,
    firstPageData: mark('gd:list:first-page') - t0,
    listStart: mark('gd:list:start') - t0,
    complete: performance.now() - t0,
    completeData: mark('gd:list:complete') - t0,
    rows,
    expected: n,
    firstRowCount,
    longTasks: lts.length,
    longTaskMax: Math.max(0, ...lts.map((x) => x[1])),
    longTaskTotal: lts.reduce((a, x) => a + x[1], 0),
  }
}

/** Types `term` one character at a time into the search input; each keystroke is timed to the filtered rows painted. */
export async function timeFilter(term) {
  const afterPaint = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
  const input = document.querySelector('input[data-testid=search-input]')
  const table = document.querySelector('[data-testid=image-table]')
  const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set
  const type = async (v) => {
    const t0 = performance.now()
    set.call(input, v)
    input.dispatchEvent(new Event('input', { bubbles: true }))
    await afterPaint()
    return { ms: performance.now() - t0, rows: Number(table.getAttribute('data-rows')), dom: document.querySelectorAll('[data-testid=image-row]').length }
  }
  input.focus()
  await afterPaint()
  const lt0 = window.__bench.longtasks.length
  const keys = []
  for (let i = 1; i <= term.length; i++) keys.push(await type(term.slice(0, i)))
  const firstName = document.querySelector('[data-testid=image-row]')?.getAttribute('data-name') ?? ''
  const clear = await type('')
  const lts = window.__bench.longtasks.slice(lt0)
  return { keys, clear, firstName, longTasks: lts.length, longTaskMax: Math.max(0, ...lts.map((x) => x[1])) }
}

/** Scrolls the virtualized table from top to bottom in `steps` frames; frame intervals and long tasks. */
export async function timeScroll(steps) {
  const frame = () => new Promise((r) => requestAnimationFrame((t) => r(t)))
  const table = document.querySelector('[data-testid=image-table]')
  let el = null
  for (const c of table.querySelectorAll('*')) {
    if (c.scrollHeight > c.clientHeight + 100 && (!el || c.scrollHeight > el.scrollHeight)) el = c
  }
  if (!el) throw new Error('no scrollable element in the table')
  el.scrollTop = 0
  await frame()
  await frame()
  const lt0 = window.__bench.longtasks.length
  const max = el.scrollHeight - el.clientHeight
  const frames = []
  let prev = await frame()
  const t0 = performance.now()
  for (let i = 1; i <= steps; i++) {
    el.scrollTop = Math.round((max * i) / steps)
    const t = await frame()
    frames.push(t - prev)
    prev = t
  }
  await new Promise((r) => setTimeout(r, 0))
  const total = performance.now() - t0
  const lastRow = [...document.querySelectorAll('[data-testid=image-row]')].at(-1)?.getAttribute('data-name') ?? ''
  const lts = window.__bench.longtasks.slice(lt0)
  const s = [...frames].sort((a, b) => a - b)
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))]
  el.scrollTop = 0
  return {
    steps,
    scrollPx: max,
    totalMs: total,
    fps: (steps / total) * 1000,
    frameP50: q(0.5),
    frameP95: q(0.95),
    frameMax: s.at(-1),
    framesOver50: frames.filter((f) => f > 50).length,
    longTasks: lts.length,
    longTaskMax: Math.max(0, ...lts.map((x) => x[1])),
    longTaskTotal: lts.reduce((a, x) => a + x[1], 0),
    lastRow,
  }
}
