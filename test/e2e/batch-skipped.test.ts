/**
 * Issue 14.6: a batch delete names the images it skips, and why. Two images selected, one protected: the
 * confirmation names the protected one with the reason, the other is deleted, the protected one stays.
 * Real renderer through the browser harness, real loopback Glance.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser } from '../support/cloud'
import { openImagesApp, type LaunchedBrowser, type TestHarness } from './support'
import { bytes, Glance, unique, type RawImage } from './support/openstack'
import { confirmBox, imageRow, search, shotOnFailure, tid, toast } from './support/ui'

describeBrowser('e2e: a batch delete names what it skips', (admin) => {
  const prefix = unique('skip')
  const g = new Glance(admin, 'RegionOne')
  const fx: RawImage[] = []
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  beforeAll(async () => {
    fx.push(await g.createActive({ name: `${prefix}-plain`, visibility: 'private' }, bytes(1024, 21)))
    fx.push(await g.createActive({ name: `${prefix}-guarded`, visibility: 'private', protected: true }, bytes(1024, 22)))
    ;({ h, browser, page } = await openImagesApp(admin))
  })

  afterAll(async () => {
    await browser?.close()
    await h?.close()
    for (const im of await g.byPrefix(prefix).catch(() => [] as RawImage[])) await g.destroy(im.id)
  })

  it('the confirmation and the result name the protected image and the reason; it stays', async () => {
    shotOnFailure(() => page, 'batch-skipped')
    await search(page, prefix)
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(2)
    for (const im of fx) await imageRow(page, im.name!).locator(tid('row-select')).click()
    await expect.poll(async () => (await page.locator(tid('images-selected')).textContent()) ?? '').toMatch(/2/)
    await page.locator(tid('btn-delete')).click()
    const text = await confirmBox(page, 'confirm-dialog')
    expect(text).toContain(`${prefix}-plain`)
    expect(text).toMatch(new RegExp(`Skipped “${prefix}-guarded”: The image is protected`))
    await toast(page, new RegExp(`Skipped “${prefix}-guarded”`))
    await expect.poll(() => g.get(fx[0]!.id), { timeout: 30_000 }).toBeNull()
    expect((await g.get(fx[1]!.id))?.protected).toBe(true)
  })
})
