/**
 * Issue 12.3: a download Glance has no checksum and no hash for is not given its name silently: the job waits, and the
 * transfers drawer offers "Keep unverified", which the MAIN process confirms (a native dialog in the app; the harness's
 * scripted answer here). "No" keeps it waiting with nothing renamed; "yes" gives the file its name, marked not
 * verified. Glance's answers reach the harness through a fault proxy (OS_IMAGE_URL) that blanks the image's checksum
 * and hash, as a Glance without them would send. Real renderer, real main-process queue, real loopback Glance.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser } from '../support/cloud'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy'
import { glanceRoot } from '../integration/transfers/helpers'
import { openImagesApp, screenshot, type LaunchedBrowser, type TestHarness } from './support'
import { Glance, unique, type RawImage } from './support/openstack'
import { selectOnly, shotOnFailure, tid, waitForJob } from './support/ui'

describeBrowser('e2e: keep a download Glance cannot verify', (admin) => {
  const name = unique('unverified')
  const g = new Glance(admin, 'RegionOne')
  const data = randomBytes(512 * 1024 + 7)
  let dir: string
  let proxy: FaultProxy
  let image: RawImage
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glance-e2e-unverified-'))
    image = await g.createActive({ name, visibility: 'private' }, data)
    proxy = await startFaultProxy({ target: await glanceRoot(admin) })
    // every Glance answer the harness gets says: no checksum, no hash
    proxy.setRewrite({ [`"${String(image.checksum)}"`]: 'null', [`"${String(image.os_hash_value)}"`]: 'null' })
    ;({ h, browser, page } = await openImagesApp(admin, { harness: { env: { OS_IMAGE_URL: proxy.url } } }))
  })

  afterAll(async () => {
    await browser?.close()
    await h?.close()
    await proxy?.close()
    if (image) await g.destroy(image.id)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('the job waits with "Keep unverified"; the main process asks; "no" keeps it waiting, "yes" gives the file its name, not verified', async () => {
    shotOnFailure(() => page, 'transfers-unverified')
    const target = join(dir, 'nohash.raw')
    await selectOnly(page, name, { status: 'active' })
    await h.setDialogAnswer(target)
    await page.locator(tid('btn-download')).click()
    const row = await waitForJob(page, name, ['paused', 'done', 'failed'])
    expect(await row.getAttribute('data-state'), (await row.textContent()) ?? '').toBe('paused')
    // every byte arrived, but nothing could check them: the file keeps its part name, the row says why and offers the choice
    expect(readFileSync(`${target}.part`).equals(data)).toBe(true)
    expect(existsSync(target)).toBe(false)
    expect(await row.locator(tid('job-error')).textContent()).toMatch(/no checksum/)
    const keep = row.locator(tid('job-keep-unverified'))
    expect(await keep.textContent()).toMatch(/Keep unverified/)
    expect(await row.locator(tid('job-paused-hint')).count()).toBe(0)
    await screenshot(page, 'transfers-unverified-waiting')

    // "no" in the main process's dialog: nothing renamed, still waiting (and no error: the user said no)
    const asked = () => h.platform.dialogs.asked.filter((d) => d.kind === 'confirm')
    h.platform.dialogs.queueConfirm(false)
    await keep.click()
    await expect.poll(() => asked().length, { timeout: 30_000 }).toBe(1)
    expect(asked()[0]).toMatchObject({ opts: { purpose: 'unverifiedDownload', subjects: [target] }, answer: false })
    expect(await row.getAttribute('data-state')).toBe('paused')
    expect(existsSync(target)).toBe(false)
    expect(readFileSync(`${target}.part`).equals(data)).toBe(true)

    // "yes": the file gets its name, the job is done and says it was not verified
    h.platform.dialogs.queueConfirm(true)
    await keep.click()
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('done')
    expect(asked().map((d) => d.answer)).toEqual([false, true])
    expect(await row.locator(tid('job-not-verified')).textContent()).toMatch(/not verified/)
    expect(await row.locator(tid('job-verified')).count()).toBe(0)
    expect(await row.locator(tid('job-keep-unverified')).count()).toBe(0)
    expect(readFileSync(target).equals(data)).toBe(true)
    expect(existsSync(`${target}.part`)).toBe(false)
    await screenshot(page, 'transfers-unverified-kept')
  })
})
