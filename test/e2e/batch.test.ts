/**
 * Batch actions on a selection, end to end (issue 6 section 4: batch select for delete, tag and download): three
 * images selected in the table are tagged together, downloaded together (one save dialog each, bytes checked) and
 * deleted together (one confirmation). Real renderer through the browser harness, real loopback Glance.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser } from '../support/cloud'
import { openImagesApp, screenshot, type LaunchedBrowser, type TestHarness } from './support'
import { bytes, Glance, unique, type RawImage } from './support/openstack'
import { confirmBox, imageRow, search, shotOnFailure, tid, toast, typeOptions } from './support/ui'

describeBrowser('e2e: batch actions on a selection', (admin) => {
  const prefix = unique('batch')
  const g = new Glance(admin, 'RegionOne')
  const data = [bytes(2048, 11), bytes(3072, 12), bytes(1024, 13)]
  const fx: RawImage[] = []
  let dir: string
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glance-e2e-batch-'))
    for (const [i, d] of data.entries()) fx.push(await g.createActive({ name: `${prefix}-${i}`, visibility: 'private' }, d))
    ;({ h, browser, page } = await openImagesApp(admin))
  })

  afterAll(async () => {
    await browser?.close()
    await h?.close()
    for (const im of await g.byPrefix(prefix).catch(() => [] as RawImage[])) await g.destroy(im.id)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  async function selectAllThree(): Promise<void> {
    await search(page, prefix)
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(3)
    for (const im of fx) await imageRow(page, im.name!).locator(tid('row-select')).click()
    await expect.poll(async () => (await page.locator(tid('images-selected')).textContent()) ?? '').toMatch(/3/)
  }

  it('tags, downloads and deletes three selected images at once', async () => {
    shotOnFailure(() => page, 'batch')
    await selectAllThree()

    // tag all three in one dialog
    await page.locator(tid('btn-tags')).click()
    const dialog = page.locator(tid('tags-dialog'))
    await dialog.waitFor()
    await typeOptions(page, dialog.locator(tid('tags-input')), [`${prefix}-all`])
    await screenshot(page, 'batch-tags-en')
    await dialog.locator(tid('tags-submit')).click()
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 })
    for (const im of fx) await expect.poll(async () => (await g.get(im.id))?.tags).toContain(`${prefix}-all`)

    // download all three: one save dialog each (in the order the UI asks), every image's bytes land in one file
    const targets = fx.map((_, i) => join(dir, `out-${i}.raw`))
    for (const t of targets) await h.setDialogAnswer(t)
    await page.locator(tid('btn-download')).click()
    const which = (t: string): number => {
      try {
        const got = readFileSync(t)
        return data.findIndex((d) => got.equals(d))
      } catch {
        return -1
      }
    }
    await expect.poll(() => targets.map(which).sort().join(','), { timeout: 90_000 }).toBe('0,1,2')
    const asked = (await h.state()).dialogsAsked.filter((d) => d.kind === 'save')
    expect(asked).toHaveLength(3)

    // delete all three after one confirmation that names them
    await page.keyboard.press('Escape')
    const selected = (await page.locator(tid('images-selected')).count()) > 0
    if (!selected) await selectAllThree()
    await page.locator(tid('btn-delete')).click()
    const text = await confirmBox(page, 'confirm-dialog')
    for (const im of fx) expect(text).toContain(im.name!)
    await toast(page, /deleted/i)
    for (const im of fx) await expect.poll(() => g.get(im.id), { timeout: 30_000 }).toBeNull()
    await search(page, prefix)
    await page.locator(tid('empty-images')).waitFor({ timeout: 30_000 })
  })
})
