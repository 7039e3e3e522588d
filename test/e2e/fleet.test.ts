/**
 * The fleet view and the copy dialog in Chromium (issue 15.1/15.2/15.6, issue 14.5), through the browser harness
 * against the real two-region loopback cloud. The harness's profile is built from OS_* variables (OS_REGION_NAME=
 * RegionOne, no region list): the switcher offers RegionTwo from the catalog; the fleet table shows an image made in
 * RegionOne only as present there and missing in RegionTwo; the copy dialog copies it (D1's copy job) and the table
 * then shows it present in both. What RegionTwo holds afterwards is checked through Glance's own API.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { describeBrowser } from '../support/cloud'
import { openImagesApp, screenshot, type LaunchedBrowser, type TestHarness } from './support'
import { bytes, Glance, unique, type RawImage } from './support/openstack'
import { dismissOverlays, shotOnFailure, tid } from './support/ui'

describeBrowser('e2e: fleet view and copy dialog', (admin) => {
  const name = unique('fleet')
  const one = new Glance(admin, 'RegionOne')
  const two = new Glance(admin, 'RegionTwo')
  let fx: RawImage
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  const cell = (region: string) => page.locator(`${tid('fleet-cell')}[data-name="${name}"][data-region="${region}"]`)

  beforeAll(async () => {
    fx = await one.createActive({ name, visibility: 'private', tags: ['fleet-e2e'], os_distro: 'ubuntu', os_type: 'linux', min_disk: 1 }, bytes(8192, 9))
    ;({ h, browser, page } = await openImagesApp(admin))
  })
  beforeEach(async () => {
    if (page) await dismissOverlays(page)
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
    for (const im of await two.byName(name).catch(() => [] as RawImage[])) await two.destroy(im.id)
    if (fx) await one.destroy(fx.id)
  })

  it('an OS_* profile offers RegionTwo from the catalog in the region switcher', async () => {
    shotOnFailure(() => page, 'fleet-switcher')
    const sw = page.locator(tid('region-switcher'))
    await expect.poll(async () => (await sw.getAttribute('class')) ?? '', { timeout: 30_000 }).not.toMatch(/is-disabled/)
    await sw.click()
    const opt = page.locator(`${tid('region-option-RegionTwo')}:visible`)
    await opt.waitFor({ timeout: 10_000 })
    await opt.click()
    await expect.poll(async () => (await sw.textContent()) ?? '', { timeout: 10_000 }).toContain('RegionTwo')
    // the list switched region: the fixture (RegionOne only) is not in it
    await page.locator(tid('image-table')).waitFor()
    await expect.poll(() => page.locator(`${tid('image-row')}[data-name="${name}"]`).count(), { timeout: 30_000 }).toBe(0)
  })

  it('the fleet table shows the image present in RegionOne and missing in RegionTwo; the copy dialog copies it', async () => {
    shotOnFailure(() => page, 'fleet-copy')
    await page.locator(tid('btn-fleet')).click()
    await page.locator(tid('fleet-view')).waitFor()
    await page.locator(tid('fleet-filter-name')).fill(name)
    await expect.poll(() => cell('RegionOne').getAttribute('data-state'), { timeout: 60_000 }).toBe('present')
    await expect.poll(() => cell('RegionTwo').getAttribute('data-state'), { timeout: 60_000 }).toBe('missing')
    await screenshot(page, 'fleet-en')

    // "missing somewhere" keeps it; select it and copy it to RegionTwo
    await page.locator(tid('fleet-filter-missing')).click()
    const row = page.locator(`${tid('fleet-row')}[data-name="${name}"]`)
    await row.waitFor()
    await row.locator(tid('fleet-row-select')).click()
    await page.locator(tid('fleet-copy')).click()
    const dialog = page.locator(tid('copy-dialog'))
    await dialog.waitFor()
    await dialog.locator(`[data-testid^="copy-target-"][data-testid$="-RegionTwo"]`).first().click()
    await dialog.locator(tid('copy-plan-btn')).click()
    await expect.poll(() => dialog.locator(tid('copy-plan-item')).first().getAttribute('data-action'), { timeout: 30_000 }).toBe('copy')
    await screenshot(page, 'fleet-copy-plan-en')
    await dialog.locator(tid('copy-start')).click()
    await expect.poll(() => dialog.locator(tid('copy-job')).first().getAttribute('data-state'), { timeout: 180_000 }).toBe('done')
    await expect.poll(async () => (await dialog.locator(tid('copy-summary')).textContent()) ?? '').toMatch(/1 done · 0 skipped · 0 failed/)
    await screenshot(page, 'fleet-copy-done-en')
    await dialog.locator(tid('copy-close')).click()

    // the table was listed again: present in both
    await page.locator(tid('fleet-filter-missing')).click()
    await expect.poll(() => cell('RegionTwo').getAttribute('data-state'), { timeout: 60_000 }).toMatch(/^(present|drift|other)$/)
    const state = await cell('RegionTwo').getAttribute('data-state')
    let diff = ''
    if (state !== 'present') {
      // say what differs (the diff view) rather than only that it does
      await cell('RegionTwo').click()
      diff = (await page.locator(tid('fleet-diff')).textContent()) ?? ''
    }
    expect(state, diff).toBe('present')
    expect(await cell('RegionOne').getAttribute('data-state')).toBe('present')

    // RegionTwo really holds it: same content, same metadata
    const copies = await two.byName(name)
    expect(copies).toHaveLength(1)
    expect(copies[0]!.os_hash_value).toBe(fx.os_hash_value)
    expect(copies[0]!.tags).toEqual(['fleet-e2e'])
    expect(copies[0]!.min_disk).toBe(1)
  })
})
