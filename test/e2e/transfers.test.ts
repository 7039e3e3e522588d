/**
 * The transfer queue driven from the UI, mid-transfer: an upload is slowed down by a fault proxy in front of the real
 * Glance (OS_IMAGE_URL routes the harness's Glance calls through it) so that the buttons can be pressed while bytes
 * move. Pause then Resume ends with a verified image; Cancel leaves nothing in Glance; an upload Glance refuses fails
 * with the reason shown, and Retry (once the proxy lets it through) completes it. Real renderer, real main-process
 * queue, real loopback Glance.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser } from '../support/cloud'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy'
import { glanceRoot } from '../integration/transfers/helpers'
import { submitCreate, createFromFile, openImagesApp, screenshot, type LaunchedBrowser, type TestHarness } from './support'
import { Glance, unique, type RawImage } from './support/openstack'
import { shotOnFailure, tid, waitForImages } from './support/ui'

const MiB = 1024 * 1024

describeBrowser('e2e: pause, resume, cancel and retry a transfer mid-way', (admin) => {
  const prefix = unique('xfer-ui')
  const g = new Glance(admin, 'RegionOne')
  let dir: string
  let proxy: FaultProxy
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glance-e2e-xfer-'))
    proxy = await startFaultProxy({ target: await glanceRoot(admin) })
    ;({ h, browser, page } = await openImagesApp(admin, { harness: { env: { OS_IMAGE_URL: proxy.url } } }))
  })

  afterAll(async () => {
    await browser?.close()
    await h?.close()
    await proxy?.close()
    for (const what of ['pause', 'cancel', 'retry']) {
      for (const im of await g.byName(`${prefix}-${what}`).catch(() => [] as RawImage[])) await g.destroy(im.id)
    }
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  function file(name: string, bytes: number): { path: string; data: Buffer } {
    const data = randomBytes(bytes)
    const path = join(dir, name)
    writeFileSync(path, data)
    return { path, data }
  }

  /** Starts an upload through the create dialog (the raw file named `name`), then shows the transfers page. */
  async function upload(path: string, name: string): Promise<void> {
    await h.open(page, '#/images')
    await waitForImages(page)
    await submitCreate(await createFromFile(page, h, path, name))
    await h.open(page, '#/transfers')
  }

  const row = (name: string) => page.locator(`${tid('job-row')}[data-name="${name}"]`).first()
  const stateOf = (name: string) => row(name).getAttribute('data-state')
  /** Bytes the proxy has let through to Glance for PUT bodies so far. */
  const upBytes = () => proxy.stats.bytesUp

  it('Pause mid-upload stops the bytes; Resume completes it, verified, with the file in Glance', async () => {
    shotOnFailure(() => page, 'transfers-pause')
    const name = `${prefix}-pause`
    const { path, data } = file('pause.raw', 6 * MiB)
    // ~512 KiB/s into Glance: the upload takes ~12 s unless paused
    const slow = proxy.addRule({ method: 'PUT', path: /\/file$/, times: 1, action: { kind: 'trickle', direction: 'request', bytesPerSecond: 512 * 1024 } })
    // counts the upload requests after the slow one (rules are tried in order; a spent rule lets the next decide)
    const after = proxy.addRule({ method: 'PUT', path: /\/file$/, action: { kind: 'pass' } })
    const puts = () => slow.applied + after.applied
    await upload(path, name)
    await expect.poll(() => stateOf(name), { timeout: 30_000 }).toBe('running')
    await expect.poll(upBytes, { timeout: 30_000 }).toBeGreaterThan(256 * 1024)
    await screenshot(page, 'transfers-running')
    await row(name).locator(tid('job-pause')).click()
    await expect.poll(() => stateOf(name), { timeout: 30_000 }).toBe('paused')
    // paused means paused: the job's count stands still, no new upload request starts, Glance has no active image
    const shown = await row(name).textContent()
    await page.waitForTimeout(2000)
    expect(await row(name).textContent()).toBe(shown)
    expect(await stateOf(name)).toBe('paused')
    expect(puts()).toBe(1)
    const mid = await g.byName(name)
    expect(mid.every((im) => im.status !== 'active')).toBe(true)
    // the row says what Resume will do: send the file again (Glance has no partial uploads)
    expect(await row(name).locator(tid('job-paused-hint')).textContent()).toMatch(/whole file again/)
    await screenshot(page, 'transfers-paused')

    expect(slow.spent).toBe(true)
    await row(name).locator(tid('job-resume')).click()
    await expect.poll(() => stateOf(name), { timeout: 120_000 }).toBe('done')
    expect(await row(name).locator(tid('job-paused-hint')).count()).toBe(0)
    // the resumed upload sent the file again in a new request (Glance cannot continue a partial upload)
    expect(puts()).toBe(2)
    after.remove()
    expect(await row(name).textContent()).toMatch(/verified|已校验/i)
    const images = await g.byName(name)
    expect(images).toHaveLength(1)
    expect(images[0]).toMatchObject({
      status: 'active',
      size: data.length,
      os_hash_value: createHash('sha512').update(data).digest('hex'),
    })
  })

  it('Cancel mid-upload ends the job as cancelled and Glance keeps no image', async () => {
    shotOnFailure(() => page, 'transfers-cancel')
    const name = `${prefix}-cancel`
    const { path } = file('cancel.raw', 6 * MiB)
    proxy.addRule({ method: 'PUT', path: /\/file$/, times: 1, action: { kind: 'trickle', direction: 'request', bytesPerSecond: 512 * 1024 } })
    const before = upBytes()
    await upload(path, name)
    await expect.poll(() => stateOf(name), { timeout: 30_000 }).toBe('running')
    await expect.poll(() => upBytes() - before, { timeout: 30_000 }).toBeGreaterThan(256 * 1024)
    await row(name).locator(tid('job-cancel')).click()
    await expect.poll(() => stateOf(name), { timeout: 30_000 }).toBe('cancelled')
    // the half-made image is deleted
    await expect.poll(async () => (await g.byName(name)).length, { timeout: 30_000 }).toBe(0)
    expect(await row(name).locator(tid('job-retry')).isVisible()).toBe(true)
  })

  it('an upload Glance refuses fails with the reason shown; Retry, once it is let through, completes it', async () => {
    shotOnFailure(() => page, 'transfers-retry')
    const name = `${prefix}-retry`
    const { path, data } = file('retry.raw', 2 * MiB)
    // 413 is not worth retrying by itself: the job fails at once
    const refuse = proxy.addRule({ method: 'PUT', path: /\/file$/, action: { kind: 'status', status: 413 } })
    await upload(path, name)
    await expect.poll(() => stateOf(name), { timeout: 60_000 }).toBe('failed')
    await expect(row(name).locator(tid('job-error')).textContent()).resolves.toMatch(/413|large|大/i)
    expect(refuse.applied).toBeGreaterThanOrEqual(1)
    await screenshot(page, 'transfers-failed')

    refuse.remove()
    await row(name).locator(tid('job-retry')).click()
    await expect.poll(() => stateOf(name), { timeout: 120_000 }).toBe('done')
    const images = (await g.byName(name)).filter((im) => im.status === 'active')
    expect(images).toHaveLength(1)
    expect(images[0]!.os_hash_value).toBe(createHash('sha512').update(data).digest('hex'))
  })
})
