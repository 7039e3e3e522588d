// The README's screenshots (issue 14), reproducible: the built renderer in Debian's Chromium through the browser harness
// (out/web/harness.js in its own process, bench/ui/harness-child.mjs), 1440x900 at deviceScaleFactor 1, PNGs in
// docs/screenshots/. Needs `npm run build` first.
//
//   node bench/ui/screenshots.mjs [list] [zh] [upload]       (all three when none is named)
//
//   list    docs/screenshots/list-10000.png: the image list of the UI bench's 10,000-image project, FULLY loaded
//   zh      docs/screenshots/list-zh-CN.png: the same list in Simplified Chinese, an image's details open
//   upload  docs/screenshots/upload-{1..4}-*.png: choose a file -> its inspection in the create dialog -> the transfer's
//           progress in the Transfers drawer -> the new image active in the list; the image is deleted afterwards
//
// Clouds (nothing is started, stopped or seeded here):
//   SHOTS_BENCH_STATE   the UI bench's cloud state dir (bench/.state/cloud): its admin-openrc.sh gives the Keystone URL;
//                       the list is that of the bench's member user (bench/ui/cloud.mjs). Seed and keep it running with
//                       `BENCH_UI_SEED_ONLY=1 node bench/ui.mjs`.
//   SHOTS_UPLOAD_OPENRC the cloud the upload goes to (.cloud-state/admin-openrc.sh, the dev cloud; an admin openrc)
// Knobs: SHOTS_IMAGES (10000: rows the list must show)  SHOTS_LIST_TIMEOUT_S (900)  SHOTS_UPLOAD_MIB (512: data written
//        into the qcow2)  SHOTS_UPLOAD_NAME (debian-12-genericcloud-amd64)  CHROMIUM_PATH (/usr/bin/chromium)
import { execFileSync, fork } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { launchBrowser } from './browser.mjs'
import { ensureBenchUser } from './cloud.mjs'
import { INIT_SCRIPT, waitLoaded } from './page.mjs'

const root = resolve(import.meta.dirname, '../..')
const OUT = join(root, 'docs/screenshots')
const BENCH_STATE = resolve(process.env.SHOTS_BENCH_STATE ?? join(root, 'bench/.state/cloud'))
const UPLOAD_OPENRC = resolve(process.env.SHOTS_UPLOAD_OPENRC ?? join(root, '.cloud-state/admin-openrc.sh'))
const N = Number(process.env.SHOTS_IMAGES ?? 10000)
const LIST_TIMEOUT_MS = Number(process.env.SHOTS_LIST_TIMEOUT_S ?? 900) * 1000
const UPLOAD_MIB = Number(process.env.SHOTS_UPLOAD_MIB ?? 512)
const UPLOAD_NAME = process.env.SHOTS_UPLOAD_NAME ?? 'debian-12-genericcloud-amd64'
const VIEWPORT = { width: 1440, height: 900 }
const MAX_BYTES = 300 * 1024

const log = (...a) => console.error('[shots]', ...a)
const tid = (id) => `[data-testid="${id}"]`
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function openrc(file) {
  if (!existsSync(file)) throw new Error(`no ${file}`)
  const env = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export (OS_\w+)=(.*)$/.exec(line)
    if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, '')
  }
  return env
}

/** The harness in its own process (bench/ui/harness-child.mjs) and a fresh Chromium on it. */
async function session(env) {
  const closers = []
  const dataDir = mkdtempSync(join(tmpdir(), 'gd-shots-data-'))
  closers.push(async () => rmSync(dataDir, { recursive: true, force: true }))
  const child = fork(join(root, 'bench/ui/harness-child.mjs'), [], {
    env: { PATH: process.env.PATH, BENCH_UI_ROOT: root, BENCH_UI_DATA: dataDir, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const info = await new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`harness exited (${code})`)))
    child.on('message', (m) => m.ready && ok(m))
  })
  closers.push(async () => {
    if (child.connected) child.send({ id: 1, cmd: 'close' })
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)])
    child.kill()
  })
  const { context, userDataDir } = await launchBrowser('gd-shots-browser-', {
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    locale: 'en-US',
  })
  closers.push(async () => {
    await context.close().catch(() => {})
    rmSync(userDataDir, { recursive: true, force: true })
  })
  await context.addInitScript(INIT_SCRIPT)
  const page = context.pages()[0] ?? (await context.newPage())
  const problems = []
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`))
  const dialog = async (path) => {
    const r = await fetch(`${info.origin}/__harness/dialog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-harness-token': info.token },
      body: JSON.stringify({ path }),
    })
    if (!r.ok) throw new Error(`harness dialog: HTTP ${r.status}`)
  }
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {})
  }
  return { url: info.url, page, problems, dialog, close }
}

