/**
 * The image manager as a cloud admin, end to end: Debian's Chromium, the browser harness (the real renderer bound to
 * the real main-process services), the real loopback Keystone / Glance / Cinder. Every workflow of issue 6 is walked
 * through the UI, and what the server holds afterwards is checked through Glance's and Cinder's own APIs.
 *
 * Fixtures are made through Glance's API with unique names and always deleted (afterAll), as are the images, volume
 * and files the test makes through the UI.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { describeBrowser, memberCloud } from '../support/cloud'
import { submitCreate, openImagesApp, screenshot, type LaunchedBrowser, type TestHarness } from './support'
import { bytes, Cinder, Glance, projectId, unique, type RawImage } from './support/openstack'
import {
  closeDrawer,
  closeTransfers,
  confirmBox,
  dismissOverlays,
  findImage,
  gate,
  imageRow,
  openDetail,
  pickOption,
  search,
  selectOnly,
  setNumber,
  setSwitch,
  shotOnFailure,
  tid,
  toast,
  typeOptions,
  waitForJob,
} from './support/ui'

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex')

/** Serves one file on 127.0.0.1 at the first free port of 18081, 18082, 18080 (the ports the cloud may fetch from). */
async function serveFile(path: string): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0
  const server = createServer((req, res) => {
    hits++
    const data = readFileSync(path)
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length })
    res.end(req.method === 'HEAD' ? undefined : data)
  })
  for (const port of [18081, 18082, 18080]) {
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (ok) return { server, url: `http://127.0.0.1:${port}/disk.qcow2`, hits: () => hits }
  }
  throw new Error('no free port among 18080-18082 for the web-download source')
}

