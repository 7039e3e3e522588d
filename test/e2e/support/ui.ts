/**
 * Page helpers for the Glance Desktop renderer (data-testid based, see renderer/TESTIDS.md): Element Plus selects,
 * the virtualized image table, dialogs, toasts. Every helper waits for what the user would see and fails otherwise.
 */
import type { Locator, Page } from 'playwright-core'
import { onTestFailed } from 'vitest'
import { screenshot } from './screenshot'

export const tid = (id: string): string => `[data-testid="${id}"]`

/** Opens an el-select (by its root test id) and clicks an option (by the option's test id, or its visible text). */
export async function pickOption(page: Page, select: string | Locator, option: { testid?: string; text?: string }): Promise<void> {
  // Let a dropdown that is still closing (another select's) finish first, so the option clicked belongs to this one.
  await dropdownsClosed(page)
  await (typeof select === 'string' ? page.locator(tid(select)) : select).click()
  const opt = option.testid ? page.locator(`${tid(option.testid)}:visible`) : page.locator('.el-select-dropdown__item:visible', { hasText: option.text ?? '' })
  await opt.first().click()
}

/** Waits (up to 5 s) until no select dropdown is on screen. */
export async function dropdownsClosed(page: Page): Promise<void> {
  const open = page.locator('.el-select__popper:visible')
  for (let t0 = Date.now(); (await open.count()) > 0 && Date.now() - t0 < 5000; ) await page.waitForTimeout(50)
}

/** Types values into a filterable / allow-create el-select (multiple or not) and picks the offered option for each. */
export async function typeOptions(page: Page, select: string | Locator, values: string[]): Promise<void> {
  const root = typeof select === 'string' ? page.locator(tid(select)) : select
  const input = root.locator('input').first()
  for (const v of values) {
    await root.click()
    await input.fill(v)
    await page
      .locator('.el-select-dropdown__item:visible')
      .filter({ hasText: new RegExp(`^\\s*${v}\\s*$`) })
      .first()
      .click()
  }
  await page.keyboard.press('Escape')
  await page.waitForTimeout(200)
  for (const v of values) if (!((await root.textContent()) ?? '').includes(v)) throw new Error(`select ${String(select)}: ${v} not selected`)
}

/** The row of the virtualized image table for the image with this exact name. */
export function imageRow(page: Page, name: string): Locator {
  return page.locator(`${tid('image-row')}[data-name="${name}"]`)
}

/** Narrows the list with the substring search box (virtualized: only rows on screen exist in the DOM). */
export async function search(page: Page, q: string): Promise<void> {
  const input = page.locator(tid('search-input'))
  await input.fill(q)
}

/** Searches for an image by name and waits for its row; returns it. */
export async function findImage(page: Page, name: string, opts: { status?: string; timeout?: number } = {}): Promise<Locator> {
  await search(page, name)
  const row = opts.status ? page.locator(`${tid('image-row')}[data-name="${name}"][data-status="${opts.status}"]`) : imageRow(page, name)
  await row.first().waitFor({ timeout: opts.timeout ?? 45_000 })
  return row.first()
}

/** Refreshes the list (the toolbar button) and waits until it stops loading. */
export async function refresh(page: Page): Promise<void> {
  await page.locator(tid('btn-refresh')).click()
  await page.waitForFunction(() => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { className: string } | null } }).document
    const b = doc.querySelector('[data-testid="btn-refresh"]')
    return !!b && !b.className.includes('is-loading')
  })
}

/** Searches for the image and ticks its row checkbox (only that one selected). */
export async function selectOnly(page: Page, name: string, opts: { status?: string } = {}): Promise<void> {
  const row = await findImage(page, name, opts)
  const header = page.locator(`${tid('select-all')}`)
  // clear any previous selection
  if ((await page.locator(tid('images-selected')).count()) > 0) {
    await header.click()
    if ((await page.locator(tid('images-selected')).count()) > 0) await header.click()
  }
  await row.locator(tid('row-select')).click()
  await page.locator(tid('images-selected')).waitFor()
}

/** Opens the detail drawer of an image (click on its name). */
export async function openDetail(page: Page, name: string, opts: { status?: string } = {}): Promise<Locator> {
  const row = await findImage(page, name, opts)
  await row.locator(tid('image-name')).click()
  const drawer = page.locator(`${tid('detail-drawer')}`)
  await drawer.locator(tid('detail-id')).waitFor()
  return drawer
}

export async function closeDrawer(page: Page): Promise<void> {
  const drawer = page.locator(tid('detail-drawer'))
  if (await drawer.isVisible()) {
    await drawer.locator('.el-drawer__close-btn').click()
    await drawer.waitFor({ state: 'hidden' })
  }
}

/** Waits for a success / info / warning toast containing `text` (ElMessage). */
export async function toast(page: Page, text: string | RegExp, timeout = 20_000): Promise<string> {
  const loc = page.locator('.el-message', { hasText: text }).first()
  await loc.waitFor({ timeout })
  return (await loc.textContent()) ?? ''
}

/** The text of the first error notification (ElNotification), or null within `timeout`. */
export async function errorNotification(page: Page, timeout = 10_000): Promise<string | null> {
  const loc = page.locator('.gd-notify-error').first()
  try {
    await loc.waitFor({ timeout })
    return await loc.textContent()
  } catch {
    return null
  }
}

/** Clicks the OK button of an Element Plus confirmation box with this class. */
export async function confirmBox(page: Page, cls = 'confirm-dialog'): Promise<string> {
  const box = page.locator(`.${cls}`)
  await box.waitFor()
  const text = (await box.textContent()) ?? ''
  await box.locator('.gd-confirm-ok').click()
  await box.waitFor({ state: 'hidden' })
  return text
}