/** Waits until the permissions are known (the Create button no longer says "Checking…"). */
async function waitForCaps(page) {
  await page.waitForFunction(
    () => {
      const b = document.querySelector('[data-testid="btn-create-image"]')
      return !!b && !/Checking|正在检查/.test(b.getAttribute('data-reason') ?? '')
    },
    undefined,
    { timeout: 120_000, polling: 200 },
  )
}

/** No spinner, no toast, nothing moving: what a person would wait for before taking the picture. */
async function quiet(page) {
  await page.mouse.move(VIEWPORT.width - 4, VIEWPORT.height - 4)
  await page.waitForFunction(
    () => [...document.querySelectorAll('.el-loading-mask, [aria-busy="true"], .el-message, .el-notification')].every((el) => el.getClientRects().length === 0),
    undefined,
    { timeout: 30_000, polling: 100 },
  )
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 400)))))
}

/** Fails on what must never be in a README picture: an error notification or message, a page error. */
async function noErrors(s, what) {
  const errs = await s.page.evaluate(() =>
    [...document.querySelectorAll('.gd-notify-error, .el-message--error, .el-notification, [data-testid="caps-error"], [data-testid="images-error"]')]
      .filter((el) => el.getClientRects().length)
      .map((el) => el.textContent.trim()),
  )
  if (errs.length) throw new Error(`${what}: errors on screen: ${errs.join(' | ')}`)
  if (s.problems.length) throw new Error(`${what}: page errors: ${s.problems.join(' | ')}`)
}

async function shot(s, file, { wait = true } = {}) {
  if (wait) await quiet(s.page)
  await noErrors(s, file)
  mkdirSync(OUT, { recursive: true })
  const path = join(OUT, file)
  await s.page.screenshot({ path, animations: 'disabled', caret: 'hide' })
  const size = statSync(path).size
  log(`${relative(root, path)}: ${Math.round(size / 1024)} KB`)
  if (size > MAX_BYTES) log(`  WARNING: over ${MAX_BYTES / 1024} KB`)
  return path
}

/** The list of the 10,000-image project, fully loaded (English), then the same in Simplified Chinese. */
async function listShots(which) {
  const admin = openrc(join(BENCH_STATE, 'admin-openrc.sh'))
  const env = await ensureBenchUser(admin, log)
  const s = await session(env)
  try {
    const { page } = s
    const t0 = Date.now()
    await page.goto(`${s.url}#/images`)
    await page.evaluate(waitLoaded, { n: N, timeoutMs: LIST_TIMEOUT_MS })
    await waitForCaps(page)
    const status = await page.locator(tid('images-status')).textContent()
    log(`list complete in ${Math.round((Date.now() - t0) / 1000)} s: ${status.replace(/\s+/g, ' ').trim()}`)
    if (!status.includes(`${N} of ${N}`) || /loading more/.test(status)) throw new Error(`the list is not complete: ${status}`)
    if (which.has('list')) await shot(s, 'list-10000.png')
    if (which.has('zh')) {
      await page.locator(tid('lang-switch')).click()
      await page.locator(`${tid('lang-zh-CN')}:visible`).click()
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
      // One image's details beside the list: more of the UI's words in Chinese than the toolbar and headers alone.
      const row = page.locator(tid('image-row')).nth(2)
      await row.locator(tid('image-name')).click()
      const drawer = page.locator(tid('detail-drawer'))
      await drawer.locator(tid('detail-id')).waitFor()
      await settle(drawer)
      const zhStatus = await page.locator(tid('images-count')).textContent()
      log(`zh-CN: ${zhStatus.trim()}`)
      await shot(s, 'list-zh-CN.png')
    }
  } finally {
    await s.close()
  }
}

