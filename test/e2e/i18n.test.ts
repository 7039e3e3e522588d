/**
 * Both languages and both themes, end to end: the image list and the create form in Simplified Chinese and English
 * (switched with the header's language switch, Element Plus's own texts included), the main screens in the dark theme,
 * with screenshots of each in test-results/screenshots/.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser } from '../support/cloud'
import { openImagesApp, screenshot, type LaunchedBrowser, type TestHarness } from './support'
import { bytes, Glance, unique, type RawImage } from './support/openstack'
import { closeDrawer, closeTransfers, findImage, openDetail, search, setLanguage, settled, shotOnFailure, tid, waitForImages } from './support/ui'

describeBrowser('e2e: languages and themes', (admin) => {
  const prefix = unique('i18n')
  const g = new Glance(admin, 'RegionOne')
  const made: RawImage[] = []
  let h: TestHarness
  let browser: LaunchedBrowser
  let page: Page

  const text = async (id: string): Promise<string> => ((await page.locator(tid(id)).first().textContent()) ?? '').trim()
  const lang = (): Promise<string> =>
    page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)

  beforeAll(async () => {
    made.push(
      await g.createActive(
        { name: `${prefix}-ubuntu`, visibility: 'private', os_distro: 'ubuntu', os_type: 'linux', architecture: 'x86_64' },
        bytes(3 * 1024 * 1024, 9),
      ),
    )
    made.push(
      await g.createActive({ name: `${prefix}-windows`, visibility: 'private', os_type: 'windows', os_distro: 'windows', tags: ['e2e'] }, bytes(2048, 10)),
    )
    // a Chinese system locale: the app starts in Chinese
    ;({ h, browser, page } = await openImagesApp(admin, { browser: { locale: 'zh-CN' } }))
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
    for (const im of made) await g.destroy(im.id)
  })

  it('starts in Chinese from the system locale; list and create form in zh-CN', async () => {
    shotOnFailure(() => page, 'i18n-zh')
    expect(await lang()).toBe('zh-CN')
    expect(await text('btn-create-image')).toBe('创建镜像')
    await findImage(page, `${prefix}-ubuntu`)
    await search(page, prefix)
    await expect.poll(() => text('images-count')).toMatch(/^显示 2 \/ 共 \d+ 个镜像$/)
    const header = (await page.locator(`${tid('image-table')} .el-table-v2__header`).textContent()) ?? ''
    expect(header).toContain('名称')
    expect(header).toContain('状态')
    // values in Chinese too: status, visibility; sizes in binary units
    const row = (await page.locator(`${tid('image-row')}[data-name="${prefix}-ubuntu"]`).textContent()) ?? ''
    expect(row).toMatch(/可用|活跃|正常/)
    expect(row).toMatch(/私有/)
    expect(row).toContain('3 MiB')
    await screenshot(page, 'list-zh-CN')

    await page.locator(tid('btn-create-image')).click()
    const dialog = page.locator(tid('create-dialog'))
    await dialog.waitFor()
    await settled(dialog)
    expect(await dialog.locator('.el-dialog__title').textContent()).toBe('创建镜像')
    const form = (await dialog.textContent()) ?? ''
    for (const label of ['镜像名称', '操作系统', '最小系统盘', '描述']) expect(form).toContain(label)
    // Element Plus's own texts follow (select placeholder)
    expect(await dialog.locator(`${tid('create-os-type')}`).textContent()).toContain('请选择')
    // the form's validation in Chinese
    await dialog.locator(tid('create-submit')).click()
    await expect.poll(async () => (await dialog.locator('.el-form-item__error').allTextContents()).join(' ')).toMatch(/[\u4e00-\u9fff]/)
    await screenshot(page, 'create-form-zh-CN')
    await dialog.locator(tid('create-cancel')).click()
    await dialog.waitFor({ state: 'hidden' })

    // profiles and transfers in Chinese
    await page.locator(tid('btn-profiles')).click()
    await page.locator(tid('profile-row')).first().waitFor()
    expect(await page.locator(`${tid('profiles-view')} h2`).textContent()).toMatch(/[\u4e00-\u9fff]/)
    await screenshot(page, 'profiles-zh-CN')
    await page.locator(tid('btn-images')).click()
    await page.locator(tid('btn-transfers')).click()
    const panel = page.locator(tid('transfers-panel'))
    await panel.waitFor()
    await settled(panel)
    expect(await panel.locator('.el-drawer__title, .el-drawer__header').first().textContent()).toContain('传输')
    await screenshot(page, 'transfers-zh-CN')
    await closeTransfers(page)
  })

  it('switches to English with the language switch (and back); the choice is remembered', async () => {
    shotOnFailure(() => page, 'i18n-en')
    await setLanguage(page, 'en')
    expect(await text('btn-create-image')).toBe('Create image')
    await search(page, prefix)
    await expect.poll(() => text('images-count')).toMatch(/^2 of \d+ images$/)
    const header = (await page.locator(`${tid('image-table')} .el-table-v2__header`).textContent()) ?? ''
    expect(header).toContain('Name')
    expect(header).not.toContain('名称')
    await screenshot(page, 'list-en-switched')
    await page.locator(tid('btn-create-image')).click()
    const dialog = page.locator(tid('create-dialog'))
    await dialog.waitFor()
    await settled(dialog)
    expect(await dialog.locator('.el-dialog__title').textContent()).toBe('Create image')
    expect(await dialog.locator(`${tid('create-os-type')}`).textContent()).toContain('Select')
    await screenshot(page, 'create-form-en-switched')
    await dialog.locator(tid('create-cancel')).click()
    await dialog.waitFor({ state: 'hidden' })

    // remembered across a reload
    await page.reload()
    await waitForImages(page)
    expect(await lang()).toBe('en')
    await setLanguage(page, 'zh-CN')
    expect(await text('btn-create-image')).toBe('创建镜像')
    await setLanguage(page, 'en')
  })

  it('dark theme: list, detail, create form, transfers and profiles', async () => {
    shotOnFailure(() => page, 'i18n-dark')
    const theme = page.locator(tid('theme-switch'))
    if ((await theme.getAttribute('data-theme')) !== 'dark') await theme.click()
    await expect.poll(() => theme.getAttribute('data-theme')).toBe('dark')
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { className: string } } }).document.documentElement.className),
    ).toContain('dark')
    // the page really is dark
    const bg = await page.evaluate(() => {
      const g = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string }; document: { body: unknown } }
      return g.getComputedStyle(g.document.body).backgroundColor
    })
    const [r, gr, b] = (bg.match(/\d+/g) ?? ['255', '255', '255']).map(Number)
    expect((r! + gr! + b!) / 3, bg).toBeLessThan(100)
    await search(page, prefix)
    await findImage(page, `${prefix}-ubuntu`)
    await screenshot(page, 'list-dark')
    const drawer = await openDetail(page, `${prefix}-ubuntu`)
    await settled(drawer)
    await screenshot(page, 'detail-dark')
    await closeDrawer(page)
    await page.locator(tid('btn-create-image')).click()
    const dialog = page.locator(tid('create-dialog'))
    await dialog.waitFor()
    await settled(dialog)
    await screenshot(page, 'create-form-dark')
    await dialog.locator(tid('create-cancel')).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator(tid('btn-transfers')).click()
    await settled(page.locator(tid('transfers-panel')))
    await screenshot(page, 'transfers-dark')
    await closeTransfers(page)
    await page.locator(tid('btn-profiles')).click()
    await page.locator(tid('profile-row')).first().waitFor()
    await screenshot(page, 'profiles-dark')
    await theme.click()
    await expect.poll(() => theme.getAttribute('data-theme')).toBe('light')
  })
})
