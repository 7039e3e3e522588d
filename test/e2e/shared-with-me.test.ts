/**
 * The consumer side of sharing, end to end as the demo member (issue 14.4): the admin shares an image with the demo
 * project; demo sees it under "Shared with me" › Pending, accepts it from the UI (Glance records `accepted` and it
 * shows in demo's list), then rejects it (Glance records `rejected`).
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser, memberCloud } from '../support/cloud'
import { openImagesApp, screenshot, type LaunchedBrowser, type TestHarness } from './support'
import { Glance, projectId, unique, type RawImage } from './support/openstack'
import { findImage, shotOnFailure, tid } from './support/ui'

describeBrowser('e2e: images shared with my project (demo accepts and rejects)', (admin) => {
  const member = memberCloud()!
  const name = `${unique('c14in')}-offered`
  const ga = new Glance(admin, 'RegionOne')
  const gm = new Glance(member, 'RegionOne')
  let image: RawImage
  let demo: string
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  beforeAll(async () => {
    demo = await projectId(admin, 'demo')
    image = await ga.createActive({ name, visibility: 'shared', disk_format: 'raw', container_format: 'bare' }, new Uint8Array(2048))
    const r = await ga.request('POST', `/v2/images/${image.id}/members`, { member: demo })
    expect(r.status).toBe(200)
    ;({ h, browser, page } = await openImagesApp(member))
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await h?.close()
    if (image) await ga.destroy(image.id)
  })

  const status = async () => (await ga.members(image.id)).find((m) => m.member_id === demo)?.status

  it('pending -> Accept -> accepted (and in the list) -> Reject -> rejected', { timeout: 240_000 }, async () => {
    shotOnFailure(() => page, 'c14-shared-with-me')
    await page.locator(tid('btn-shared-with-me')).click()
    const drawer = page.locator(tid('shared-drawer'))
    await drawer.waitFor()
    await drawer.locator(tid(`shared-row-${image.id}`)).waitFor({ timeout: 60_000 })
    await screenshot(page, 'c14-shared-with-me-en')
    await drawer.locator(tid(`shared-accept-${image.id}`)).click()
    await expect.poll(status, { timeout: 60_000 }).toBe('accepted')
    await drawer.locator(tid('shared-answer-accepted')).click()
    await drawer.locator(tid(`shared-row-${image.id}`)).waitFor({ timeout: 60_000 })
    await drawer.locator(tid(`shared-reject-${image.id}`)).click()
    await expect.poll(status, { timeout: 60_000 }).toBe('rejected')
    expect((await gm.request('GET', `/v2/images?visibility=shared&member_status=rejected`)).text).toContain(image.id)
    await drawer.locator('.el-drawer__close-btn').click()
    await drawer.waitFor({ state: 'hidden' })
    // accepted again from the Rejected tab, it shows in demo's own list
    await page.locator(tid('btn-shared-with-me')).click()
    await drawer.locator(tid('shared-answer-rejected')).click()
    await drawer.locator(tid(`shared-accept-${image.id}`)).click()
    await expect.poll(status, { timeout: 60_000 }).toBe('accepted')
    await drawer.locator('.el-drawer__close-btn').click()
    await findImage(page, name, { timeout: 60_000 })
  })
})