/** Waits until an element stops moving (a drawer's or dialog's transition). */
async function settle(loc) {
  let last = ''
  for (let t0 = Date.now(); Date.now() - t0 < 5000; ) {
    const b = await loc.boundingBox().catch(() => null)
    const now = b ? `${Math.round(b.x)},${Math.round(b.y)},${Math.round(b.width)},${Math.round(b.height)}` : ''
    if (now && now === last) return
    last = now
    await sleep(150)
  }
}

/** Keystone token and the Glance endpoint of the openrc's region (admin openrc: the dev cloud has two regions). */
async function glance(env) {
  const body = {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: env.OS_USERNAME, domain: { name: env.OS_USER_DOMAIN_NAME ?? 'Default' }, password: env.OS_PASSWORD } },
      },
      scope: { project: { name: env.OS_PROJECT_NAME, domain: { name: env.OS_PROJECT_DOMAIN_NAME ?? 'Default' } } },
    },
  }
  const res = await fetch(`${env.OS_AUTH_URL.replace(/\/$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (res.status !== 201) throw new Error(`Keystone: HTTP ${res.status}`)
  const j = await res.json()
  const region = env.OS_REGION_NAME ?? 'RegionOne'
  const ep = j.token.catalog
    .find((s) => s.type === 'image')
    ?.endpoints.find((e) => e.interface === (env.OS_INTERFACE ?? 'public') && (e.region_id ?? e.region) === region)
  if (!ep) throw new Error(`no image endpoint in ${region}`)
  const token = res.headers.get('x-subject-token')
  const api = async (method, path) => {
    const r = await fetch(`${ep.url.replace(/\/$/, '')}${path}`, { method, headers: { 'x-auth-token': token, accept: 'application/json' } })
    if (r.status >= 400 && r.status !== 404) throw new Error(`Glance ${method} ${path}: HTTP ${r.status}`)
    return r.status === 200 ? r.json() : null
  }
  return { api, byName: async (name) => (await api('GET', `/v2/images?name=${encodeURIComponent(name)}&limit=100`)).images }
}

/** Choose a file -> its inspection -> the transfer in progress -> the new image active. The image is deleted afterwards. */
async function uploadShots(mib) {
  const env = openrc(UPLOAD_OPENRC)
  const g = await glance(env)
  const before = new Set((await g.byName(UPLOAD_NAME)).map((im) => im.id))
  if (before.size) throw new Error(`images named ${UPLOAD_NAME} exist already (${[...before].join(', ')}): delete them or set SHOTS_UPLOAD_NAME`)
  const dir = mkdtempSync(join(tmpdir(), 'gd-shots-files-'))
  const file = join(dir, `${UPLOAD_NAME}.qcow2`)
  // A real qcow2: 8 GiB virtual, `mib` MiB of written clusters (so the transfer lasts long enough to be seen).
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '8G'])
  execFileSync('qemu-io', ['-f', 'qcow2', '-c', `write -q -P 0x5a 0 ${mib}M`, file])
  log(`${file}: ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`)
  const s = await session(env)
  try {
    const { page } = s
    await page.goto(`${s.url}#/images`)
    // the list complete (an empty project too: no row needed)
    await page.waitForFunction(() => performance.getEntriesByName('gd:list:complete').length > 0, undefined, { timeout: LIST_TIMEOUT_MS, polling: 200 })
    await waitForCaps(page)

    // 1. the create dialog, about to choose the file
    await page.locator(tid('btn-create-image')).click()
    const dialog = page.locator(tid('create-dialog'))
    await dialog.waitFor()
    await settle(dialog)
    await quiet(page)
    await dialog.locator(tid('create-source-file')).hover()
    await shot(s, 'upload-1-choose-file.png', { wait: false })

    // 2. the file chosen (the harness answers the file dialog) and inspected; the form filled in
    await s.dialog(file)
    await dialog.locator(tid('create-source-file')).click()
    await dialog.locator(tid('create-inspection')).waitFor({ timeout: 60_000 })
    await dialog.locator(tid('create-name')).fill(UPLOAD_NAME)
    await dialog.locator(tid('create-os-type')).click()
    await page.locator(`${tid('create-os-debian')}:visible`).click()
    await page.waitForFunction(() => ![...document.querySelectorAll('.el-select__popper')].some((el) => el.getClientRects().length), undefined, {
      timeout: 5000,
    })
    await dialog.locator(tid('create-arch-x86')).click()
    await dialog.locator(tid('create-virt-qemu')).click()
    // the top of the form (the file, its inspection, the format it detected), not the field filled in last
    await dialog.locator(tid('create-name')).evaluate((el) => el.closest('.el-overlay-dialog, .el-overlay')?.scrollTo(0, 0))
    log(`inspection: ${(await dialog.locator(tid('create-inspection')).textContent()).trim()}`)
    await shot(s, 'upload-2-inspection.png')

    // 3. created: the transfer's progress in the Transfers drawer
    const tSubmit = Date.now()
    await dialog.locator(tid('create-submit')).click()
    if (await dialog.locator(tid('create-warnings')).isVisible()) await dialog.locator(tid('create-submit')).click()
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 })
    await page.locator(tid('btn-transfers')).click()
    const panel = page.locator(tid('transfers-panel'))
    await panel.waitFor()
    await settle(panel)
    await page.mouse.move(VIEWPORT.width / 3, VIEWPORT.height - 40)
    const caught = await page.evaluate(async (name) => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => r()))
      for (const t0 = performance.now(); performance.now() - t0 < 300_000; await frame()) {
        const row = [...document.querySelectorAll('[data-testid="job-row"]')].find((r) => r.getAttribute('data-name') === name)
        if (!row) continue
        const state = row.getAttribute('data-state')
        const pct = Number(row.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? 0)
        const phase = row.querySelector('[data-testid="job-phase"]')?.textContent ?? ''
        if (state === 'running' && /Uploading/.test(phase) && pct >= 5 && pct <= 90) return { state, pct, phase }
        if (state !== 'running' && state !== 'queued') return { state, pct, phase }
      }
      return null
    }, UPLOAD_NAME)
    log(`transfer caught at: ${JSON.stringify(caught)}`)
    if (caught?.state === 'done') {
      log('  not caught in progress: the upload was faster than the drawer')
      return false
    }
    if (caught?.state !== 'running') throw new Error(`the upload: ${JSON.stringify(caught)}`)
    await shot(s, 'upload-3-transfer.png', { wait: false })
    await page.waitForFunction(
      (name) =>
        [...document.querySelectorAll('[data-testid="job-row"]')].some(
          (r) => r.getAttribute('data-name') === name && /done|failed|cancelled/.test(r.getAttribute('data-state')),
        ),
      UPLOAD_NAME,
      { timeout: 600_000, polling: 250 },
    )
    const state = await panel.locator(`${tid('job-row')}[data-name="${UPLOAD_NAME}"]`).getAttribute('data-state')
    log(`transfer ${state} ${Math.round((Date.now() - tSubmit) / 1000)} s after Create`)
    if (state !== 'done')
      throw new Error(
        `the upload ended ${state}: ${await panel
          .locator(tid('job-error'))
          .textContent()
          .catch(() => '')}`,
      )

    // 4. the new image, active, in the list
    await panel.locator('.el-drawer__close-btn').click()
    await panel.waitFor({ state: 'hidden' })
    const row = page.locator(`${tid('image-row')}[data-name="${UPLOAD_NAME}"][data-status="active"]`)
    await row.waitFor({ timeout: 120_000 })
    await row.locator(tid('row-select')).click()
    await shot(s, 'upload-4-active.png')
    return true
  } finally {
    await s.close()
    for (const im of await g.byName(UPLOAD_NAME)) {
      if (before.has(im.id)) continue
      await g.api('DELETE', `/v2/images/${im.id}`)
      log(`deleted the uploaded image ${im.id}`)
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

const which = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['list', 'zh', 'upload'])
for (const w of which) if (!['list', 'zh', 'upload'].includes(w)) throw new Error(`unknown shot ${w} (list, zh, upload)`)
if (!existsSync(join(root, 'out/web/harness.js')) || !existsSync(join(root, 'out/renderer/index.html'))) throw new Error('no build: run `npm run build` first')
if (which.has('list') || which.has('zh')) await listShots(which)
if (which.has('upload')) {
  // The transfer's speed depends on the machine's load: when it ends before the drawer shows it, again with a bigger file.
  for (let mib = UPLOAD_MIB, attempt = 1; !(await uploadShots(mib)); mib *= 2, attempt++) {
    if (attempt === 3) throw new Error('the transfer was never caught in progress')
    log(`again with ${mib * 2} MiB`)
  }
}
