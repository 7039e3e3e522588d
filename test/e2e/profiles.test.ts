/**
 * Profiles end to end (issue 4's "Done when", issue 6's switcher): in Debian's Chromium through the browser harness,
 * against the real loopback Keystone and both Glance regions. The harness starts with the admin's OS_* (a ready `env`
 * profile); the test creates a password profile for the member user in the dialog, tests it, switches to it and
 * between its regions, and deletes it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser, memberCloud } from '../support/cloud'
import { launchBrowser, screenshot, startTestHarness, type LaunchedBrowser, type PageGlobals, type TestHarness } from './support'
import { bytes, Glance, unique } from './support/openstack'
import { confirmBox, findImage, pickOption, search, tid, typeOptions, waitForImages } from './support/ui'

/** Every file under dir (the app's data dir). */
function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir)) {
    const p = join(dir, e)
    if (statSync(p).isDirectory()) out.push(...filesUnder(p))
    else out.push(p)
  }
  return out
}

describeBrowser('e2e: connection profiles', (admin) => {
  const member = memberCloud()!
  const profileName = unique('profile')
  const r1Name = unique('prof-r1')
  const r2Name = unique('prof-r2')
  const made: { g: Glance; id: string }[] = []
  let h: TestHarness
  let browser: LaunchedBrowser

  beforeAll(async () => {
    // An image of the member's project in each region, to see what the switcher shows.
    const g1 = new Glance(member, 'RegionOne')
    const g2 = new Glance(member, 'RegionTwo')
    made.push({ g: g1, id: (await g1.createActive({ name: r1Name, visibility: 'private' }, bytes(2048, 1))).id })
    made.push({ g: g2, id: (await g2.createActive({ name: r2Name, visibility: 'private' }, bytes(2048, 2))).id })
    h = await startTestHarness({ cloud: admin })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    // the profile, if the test stopped before deleting it
    if (h) {
      try {
        for (const p of h.services.profiles.state().profiles) if (p.name === profileName) h.services.profiles.remove(p.id)
      } catch {
        /* already gone */
      }
      await h.close()
    }
    for (const { g, id } of made) await g.destroy(id)
  })

  it('the OS_* cloud is a ready profile at start, and its images show at once', async () => {
    const page = await browser.newPage()
    await h.open(page, '#/images')
    await waitForImages(page)
    // the switcher shows the env profile, current
    const sw = page.locator(tid('profile-switcher'))
    await expect.poll(() => sw.textContent()).toContain('admin')
    await page.locator(tid('btn-profiles')).click()
    const row = page.locator(`${tid('profile-row')}[data-source="env"]`)
    await row.waitFor()
    expect(await row.locator(tid('profile-env-tag')).count()).toBe(1)
    expect(await row.locator(tid('profile-secret-state')).textContent()).toMatch(/session/i)
    expect(await row.textContent()).toContain(admin.authUrl)
    await screenshot(page, 'profiles-en')
    await page.close()
  })

  it('creates a password profile in the dialog, tests it, switches to it and its regions, and deletes it', async () => {
    const page = await browser.newPage()
    await h.open(page, '#/profiles')
    await page.locator(tid('profiles-view')).waitFor()
    const before = await page.locator(tid('profile-row')).count()

    // --- the dialog: validation first
    await page.locator(tid('btn-add-profile')).click()
    const dialog = page.locator(tid('profile-dialog'))
    await dialog.waitFor()
    await dialog.locator(tid('profile-save')).click()
    await expect.poll(() => dialog.locator('.el-form-item__error').count()).toBeGreaterThan(0)

    await dialog.locator(tid('profile-name')).fill(profileName)
    await typeOptions(page, dialog.locator(tid('profile-group')), ['e2e'])
    await dialog.locator(tid('profile-auth-url')).fill(member.authUrl)
    await dialog.locator(tid('profile-auth-password')).click()
    await dialog.locator(tid('profile-username')).fill(member.username)
    await dialog.locator(tid('profile-user-domain')).fill(member.userDomainName)
    await dialog.locator(tid('profile-project-name')).fill(member.projectName)
    await dialog.locator(tid('profile-project-domain')).fill(member.projectDomainName)
    await dialog.locator(tid('profile-secret')).fill(member.password)
    const sessionOnly = dialog.locator(tid('profile-secret-session'))
    if (await sessionOnly.count()) await sessionOnly.click()
    await typeOptions(page, dialog.locator(tid('profile-regions')), ['RegionOne', 'RegionTwo'])
    await pickOption(page, dialog.locator(tid('profile-default-region')), { text: 'RegionOne' })
    await dialog.locator(tid('profile-notes')).fill('made by the e2e test')

    // a wrong password first: the error is in the user's terms
    await dialog.locator(tid('profile-secret')).fill('not-the-password')
    await dialog.locator(tid('profile-test')).click()
    const testErr = dialog.locator(tid('profile-test-error'))
    await testErr.waitFor({ timeout: 30_000 })
    expect(await testErr.textContent()).toMatch(/password|credential|401/i)

    await dialog.locator(tid('profile-secret')).fill(member.password)
    await dialog.locator(tid('profile-test')).click()
    const report = dialog.locator(tid('connection-report'))
    await report.waitFor({ timeout: 30_000 })
    expect(await report.locator(tid('report-user')).textContent()).toContain(member.username)
    expect(await report.locator(tid('report-project')).textContent()).toContain(member.projectName)
    expect(await report.locator(tid('report-roles')).textContent()).toContain('member')
    await screenshot(page, 'profile-dialog-en')
    await dialog.locator(tid('profile-save')).click()
    await dialog.waitFor({ state: 'hidden' })

    // --- the list: the new profile, its secret held for the session only
    const row = page.locator(`${tid('profile-row')}[data-name="${profileName}"]`)
    await row.waitFor()
    expect(await page.locator(tid('profile-row')).count()).toBe(before + 1)
    expect(await row.getAttribute('data-source')).toBe('saved')
    expect(await row.locator(tid('profile-secret-state')).textContent()).toMatch(/session/i)
    expect(await page.locator(`${tid('profile-group')}[data-group="e2e"]`).count()).toBe(1)
    const state = await page.evaluate(() => (globalThis as unknown as PageGlobals).api.profiles.state())
    const dto = state.ok ? state.value.profiles.find((p) => p.name === profileName) : undefined
    expect(dto).toMatchObject({ secretState: 'session', regions: ['RegionOne', 'RegionTwo'], defaultRegion: 'RegionOne', auth: { username: member.username } })
    // nothing the app wrote holds the secret (session only: not even encrypted)
    for (const f of filesUnder(h.dataDir)) expect(readFileSync(f).includes(member.password), f).toBe(false)

    // --- test connection from the list
    await row.locator(tid('profile-test-btn')).click()
    const testDialog = page.locator(tid('test-dialog'))
    const listReport = testDialog.locator(tid('connection-report'))
    await listReport.waitFor({ timeout: 30_000 })
    const regions = (await listReport.locator(tid('report-regions')).textContent()) ?? ''
    expect(regions).toContain('RegionOne')
    expect(regions).toContain('RegionTwo')
    expect(await listReport.locator(tid('report-endpoints')).textContent()).toContain(':9293')
    // what the member may do, as the report says: no publicizing
    expect(await listReport.locator(`${tid('report-rights')} [data-allowed="false"]`).count()).toBeGreaterThan(0)
    await screenshot(page, 'profile-test-report-en')
    await testDialog.locator('.el-dialog__headerbtn').click()
    await testDialog.waitFor({ state: 'hidden' })

    // --- switch to it with the switcher: its own images (the member's RegionOne fixture)
    await page.locator(tid('btn-images')).click()
    await pickOption(page, 'profile-switcher', { testid: `profile-option-${profileName}` })
    await expect.poll(() => page.locator(tid('profile-switcher')).textContent()).toContain(profileName)
    await waitForImages(page)
    expect(await page.locator(tid('region-switcher')).textContent()).toContain('RegionOne')
    await findImage(page, r1Name)
    await search(page, r2Name)
    await page.locator(tid('empty-images')).waitFor()

    // --- switch region: RegionTwo's images, not RegionOne's
    await search(page, '')
    await pickOption(page, 'region-switcher', { testid: 'region-option-RegionTwo' })
    await expect.poll(() => page.locator(tid('region-switcher')).textContent()).toContain('RegionTwo')
    await waitForImages(page)
    await findImage(page, r2Name)
    await search(page, r1Name)
    await page.locator(tid('empty-images')).waitFor()
    await search(page, '')
    await screenshot(page, 'switcher-regiontwo-en')

    // --- switching back to the env profile is instant and keeps each profile's state apart
    await pickOption(page, 'profile-switcher', { text: 'admin' })
    await expect.poll(() => page.locator(tid('region-switcher')).textContent()).toContain('RegionOne')

    // --- delete it (with confirmation)
    await page.locator(tid('btn-profiles')).click()
    await row.locator(tid('profile-delete')).click()
    const text = await confirmBox(page, 'confirm-delete-profile')
    expect(text).toContain(profileName)
    await row.waitFor({ state: 'detached' })
    expect(await page.locator(tid('profile-row')).count()).toBe(before)
    const after = h.services.profiles.state()
    expect(after.profiles.some((p) => p.name === profileName)).toBe(false)
    // the switcher no longer offers it
    await page.locator(tid('profile-switcher')).click()
    expect(await page.locator(`${tid(`profile-option-${profileName}`)}`).count()).toBe(0)
    await page.keyboard.press('Escape')
    expect(page.problems.filter((p) => /pageerror/.test(p))).toEqual([])
    await page.close()
  })
})
