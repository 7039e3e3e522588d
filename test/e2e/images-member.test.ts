/**
 * The image manager as a project member (the loopback cloud's `demo` user), end to end. What the member may not do is
 * disabled with the reason (data-reason / tooltip), and Glance agrees: the same call with the member's token is refused
 * (403, or 404 for what it cannot see). What the member may do on its own project's images works.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { describeBrowser, memberCloud } from '../support/cloud'
import { submitCreate, createFromFile, openImagesApp, screenshot, type LaunchedBrowser, type TestHarness } from './support'
import { bytes, Glance, osSession, unique, type RawImage } from './support/openstack'
import {
  confirmBox,
  dismissOverlays,
  findImage,
  gate,
  imageRow,
  search,
  selectOnly,
  setNumber,
  shotOnFailure,
  tid,
  typeOptions,
  waitForJob,
} from './support/ui'

describeBrowser('e2e: images as a project member', (admin) => {
  const member = memberCloud()!
  const prefix = unique('mem')
  const names = { pub: `${prefix}-adminpublic`, priv: `${prefix}-adminprivate`, own: `${prefix}-own` }
  const ga = new Glance(admin, 'RegionOne')
  const gm = new Glance(member, 'RegionOne')
  const fx: Record<string, RawImage> = {}
  const pubBytes = bytes(5000, 7)
  let dir: string
  let qcow2: string
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glance-e2e-member-'))
    qcow2 = join(dir, 'own.qcow2')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', qcow2, '32M'], { stdio: 'ignore' })
    fx.pub = await ga.createActive({ name: names.pub, visibility: 'public' }, pubBytes)
    fx.priv = await ga.createActive({ name: names.priv, visibility: 'private' }, bytes(100, 8))
    ;({ h, browser, page } = await openImagesApp(member))
  })
  beforeEach(async () => {
    if (page) await dismissOverlays(page)
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
    for (const im of await gm.byPrefix(prefix).catch(() => [] as RawImage[])) await gm.destroy(im.id)
    for (const im of await ga.byPrefix(prefix).catch(() => [] as RawImage[])) await ga.destroy(im.id)
    for (const im of Object.values(fx)) await ga.destroy(im.id)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it("sees public images but not another project's private ones (Glance: 404)", async () => {
    shotOnFailure(() => page, 'member-list')
    await search(page, prefix)
    await findImage(page, names.pub)
    expect(await imageRow(page, names.priv).count()).toBe(0)
    expect((await gm.request('GET', `/v2/images/${fx.priv!.id}`)).status).toBe(404)
    expect((await gm.request('GET', `/v2/images/${fx.pub!.id}`)).status).toBe(200)
    await screenshot(page, 'member-list-en')
  })

  it("cannot change the admin's public image: disabled with the reason, and Glance refuses (403)", async () => {
    shotOnFailure(() => page, 'member-denied')
    await selectOnly(page, names.pub)
    for (const id of ['btn-modify', 'btn-tags', 'btn-delete', 'btn-deactivate']) {
      const g = await gate(page, id)
      expect(g.disabled, id).toBe(true)
      expect(g.reason, id).toMatch(/another project|owner/i)
    }
    // sharing: not its image either (and not a "shared" one)
    expect((await gate(page, 'btn-share')).disabled).toBe(true)
    // the tooltip says it too
    await page.locator(tid('btn-delete-wrap')).hover()
    await page
      .locator('.el-popper:visible', { hasText: /another project/i })
      .first()
      .waitFor()
    await screenshot(page, 'member-denied-en')
    // what it may do with a public image: download it
    expect((await gate(page, 'btn-download')).disabled).toBe(false)

    // the server agrees
    const id = fx.pub!.id
    expect((await gm.patch(id, [{ op: 'replace', path: '/min_ram', value: 512 }])).status).toBe(403)
    expect((await gm.request('PUT', `/v2/images/${id}/tags/nope`)).status).toBe(403)
    expect((await gm.request('POST', `/v2/images/${id}/actions/deactivate`)).status).toBe(403)
    expect((await gm.request('DELETE', `/v2/images/${id}`)).status).toBe(403)
    expect(await ga.get(id)).toMatchObject({ status: 'active', min_ram: 0, tags: [] })
  })

  it('cannot make an image public: the switch is disabled with the reason, and Glance refuses (403)', async () => {
    shotOnFailure(() => page, 'member-public')
    await page.locator(tid('btn-create-image')).click()
    const dialog = page.locator(tid('create-dialog'))
    await dialog.waitFor()
    const sw = dialog.locator(tid('create-public'))
    expect(await sw.getAttribute('class')).toMatch(/is-disabled/)
    await sw.hover()
    await page
      .locator('.el-popper:visible', { hasText: /administrator/i })
      .first()
      .waitFor()
    await screenshot(page, 'member-create-form-en')
    await dialog.locator(tid('create-cancel')).click()
    await dialog.waitFor({ state: 'hidden' })
    const r = await gm.request('POST', '/v2/images', { name: `${prefix}-public-try`, visibility: 'public', disk_format: 'raw', container_format: 'bare' })
    expect(r.status).toBe(403)
  })

  it('downloads a public image it can see; the bytes equal the source', async () => {
    shotOnFailure(() => page, 'member-download')
    const target = join(dir, 'public.raw')
    await selectOnly(page, names.pub)
    await h.setDialogAnswer(target)
    await page.locator(tid('btn-download')).click()
    const job = await waitForJob(page, names.pub, ['done', 'failed'], 120_000)
    expect(
      await job.getAttribute('data-state'),
      (await job
        .locator(tid('job-error'))
        .textContent()
        .catch(() => '')) ?? '',
    ).toBe('done')
    expect(createHash('md5').update(readFileSync(target)).digest('hex')).toBe(createHash('md5').update(pubBytes).digest('hex'))
  })

  it('creates, modifies, tags, deactivates/reactivates and deletes an image of its own project', async () => {
    shotOnFailure(() => page, 'member-own')
    const dialog = await createFromFile(page, h, qcow2, names.own)
    await setNumber(dialog, 'create-min-disk', 1)
    await submitCreate(dialog)
    const job = await waitForJob(page, names.own, ['done', 'failed'], 150_000)
    expect(
      await job.getAttribute('data-state'),
      (await job
        .locator(tid('job-error'))
        .textContent()
        .catch(() => '')) ?? '',
    ).toBe('done')
    await page.locator(`${tid('transfers-panel')} .el-drawer__close-btn`).click()
    const [own] = await gm.byName(names.own)
    const project = (await osSession(member)).projectId
    expect(own).toMatchObject({ status: 'active', owner: project, visibility: 'private', disk_format: 'qcow2' })
    await findImage(page, names.own, { status: 'active', timeout: 30_000 })

    // its own image: the owner actions are enabled
    await selectOnly(page, names.own)
    for (const id of ['btn-modify', 'btn-tags', 'btn-delete', 'btn-deactivate', 'btn-download']) expect((await gate(page, id)).disabled, id).toBe(false)

    // modify config
    await page.locator(tid('btn-modify')).click()
    const edit = page.locator(tid('edit-dialog'))
    await edit.waitFor()
    await setNumber(edit, 'edit-min-ram', 1)
    await edit.locator(tid('edit-description')).fill('member was here')
    await edit.locator(tid('edit-submit')).click()
    await edit.waitFor({ state: 'hidden', timeout: 30_000 })
    await expect
      .poll(async () => {
        const im = await gm.get(own!.id)
        return im && { min_ram: im.min_ram, description: im.description }
      })
      .toEqual({ min_ram: 1024, description: 'member was here' })

    // tags
    await page.locator(tid('btn-tags')).click()
    const tags = page.locator(tid('tags-dialog'))
    await tags.waitFor()
    await typeOptions(page, tags.locator(tid('tags-input')), [`${prefix}-t`])
    await tags.locator(tid('tags-submit')).click()
    await tags.waitFor({ state: 'hidden', timeout: 30_000 })
    await expect.poll(async () => (await gm.get(own!.id))?.tags).toEqual([`${prefix}-t`])

    // deactivate and reactivate its own image
    await page.locator(tid('btn-deactivate')).click()
    await findImage(page, names.own, { status: 'deactivated' })
    expect((await gm.get(own!.id))?.status).toBe('deactivated')
    await page.locator(tid('btn-reactivate')).click()
    await findImage(page, names.own, { status: 'active' })
    expect((await gm.get(own!.id))?.status).toBe('active')

    // delete (with confirmation)
    await page.locator(tid('btn-delete')).click()
    await confirmBox(page, 'confirm-dialog')
    await search(page, names.own)
    await page.locator(tid('empty-images')).waitFor({ timeout: 30_000 })
    await expect.poll(async () => (await gm.get(own!.id)) === null).toBe(true)
  })
})
