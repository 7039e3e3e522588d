/**
 * C3 (issue 14 "List"): a two-key sort made in the table (click one header, Shift+click another) and a
 * changes-since date typed in the filter bar reach the real Glance: the rows come back in that order and only the
 * images changed since then are listed. A saved filter brings both back after it was cleared.
 * Real renderer through the browser harness, real loopback Glance.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser } from '../support/cloud'
import { openImagesApp, type LaunchedBrowser, type TestHarness } from './support'
import { Glance, unique, type RawImage } from './support/openstack'
import { search, shotOnFailure, tid } from './support/ui'

describeBrowser('e2e: two-key sort and changes-since against the real Glance', (admin) => {
  const prefix = unique('lsort')
  const g = new Glance(admin, 'RegionOne')
  const fx: RawImage[] = []
  let since = 0
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  beforeAll(async () => {
    // disk formats: raw, qcow2, qcow2, raw -> by disk_format asc then name desc: 2, 1, 3, 0
    for (const [i, df] of ['raw', 'qcow2', 'qcow2', 'raw'].entries())
      fx.push(await g.create({ name: `${prefix}-${i}`, disk_format: df, container_format: 'bare', visibility: 'private' }))
    await new Promise((r) => setTimeout(r, 2500))
    since = Date.now() - 500 // Glance's updated_at has whole seconds
    await new Promise((r) => setTimeout(r, 1500))
    // touch 0, 1 and 2: image 3 stays older than `since`
    for (const im of fx.slice(0, 3)) await g.patch(im.id, [{ op: 'add', path: '/gd_touched', value: 'yes' }])
    ;({ h, browser, page } = await openImagesApp(admin))
  })

  afterAll(async () => {
    await browser?.close()
    await h?.close()
    for (const im of await g.byPrefix(prefix).catch(() => [] as RawImage[])) await g.destroy(im.id)
  })

  const rowNames = (): Promise<string[]> => page.locator(tid('image-row')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name') ?? ''))

  it('sorts by disk format then name (desc), lists only the images changed since, and a saved filter restores both', async () => {
    shotOnFailure(() => page, 'list-sort')
    await search(page, prefix)
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(4)

    // plain click: disk format alone; Shift+click on Name twice: name as the second key, then descending
    const header = (key: string) => page.locator(`.el-table-v2__header-cell[data-key="${key}"]`)
    await header('diskFormat').click()
    await expect.poll(() => page.locator(tid('image-table')).getAttribute('data-sort')).toMatch(/^disk_format:(asc|desc)$/)
    if ((await page.locator(tid('image-table')).getAttribute('data-sort')) !== 'disk_format:asc') await header('diskFormat').click()
    await header('name').click({ modifiers: ['Shift'] })
    await expect.poll(() => page.locator(tid('image-table')).getAttribute('data-sort')).toMatch(/^disk_format:asc,name:(asc|desc)$/)
    if (!(await page.locator(tid('image-table')).getAttribute('data-sort'))!.endsWith('name:desc')) await header('name').click({ modifiers: ['Shift'] })
    await expect.poll(() => page.locator(tid('image-table')).getAttribute('data-sort')).toBe('disk_format:asc,name:desc')
    await expect.poll(rowNames, { timeout: 30_000 }).toEqual([2, 1, 3, 0].map((i) => `${prefix}-${i}`))

    // changes-since, typed in the filter bar's date picker (local time, its display format)
    await page.locator(tid('btn-filters')).click()
    const local = await page.evaluate((ms) => {
      const d = new Date(ms)
      const p = (n: number) => String(n).padStart(2, '0')
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
    }, since)
    const picker = page.locator(`${tid('filter-changes-since')} input`).first()
    await picker.click()
    await picker.fill(local)
    await picker.press('Enter')
    await page.keyboard.press('Escape')
    await page.locator(tid('filter-apply')).click()
    await expect.poll(rowNames, { timeout: 30_000 }).toEqual([2, 1, 0].map((i) => `${prefix}-${i}`))

    // saved per profile: save, clear, restore
    await page.locator(tid('saved-filter-name')).fill(`${prefix} recent`)
    await page.locator(tid('saved-filter-save')).click()
    await page.locator(tid('filter-clear')).click()
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(4)
    await header('name').click() // sort by name alone
    await expect.poll(() => page.locator(tid('image-table')).getAttribute('data-sort')).toMatch(/^name:/)
    await page.locator(tid('saved-filter-select')).click()
    await page
      .locator('.el-select-dropdown__item', { hasText: `${prefix} recent` })
      .first()
      .click()
    await expect.poll(() => page.locator(tid('image-table')).getAttribute('data-sort')).toBe('disk_format:asc,name:desc')
    await expect.poll(rowNames, { timeout: 30_000 }).toEqual([2, 1, 0].map((i) => `${prefix}-${i}`))
  })
})
