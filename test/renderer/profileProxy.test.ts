/**
 * Issue 14: the Proxy section of the profile form (ProfileProxyFields.vue in ProfileDialog): the form's validation
 * words each refusal in English and Chinese, normalizing drops what an unused mode would not use, and Save sends the
 * manual proxy; a profile without the setting shows and keeps the system proxy.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { passwordAuth, type ProfileDTO, type ProfileInput } from '@contract/api'
import ProfileDialog from '@/components/ProfileDialog.vue'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile, normalizeProfile, validateProfile } from '@/lib/profileForm'
import { issueText } from '@/lib/imageForm'
import { createAppI18n } from '@/i18n'
import { byTestId, flush, mountWith } from './support/mount'
import { installMockApi, ok } from './support/mockApi'

const valid = (o: Partial<ProfileInput> = {}): ProfileInput => ({
  ...emptyProfile(),
  name: 'prod',
  authUrl: 'https://k:5000/v3',
  auth: passwordAuth({ username: 'admin', projectName: 'admin' }),
  ...o,
})
const errs = (p: ProfileInput) => Object.fromEntries(Object.entries(validateProfile(p, []).errors).map(([k, v]) => [k, v.map((i) => i.key)]))

afterEach(() => {
  document.body.innerHTML = ''
})

describe('proxy validation in the form', () => {
  it('manual: SOCKS, user:password@, no URL, a bad no-proxy entry are refused at their field; other modes are not checked', () => {
    expect(errs(valid({ proxy: { mode: 'manual', httpProxy: 'http://proxy:3128', noProxy: 'localhost, .corp' } }))).toEqual({})
    expect(errs(valid({ proxy: { mode: 'manual', httpProxy: 'socks5://p:1080' } }))).toEqual({ 'proxy.httpProxy': ['valid.proxySocks'] })
    expect(errs(valid({ proxy: { mode: 'manual', httpProxy: 'http://p:1', httpsProxy: 'http://u:pw@p:1' } }))).toEqual({
      'proxy.httpsProxy': ['valid.proxyUserinfo'],
    })
    expect(errs(valid({ proxy: { mode: 'manual' } }))).toEqual({ 'proxy.httpProxy': ['valid.proxyMissing'] })
    expect(errs(valid({ proxy: { mode: 'manual', httpProxy: 'http://p:1', noProxy: 'a/b' } }))).toEqual({ 'proxy.noProxy': ['valid.noProxyEntry'] })
    expect(errs(valid({ proxy: { mode: 'none', httpProxy: 'socks5://left-over' } }))).toEqual({})
    expect(errs(valid())).toEqual({})
  })
  it('every refusal is worded in en and zh-CN', () => {
    const cases: [ProfileInput['proxy'], RegExp, RegExp][] = [
      [{ mode: 'manual', httpProxy: 'socks5://p:1080' }, /SOCKS proxies \(socks5:\/\/\) are not supported/, /不支持 SOCKS 代理（socks5:\/\/）/],
      [{ mode: 'manual', httpProxy: 'http://u:pw@p:1' }, /Proxy authentication is not supported yet/, /目前尚不支持代理认证/],
      [{ mode: 'manual', httpProxy: 'ftp://p:21' }, /not ftp:\/\//, /而不是 ftp:\/\//],
      [{ mode: 'manual', httpProxy: 'p:3128' }, /like http:\/\/proxy.example.com:3128/, /例如 http:\/\/proxy.example.com:3128/],
      [{ mode: 'manual', httpProxy: 'http://p:1/x' }, /without a path/, /不能包含路径/],
      [{ mode: 'manual' }, /Enter the proxy URL/, /请输入代理地址/],
      [{ mode: 'manual', httpProxy: 'http://p:1', noProxy: 'a/b' }, /“a\/b” is not a host/, /“a\/b”不是主机名/],
    ]
    for (const [proxy, enRe, zhRe] of cases) {
      const issue = Object.values(validateProfile(valid({ proxy }), []).errors)[0]![0]!
      for (const [locale, re] of [
        ['en', enRe],
        ['zh-CN', zhRe],
      ] as const) {
        const t = createAppI18n(locale).global.t as (k: string, p?: Record<string, unknown>) => string
        expect(issueText(issue, t), `${locale} ${JSON.stringify(proxy)}`).toMatch(re)
      }
    }
  })
  it('normalize trims the manual values and drops them for system / none', () => {
    expect(normalizeProfile(valid({ proxy: { mode: 'manual', httpProxy: ' http://p:1 ', httpsProxy: ' ', noProxy: ' localhost ' } })).proxy).toEqual({
      mode: 'manual',
      httpProxy: 'http://p:1',
      noProxy: 'localhost',
    })
    expect(normalizeProfile(valid({ proxy: { mode: 'none', httpProxy: 'http://p:1' } })).proxy).toEqual({ mode: 'none' })
    expect(normalizeProfile(valid()).proxy).toBeUndefined()
  })
})

describe('the Proxy section of the profile dialog', () => {
  const saved: ProfileDTO = { ...valid(), id: 'p1', regions: ['RegionOne'], defaultRegion: 'RegionOne', source: 'saved', secretState: 'stored', order: 0 }

  it('shows the system proxy for a profile without the setting; manual + a URL is what Save sends', async () => {
    const api = installMockApi()
    api.profiles.state.mockImplementation(() => ok({ profiles: [saved], encryptionAvailable: true }))
    api.profiles.update.mockImplementation((_id, input) => ok({ ...saved, ...(input as object) }))
    const w = mountWith(ProfileDialog, { props: { modelValue: true, profile: saved } })
    await useProfilesStore().load()
    await flush()
    const radio = (m: string) => byTestId(`profile-proxy-${m}`)!.querySelector('input') as HTMLInputElement
    expect(radio('system').checked).toBe(true)
    expect(byTestId('profile-http-proxy')).toBeNull()
    // happy-dom does not forward a click on a <label> to its radio: check it and say so, as the browser would
    radio('manual').checked = true
    radio('manual').dispatchEvent(new Event('change'))
    await flush()
    // a SOCKS URL is refused in the form, worded
    // el-input puts data-testid on the native <input> itself
    const input = byTestId('profile-http-proxy') as HTMLInputElement
    input.value = 'socks5://127.0.0.1:1080'
    input.dispatchEvent(new Event('input'))
    await flush()
    byTestId('profile-save')!.click()
    await vi.waitFor(() => expect(document.body.textContent).toContain('SOCKS proxies (socks5://) are not supported'))
    expect(api.profiles.update).not.toHaveBeenCalled()
    input.value = 'http://proxy.example.com:3128'
    input.dispatchEvent(new Event('input'))
    const no = byTestId('profile-no-proxy') as HTMLInputElement
    no.value = 'localhost, .corp'
    no.dispatchEvent(new Event('input'))
    await flush()
    byTestId('profile-save')!.click()
    await vi.waitFor(() => expect(api.profiles.update).toHaveBeenCalled())
    expect((api.profiles.update.mock.calls[0]![1] as ProfileInput).proxy).toEqual({
      mode: 'manual',
      httpProxy: 'http://proxy.example.com:3128',
      noProxy: 'localhost, .corp',
    })
    w.unmount()
  }, 60_000)

  it('an unchanged profile without the setting is saved without it (old profiles stay system)', async () => {
    const api = installMockApi()
    api.profiles.state.mockImplementation(() => ok({ profiles: [saved], encryptionAvailable: true }))
    api.profiles.update.mockImplementation((_id, input) => ok({ ...saved, ...(input as object) }))
    const w = mountWith(ProfileDialog, { props: { modelValue: true, profile: saved } })
    await useProfilesStore().load()
    await flush()
    byTestId('profile-save')!.click()
    await vi.waitFor(() => expect(api.profiles.update).toHaveBeenCalled())
    expect(api.profiles.update.mock.calls[0]![1]).not.toHaveProperty('proxy')
    w.unmount()
  }, 60_000)
})
