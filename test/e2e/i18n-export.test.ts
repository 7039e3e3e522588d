/**
 * Issue 14.7 end to end: in the Chinese UI, the export (written by the main process) has the UI's Chinese headers and
 * Chinese cell values (status, visibility, yes/no); the main process learned the locale from the renderer.
 * Real renderer through the browser harness, real loopback Glance.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser } from '../support/cloud'
import { openImagesApp, type LaunchedBrowser, type TestHarness } from './support'
import { bytes, Glance, unique, type RawImage } from './support/openstack'
import { search, shotOnFailure, tid } from './support/ui'

describeBrowser('e2e: the export in the UI language', (admin) => {
  const prefix = unique('i18nexp')
  const g = new Glance(admin, 'RegionOne')
  const made: RawImage[] = []
  let dir: string
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glance-e2e-i18nexp-'))
    made.push(await g.createActive({ name: `${prefix}-a`, visibility: 'private', protected: true }, bytes(4096, 31)))
    ;({ h, browser, page } = await openImagesApp(admin, { browser: { locale: 'zh-CN' } }))
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
    for (const im of made) await g.destroy(im.id)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('a CSV exported from the Chinese UI has Chinese headers and values', async () => {
    shotOnFailure(() => page, 'i18n-export')
    await search(page, prefix)
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(1)
    const csv = join(dir, 'images.csv')
    await page.locator(tid('btn-export')).click()
    const dialog = page.locator(tid('export-dialog'))
    await dialog.waitFor()
    await dialog.locator(tid('export-format-csv')).click()
    await dialog.locator(tid('export-scope-shown')).click()
    await h.setDialogAnswer(csv)
    await dialog.locator(tid('export-submit')).click()
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 })
    const lines = readFileSync(csv, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
    expect(lines[0]).toContain('名称')
    expect(lines[0]).toContain('状态')
    expect(lines[0]).toContain('可见性')
    const row = lines.find((l) => l.includes(`${prefix}-a`)) ?? ''
    expect(row).toContain('可用')
    expect(row).toContain('私有')
    expect(row).not.toMatch(/\bactive\b|\bprivate\b/)
  })
})