describeBrowser('e2e: images as admin', (admin) => {
  const prefix = unique('adm')
  const names = {
    alpha: `${prefix}-alpha`,
    beta: `${prefix}-beta`,
    prot: `${prefix}-protected`,
    shared: `${prefix}-shared`,
    file: `${prefix}-fromfile`,
    url: `${prefix}-fromurl`,
  }
  const tag = `${prefix}-tag`
  const volumeName = `${prefix}-vol`
  const g = new Glance(admin, 'RegionOne')
  const cinder = new Cinder(admin, 'RegionOne')
  const fx: Record<string, RawImage> = {}
  let dir: string
  let qcow2: string
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page
  let demoProject: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glance-e2e-admin-'))
    qcow2 = join(dir, 'disk.qcow2')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', qcow2, '64M'], { stdio: 'ignore' })
    demoProject = await projectId(admin, memberCloud()?.projectName ?? 'demo')
    fx.alpha = await g.createActive({ name: names.alpha, visibility: 'private', tags: [tag], os_distro: 'ubuntu', os_type: 'linux' }, bytes(4096, 3))
    fx.beta = await g.createActive({ name: names.beta, visibility: 'private', disk_format: 'iso', container_format: 'bare' }, bytes(3000, 4))
    fx.prot = await g.createActive({ name: names.prot, visibility: 'private', protected: true }, bytes(1000, 5))
    fx.shared = await g.createActive({ name: names.shared, visibility: 'shared' }, bytes(1500, 6))
    ;({ h, browser, page } = await openImagesApp(admin))
  })
  beforeEach(async () => {
    if (page) await dismissOverlays(page)
  })

  afterAll(async () => {
    await browser?.close()
    await h?.close()
    await cinder.destroyByName(volumeName)
    for (const im of await g.byPrefix(prefix).catch(() => [] as RawImage[])) await g.destroy(im.id)
    for (const im of Object.values(fx)) await g.destroy(im.id)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('lists real images, searches by substring, filters on the server, and shows the detail drawer', async () => {
    shotOnFailure(() => page, 'admin-list')
    // substring search on the loaded list: the prefix matches the four fixtures, "alph" only one
    await search(page, prefix)
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(4)
    for (const n of [names.alpha, names.beta, names.prot, names.shared]) expect(await imageRow(page, n).count()).toBe(1)
    await search(page, `${prefix}-alph`)
    await expect.poll(() => page.locator(tid('image-row')).count()).toBe(1)
    expect(await imageRow(page, names.alpha).getAttribute('data-status')).toBe('active')
    // the row shows the console's columns
    const rowText = (await imageRow(page, names.alpha).textContent()) ?? ''
    expect(rowText).toMatch(/Ubuntu/)
    expect(rowText).toMatch(/Private/i)
    expect(rowText).toMatch(/4(\.0)? KiB/)
    await search(page, prefix)
    await screenshot(page, 'list-en')

    // a server-side filter: disk format iso -> only beta among the fixtures
    await page.locator(tid('btn-filters')).click()
    const bar = page.locator(tid('filter-bar'))
    await bar.waitFor()
    await pickOption(page, bar.locator(tid('filter-disk-format')), { text: 'iso' })
    await page.keyboard.press('Escape')
    await bar.locator(tid('filter-apply')).click()
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(1)
    expect(await imageRow(page, names.beta).count()).toBe(1)
    await screenshot(page, 'list-filtered-en')
    // and a tag filter
    await bar.locator(tid('filter-clear')).click()
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(4)
    await typeOptions(page, bar.locator(tid('filter-tags')), [tag])
    await bar.locator(tid('filter-apply')).click()
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(1)
    expect(await imageRow(page, names.alpha).count()).toBe(1)
    await bar.locator(tid('filter-clear')).click()
    await page.locator(tid('btn-filters')).click()
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBe(4)

    // the detail drawer: attributes, console fields in plain words, tags, checksums
    const drawer = await openDetail(page, names.alpha)
    expect(await drawer.locator(tid('detail-id')).textContent()).toBe(fx.alpha!.id)
    expect(await drawer.locator(tid('detail-status')).textContent()).toMatch(/Active/i)
    expect(await drawer.locator(tid('detail-field-osType')).textContent()).toMatch(/Ubuntu/)
    expect(await drawer.locator(tid('detail-tags')).textContent()).toContain(tag)
    expect(await drawer.locator(tid('detail-checksums')).textContent()).toContain(fx.alpha!.checksum!)
    expect(await drawer.locator(tid('detail-volumes')).textContent()).toMatch(/1 GiB/)
    // an admin may do everything on it
    for (const a of ['modify', 'editTags', 'download', 'createVolume', 'deactivate', 'delete'])
      expect((await gate(drawer, `detail-${a}`)).disabled, a).toBe(false)
    await screenshot(page, 'detail-en')
    await closeDrawer(page)
  })

  it('creates an image from a local qcow2 file with the console fields; the job reaches done; Glance holds it', async () => {
    shotOnFailure(() => page, 'admin-create-file')
    await page.locator(tid('btn-create-image')).click()
    const dialog = page.locator(tid('create-dialog'))
    await dialog.waitFor()
    await h.setDialogAnswer(qcow2)
    await dialog.locator(tid('create-source-file')).click()
    await expect.poll(() => dialog.locator(tid('create-file-name')).textContent()).toBe('disk.qcow2')
    // the inspection fills in the disk format
    await dialog.locator(tid('create-inspection')).waitFor({ timeout: 30_000 })
    expect(await dialog.locator(tid('create-inspection')).textContent()).toMatch(/qcow2/)
    expect(await dialog.locator(tid('create-disk-format')).textContent()).toMatch(/qcow2/)
    await dialog.locator(tid('create-name')).fill(names.file)
    await pickOption(page, dialog.locator(tid('create-os-type')), { testid: 'create-os-debian' })
    await dialog.locator(tid('create-arch-x86')).click()
    await dialog.locator(tid('create-virt-qemu')).click()
    await setNumber(dialog, 'create-min-disk', 2)
    await setNumber(dialog, 'create-min-ram', 1)
    await setSwitch(dialog, 'create-online-resize', true)
    await setSwitch(dialog, 'create-agent', true)
    await setSwitch(dialog, 'create-multiqueue', true)
    await setSwitch(dialog, 'create-encrypted-password', false)
    await typeOptions(page, dialog.locator(tid('create-tags')), [`${prefix}-created`])
    await dialog.locator(tid('create-description')).fill('made by the e2e test from a file')
    await screenshot(page, 'create-form-en')
    await submitCreate(dialog)

    // the job in the transfers panel reaches done
    const job = await waitForJob(page, names.file, ['done', 'failed'], 150_000)
    await screenshot(page, 'transfers-en')
    // a finished job says how much it moved (not "0 B / 192 KiB")
    expect(await job.textContent()).not.toMatch(/\b0 B \//)
    expect(
      await job.getAttribute('data-state'),
      (await job
        .locator(tid('job-error'))
        .textContent()
        .catch(() => '')) ?? '',
    ).toBe('done')
    await closeTransfers(page)

    // the list shows it active
    await findImage(page, names.file, { status: 'active', timeout: 30_000 })
    // and Glance holds the right image
    const [im] = await g.byName(names.file)
    expect(im).toBeDefined()
    const file = readFileSync(qcow2)
    expect(im).toMatchObject({
      status: 'active',
      disk_format: 'qcow2',
      container_format: 'bare',
      visibility: 'private',
      protected: false,
      min_disk: 2,
      min_ram: 1024,
      size: file.length,
      checksum: md5(file),
      os_distro: 'debian',
      architecture: 'x86_64',
      hypervisor_type: 'qemu',
      hw_qemu_guest_agent: 'yes',
      hw_vif_multiqueue_enabled: 'true',
      hw_online_resize: 'true',
      description: 'made by the e2e test from a file',
    })
    expect(im!.tags).toContain(`${prefix}-created`)
    fx.file = im!
  })

  it('creates an image from a URL (web-download from a local server)', async () => {
    shotOnFailure(() => page, 'admin-create-url')
    const src = await serveFile(qcow2)
    try {
      await page.locator(tid('btn-create-image')).click()
      const dialog = page.locator(tid('create-dialog'))
      await dialog.waitFor()
      await dialog.locator(tid('create-name')).fill(names.url)
      await dialog.locator(tid('create-source-kind-url')).click()
      await dialog.locator(tid('create-source-url')).fill(src.url)
      await pickOption(page, dialog.locator(tid('create-disk-format')), { text: 'qcow2' })
      await pickOption(page, dialog.locator(tid('create-os-type')), { testid: 'create-os-centos' })
      await screenshot(page, 'create-form-url-en')
      await submitCreate(dialog)
      const job = await waitForJob(page, names.url, ['done', 'failed'], 150_000)
      expect(
        await job.getAttribute('data-state'),
        (await job
          .locator(tid('job-error'))
          .textContent()
          .catch(() => '')) ?? '',
      ).toBe('done')
      await closeTransfers(page)
      const [im] = await g.byName(names.url)
      expect(im).toMatchObject({ status: 'active', disk_format: 'qcow2', size: readFileSync(qcow2).length, os_distro: 'centos' })
      expect(src.hits()).toBeGreaterThan(0)
      await findImage(page, names.url, { status: 'active', timeout: 30_000 })
    } finally {
      src.server.close()
    }
  })

  it('modifies the config of an image', async () => {
    shotOnFailure(() => page, 'admin-modify')
    await selectOnly(page, names.alpha)
    await page.locator(tid('btn-modify')).click()
    const dialog = page.locator(tid('edit-dialog'))
    await dialog.waitFor()
    await dialog.locator(tid('edit-name')).fill(`${names.alpha}`)
    await setNumber(dialog, 'edit-min-ram', 2)
    await setSwitch(dialog, 'edit-agent', true)
    await dialog.locator(tid('edit-description')).fill('modified by e2e')
    await screenshot(page, 'modify-en')
    await dialog.locator(tid('edit-submit')).click()
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 })
    await expect
      .poll(async () => {
        const im = await g.get(fx.alpha!.id)
        return im && { min_ram: im.min_ram, agent: im.hw_qemu_guest_agent, description: im.description, os: im.os_distro }
      })
      .toEqual({ min_ram: 2048, agent: 'yes', description: 'modified by e2e', os: 'ubuntu' })
  })

  it('edits tags: adds one, removes one', async () => {
    shotOnFailure(() => page, 'admin-tags')
    await selectOnly(page, names.alpha)
    await page.locator(tid('btn-tags')).click()
    const dialog = page.locator(tid('tags-dialog'))
    await dialog.waitFor()
    // remove the fixture's tag (its close icon), add a new one
    await dialog.locator('.el-tag', { hasText: tag }).locator('.el-tag__close').click()
    await typeOptions(page, dialog.locator(tid('tags-input')), [`${prefix}-new`])
    await dialog.locator(tid('tags-submit')).click()
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 })
    await expect.poll(async () => (await g.get(fx.alpha!.id))?.tags.sort()).toEqual([`${prefix}-new`])
  })

  it('deactivates and reactivates an image', async () => {
    shotOnFailure(() => page, 'admin-deactivate')
    await selectOnly(page, names.alpha)
    await page.locator(tid('btn-deactivate')).click()
    await findImage(page, names.alpha, { status: 'deactivated' })
    expect((await g.get(fx.alpha!.id))?.status).toBe('deactivated')
    // now only reactivate is offered, and download explains why not
    expect((await gate(page, 'btn-reactivate')).disabled).toBe(false)
    const dl = await gate(page, 'btn-download')
    expect(dl.disabled).toBe(true)
    expect(dl.reason).toMatch(/active/i)
    await page.locator(tid('btn-reactivate')).click()
    await findImage(page, names.alpha, { status: 'active' })
    expect((await g.get(fx.alpha!.id))?.status).toBe('active')
  })

  it('shares an image with the demo project', async () => {
    shotOnFailure(() => page, 'admin-share')
    // a private image cannot be shared: the button says why
    await selectOnly(page, names.beta)
    const denied = await gate(page, 'btn-share')
    expect(denied.disabled).toBe(true)
    expect(denied.reason).toMatch(/shared/i)
    await selectOnly(page, names.shared)
    await page.locator(tid('btn-share')).click()
    const dialog = page.locator(tid('share-dialog'))
    await dialog.waitFor()
    await dialog.locator(tid('share-project')).fill(demoProject)
    await dialog.locator(tid('share-submit')).click()
    await dialog.locator(tid(`share-remove-${demoProject}`)).waitFor({ timeout: 30_000 })
    expect(await dialog.locator(tid('share-members')).textContent()).toContain(demoProject)
    await screenshot(page, 'share-en')
    expect((await g.members(fx.shared!.id)).map((m) => m.member_id)).toEqual([demoProject])
    // the member project can now read it
    const member = memberCloud()
    if (member) expect((await new Glance(member).request('GET', `/v2/images/${fx.shared!.id}`)).status).toBe(200)
    await dialog.locator(tid('share-close')).click()
    await dialog.waitFor({ state: 'hidden' })
  })

  it('downloads an image to the chosen file; the bytes equal the source', async () => {
    shotOnFailure(() => page, 'admin-download')
    const target = join(dir, 'downloaded.qcow2')
    await selectOnly(page, names.file, { status: 'active' })
    await h.setDialogAnswer(target)
    await page.locator(tid('btn-download')).click()
    await page.locator(tid('btn-transfers')).click()
    // the upload job of the same image is also in the list: wait for the download one
    const dl = page.locator(`${tid('job-row')}[data-kind="download"][data-name="${names.file}"]`)
    await dl.waitFor({ timeout: 30_000 })
    await expect.poll(() => dl.getAttribute('data-state'), { timeout: 120_000 }).toMatch(/done|failed/)
    expect(
      await dl.getAttribute('data-state'),
      (await dl
        .locator(tid('job-error'))
        .textContent()
        .catch(() => '')) ?? '',
    ).toBe('done')
    await closeTransfers(page)
    expect(existsSync(target)).toBe(true)
    expect(readFileSync(target).equals(readFileSync(qcow2))).toBe(true)
    const asked = (await h.state()).dialogsAsked.filter((d) => d.kind === 'save')
    expect(String(asked.at(-1)?.opts.defaultPath ?? JSON.stringify(asked.at(-1)?.opts))).toMatch(/fromfile/)
  })

  it('creates a volume from an image (Cinder holds it, then it is deleted)', async () => {
    shotOnFailure(() => page, 'admin-volume')
    // only qcow2/raw QEMU images: the iso one is refused with the reason
    await selectOnly(page, names.beta)
    const denied = await gate(page, 'btn-create-volume')
    expect(denied.disabled).toBe(true)
    expect(denied.reason).toMatch(/qcow2|raw/i)
    await selectOnly(page, names.alpha)
    await page.locator(tid('btn-create-volume')).click()
    const dialog = page.locator(tid('volume-dialog'))
    await dialog.waitFor()
    await dialog.locator(tid('volume-name')).fill(volumeName)
    expect(
      await dialog
        .locator(`${tid('volume-size')} input, input${tid('volume-size')}`)
        .first()
        .inputValue(),
    ).toBe('1')
    await screenshot(page, 'volume-en')
    await dialog.locator(tid('volume-submit')).click()
    await dialog.waitFor({ state: 'hidden', timeout: 60_000 })
    const v = await cinder.waitFor(volumeName, (x) => ['available', 'error'].includes(x.status), 150_000)
    expect(v).toMatchObject({ status: 'available', size: 1 })
    expect(v.volume_image_metadata?.image_id).toBe(fx.alpha!.id)
  })

  it('exports the list as CSV and as an Excel workbook', async () => {
    shotOnFailure(() => page, 'admin-export')
    await search(page, prefix)
    await expect.poll(() => page.locator(tid('image-row')).count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(4)
    const csv = join(dir, 'images.csv')
    await page.locator(tid('btn-export')).click()
    const dialog = page.locator(tid('export-dialog'))
    await dialog.waitFor()
    await dialog.locator(tid('export-format-csv')).click()
    await dialog.locator(tid('export-scope-shown')).click()
    await h.setDialogAnswer(csv)
    await dialog.locator(tid('export-submit')).click()
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 })
    const text = readFileSync(csv, 'utf8')
    const lines = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
    expect(lines[0]).toMatch(/Name/)
    for (const n of [names.alpha, names.beta, names.prot, names.shared]) expect(text).toContain(n)
    // only what is shown: nothing without the prefix
    expect(lines.slice(1).every((l) => l.includes(prefix))).toBe(true)

    const xlsx = join(dir, 'images.xlsx')
    await page.locator(tid('btn-export')).click()
    await dialog.waitFor()
    await dialog.locator(tid('export-format-xlsx')).click()
    await h.setDialogAnswer(xlsx)
    await dialog.locator(tid('export-submit')).click()
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 })
    const book = readFileSync(xlsx)
    expect(book.length).toBeGreaterThan(100)
    expect(book.subarray(0, 2).toString('latin1')).toBe('PK')
  })

  it('deletes with confirmation; a protected image cannot be deleted and says why', async () => {
    shotOnFailure(() => page, 'admin-delete')
    // protected: delete is disabled with the reason, in the toolbar and the drawer; the server agrees (403)
    await selectOnly(page, names.prot)
    const denied = await gate(page, 'btn-delete')
    expect(denied.disabled).toBe(true)
    expect(denied.reason).toMatch(/protected/i)
    const drawer = await openDetail(page, names.prot)
    expect((await gate(drawer, 'detail-delete')).reason).toMatch(/protected/i)
    await page.locator(tid('detail-delete-wrap')).hover()
    await page
      .locator('.el-popper:visible', { hasText: /protected;/i })
      .first()
      .waitFor()
    await screenshot(page, 'delete-protected-en')
    await closeDrawer(page)
    expect((await g.request('DELETE', `/v2/images/${fx.prot!.id}`)).status).toBe(403)

    // delete beta: cancel first (nothing happens), then confirm
    await selectOnly(page, names.beta)
    await page.locator(tid('btn-delete')).click()
    const box = page.locator('.confirm-dialog')
    await box.waitFor()
    expect(await box.textContent()).toContain(names.beta)
    await box.locator('.gd-confirm-cancel').click()
    await box.waitFor({ state: 'hidden' })
    expect((await g.get(fx.beta!.id))?.status).toBe('active')
    await page.locator(tid('btn-delete')).click()
    await confirmBox(page, 'confirm-dialog')
    await toast(page, /deleted/i)
    await search(page, names.beta)
    await page.locator(tid('empty-images')).waitFor()
    expect(await g.get(fx.beta!.id)).toBeNull()
  })
})
