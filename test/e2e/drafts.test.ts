/**
 * Offline drafts, end to end: an upload prepared in the create form and saved as a draft, exported as a YAML manifest,
 * removed, imported back from the manifest, then run: the job reaches done and Glance holds the image with the draft's
 * metadata and the file's bytes. Real renderer (browser harness), real main-process queue, real loopback Glance.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { parse } from 'yaml'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser } from '../support/cloud'
import { submitCreate, createFromFile, openImagesApp, screenshot, type LaunchedBrowser, type TestHarness } from './support'
import { Glance, unique, type RawImage } from './support/openstack'
import { shotOnFailure, tid } from './support/ui'

describeBrowser('e2e: offline drafts (save, export, import, run)', (admin) => {
  const name = `${unique('draft')}-img`
  const g = new Glance(admin, 'RegionOne')
  let dir: string
  let disk: string
  let manifest: string
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glance-e2e-drafts-'))
    disk = join(dir, 'draft.qcow2')
    manifest = join(dir, 'drafts.yaml')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', disk, '32M'], { stdio: 'ignore' })
    ;({ h, browser, page } = await openImagesApp(admin))
  })

  afterAll(async () => {
    await browser?.close()
    await h?.close()
    for (const im of await g.byName(name).catch(() => [] as RawImage[])) await g.destroy(im.id)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const draftRows = () => page.locator(`${tid('job-row')}[data-name="${name}"][data-state="draft"]`)

  it('saves a draft, exports and re-imports it as a manifest, runs it, and Glance holds the image', async () => {
    shotOnFailure(() => page, 'drafts')
    // 1. prepare the upload in the create form and save it as a draft
    const dialog = await createFromFile(page, h, disk, name)
    await dialog.locator(tid('create-description')).fill('prepared offline')
    await submitCreate(dialog, 'create-draft')
    // nothing was created in Glance
    expect(await g.byName(name)).toEqual([])

    // 2. the transfers page lists the draft; export the drafts to a manifest
    await h.open(page, '#/transfers')
    await draftRows().first().waitFor({ timeout: 30_000 })
    expect(await draftRows().first().locator(tid('job-progress')).count()).toBe(0)
    await page.waitForTimeout(500)
    await screenshot(page, 'drafts-en')
    await h.setDialogAnswer(manifest)
    await page.locator(tid('btn-export-drafts')).click()
    await expect
      .poll(
        () => {
          try {
            return readFileSync(manifest, 'utf8')
          } catch {
            return ''
          }
        },
        { timeout: 30_000 },
      )
      .toContain(name)
    const doc = parse(readFileSync(manifest, 'utf8')) as { drafts?: { name?: string; file?: string }[] }
    const entry = JSON.stringify(doc)
    expect(entry).toContain(name)
    expect(entry).toContain('prepared offline')
    expect(entry).toContain(disk)

    // 3. remove the draft; import the manifest: the draft is back
    await draftRows().first().locator(tid('job-remove')).click()
    await expect.poll(() => draftRows().count(), { timeout: 30_000 }).toBe(0)
    await h.setDialogAnswer(manifest)
    await page.locator(tid('btn-import-drafts')).click()
    await expect.poll(() => draftRows().count(), { timeout: 30_000 }).toBe(1)

    // 4. run it: the job reaches done; Glance holds the image with the draft's metadata and the file's bytes
    await draftRows().first().locator(tid('job-run')).click()
    await page.waitForFunction(
      (n) => {
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(a: string): string | null }> } }).document
        return Array.from(doc.querySelectorAll('[data-testid="job-row"]')).some(
          (r) => r.getAttribute('data-name') === n && ['done', 'failed'].includes(r.getAttribute('data-state') ?? ''),
        )
      },
      name,
      { timeout: 150_000, polling: 250 },
    )
    const row = page.locator(`${tid('job-row')}[data-name="${name}"]`).first()
    expect(await row.getAttribute('data-state'), (await row.textContent()) ?? '').toBe('done')
    const [im] = await g.byName(name)
    const file = readFileSync(disk)
    expect(im).toMatchObject({
      status: 'active',
      disk_format: 'qcow2',
      size: file.length,
      checksum: createHash('md5').update(file).digest('hex'),
      description: 'prepared offline',
    })
  })
})