/** Whether a permission-gated button is disabled, and its data-reason. */
export async function gate(page: Page | Locator, id: string): Promise<{ disabled: boolean; reason: string | null }> {
  const b = page.locator(tid(id)).first()
  await b.waitFor()
  return { disabled: await b.isDisabled(), reason: await b.getAttribute('data-reason') }
}

/** Opens the transfers panel (if closed) and waits for the job row of an image name to reach one of `states`. */
export async function waitForJob(page: Page, imageName: string, states: string[], timeout = 120_000): Promise<Locator> {
  const panel = page.locator(tid('transfers-panel'))
  if (!(await panel.isVisible())) {
    await toastsGone(page)
    await page.locator(tid('btn-transfers')).click()
  }
  await panel.waitFor()
  await settled(panel)
  const row = panel.locator(`${tid('job-row')}[data-name="${imageName}"]`).first()
  await row.waitFor({ timeout: 30_000 })
  await page.waitForFunction(
    ([name, wanted]) => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(a: string): string | null }> } }).document
      const rows = Array.from(doc.querySelectorAll('[data-testid="job-row"]')).filter((r) => r.getAttribute('data-name') === name)
      return rows.some((r) => (wanted as string[]).includes(r.getAttribute('data-state') ?? ''))
    },
    [imageName, states] as const,
    { timeout, polling: 250 },
  )
  return row
}

/**
 * Waits (at most 10 s) until no toast is shown, as a person waits before clicking what it covers. A toast is centred
 * over the header's navigation, and Element Plus keeps it open while the pointer is over it: a click aimed at a header
 * button under it would hold it open until the click times out. So the pointer is moved off first.
 */
export async function toastsGone(page: Page): Promise<void> {
  await page.mouse.move(1, 1)
  await page
    .waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('.el-message'), undefined, {
      timeout: 10_000,
    })
    .catch(() => {})
}

export async function closeTransfers(page: Page): Promise<void> {
  const panel = page.locator(tid('transfers-panel'))
  if (await panel.isVisible()) {
    await panel.locator('.el-drawer__close-btn').click()
    await panel.waitFor({ state: 'hidden' })
  }
}

/** Switches the UI language with the header's switch. */
export async function setLanguage(page: Page, locale: 'en' | 'zh-CN'): Promise<void> {
  await pickOption(page, 'lang-switch', { testid: `lang-${locale}` })
  await page.waitForFunction((l) => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang === l, locale)
}

/** Waits until the images view shows a list for the current profile (not loading, no error). */
export async function waitForImages(page: Page): Promise<void> {
  await page.locator(tid('image-table')).waitFor()
  await page.waitForFunction(
    () => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document
      return !!doc.querySelector('[data-testid="image-row"]') || !!doc.querySelector('[data-testid="empty-images"]')
    },
    undefined,
    { timeout: 60_000 },
  )
}

/** Sets an el-input-number (its test id on the root or on the native input), committing with Tab. */
export async function setNumber(scope: Page | Locator, id: string, value: number): Promise<void> {
  const input = scope.locator(`${tid(id)} input, input${tid(id)}`).first()
  await input.fill(String(value))
  await input.press('Tab')
}

/** Turns an el-switch on or off (clicks only when it has to). */
export async function setSwitch(scope: Page | Locator, id: string, on: boolean): Promise<void> {
  const sw = scope.locator(tid(id)).first()
  const isOn = ((await sw.getAttribute('class')) ?? '').includes('is-checked')
  if (isOn !== on) await sw.click()
  await expectClass(sw, 'is-checked', on)
}

async function expectClass(loc: Locator, cls: string, present: boolean): Promise<void> {
  const end = Date.now() + 5_000
  for (;;) {
    const has = ((await loc.getAttribute('class')) ?? '').split(/\s+/).includes(cls)
    if (has === present) return
    if (Date.now() > end) throw new Error(`class ${cls} ${present ? 'missing' : 'still present'}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Registers a screenshot of the page if the current test fails (test-results/screenshots/FAILED-<name>.png). */
export function shotOnFailure(getPage: () => Page | undefined, name: string): void {
  onTestFailed(async () => {
    const page = getPage()
    if (page && !page.isClosed()) await screenshot(page, `FAILED-${name}`, { idle: false }).catch(() => undefined)
  })
}

/** Waits until the permissions of the current profile and region are known (nothing says "Checking…"). */
export async function waitForCaps(page: Page, timeout = 90_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document
      const b = doc.querySelector('[data-testid="btn-create-image"]')
      if (!b) return false
      const why = b.getAttribute('data-reason') ?? ''
      return !/Checking|正在检查/.test(why)
    },
    undefined,
    { timeout, polling: 200 },
  )
}

/** Closes whatever dialog, drawer or message box a failed step left open (Escape), so the next test starts clean. */
export async function dismissOverlays(page: Page): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const open = await page.locator('.el-overlay:visible, .el-message-box:visible').count()
    if (!open) break
    await page.keyboard.press('Escape')
    await page.waitForTimeout(400)
  }
  await closeTransfers(page).catch(() => undefined)
}

/** Waits until an element stops moving (a drawer's slide-in transition), best effort. */
export async function settled(loc: Locator, timeout = 3_000): Promise<void> {
  const end = Date.now() + timeout
  let last = ''
  while (Date.now() < end) {
    const b = await loc.boundingBox().catch(() => null)
    const now = b ? `${Math.round(b.x)},${Math.round(b.y)},${Math.round(b.width)}` : ''
    if (now && now === last) return
    last = now
    await new Promise((r) => setTimeout(r, 120))
  }
}
