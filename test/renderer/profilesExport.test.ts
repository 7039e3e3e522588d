/**
 * C4: the profiles page exports the current profile's openrc (pickSave 'openrc', then profiles.exportOpenrc with
 * that profile's id), and the environment profile's "Save" says what it saved and where the secret went, in en and zh-CN.
 */
import { afterEach, expect, it } from 'vitest'
import { createMemoryHistory, createRouter, routeLocationKey, routerKey } from 'vue-router'
import { passwordAuth, type ProfileDTO } from '@contract/api'
import ProfilesView from '@/views/ProfilesView.vue'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { byTestId, flush, mountWith } from './support/mount'
import { installMockApi, ok } from './support/mockApi'

const base: ProfileDTO = {
  ...emptyProfile(),
  id: 'p1',
  name: 'prod',
  authUrl: 'https://keystone.example.com:5000/v3',
  auth: passwordAuth({ username: 'alice', projectName: 'ops' }),
  source: 'saved',
  secretState: 'stored',
  order: 0,
}

afterEach(() => {
  document.body.innerHTML = ''
})

async function mountView(locale: 'en' | 'zh-CN', profiles: ProfileDTO[]) {
  const api = installMockApi()
  api.profiles.state.mockImplementation(() => ok({ profiles, encryptionAvailable: true }))
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
  await router.push('/profiles')
  const w = mountWith(ProfilesView, { global: { provide: { [routerKey as symbol]: router, [routeLocationKey as symbol]: router.currentRoute.value } } }, locale)
  await useProfilesStore().load()
  await flush()
  return { api, w }
}

it.each([
  ['en', /Export openrc \(prod\)/],
  ['zh-CN', /导出 openrc（prod）/],
] as const)(
  'exports the current profile as openrc (%s)',
  async (locale, label) => {
    const { api, w } = await mountView(locale, [base])
    useProfilesStore().select('p1')
    await flush()
    api.files.pickSave.mockImplementation(() => ok({ handle: 'h-openrc', name: 'prod-openrc.sh', size: 0 }))
    api.profiles.exportOpenrc.mockImplementation(() => ok({ path: '/tmp/prod-openrc.sh' }))
    const btn = byTestId('btn-export-openrc')!
    expect(btn.textContent).toMatch(label)
    btn.click()
    await flush()
    await flush()
    expect(api.files.pickSave).toHaveBeenCalledWith('openrc', 'prod-openrc.sh')
    expect(api.profiles.exportOpenrc).toHaveBeenCalledWith('p1', 'h-openrc')
    w.unmount()
  },
  60_000,
)

it.each([
  ['en', 'stored', /Saved the OS_\* environment as the profile "env-admin".*system keychain/],
  ['en', 'session', /"env-admin".*this session only/],
  ['zh-CN', 'stored', /连接配置“env-admin”.*系统钥匙串加密保存/],
  ['zh-CN', 'session', /“env-admin”.*仅在本次会话中保留/],
] as const)(
  "the environment profile's Save says what it saved and where the secret went (%s, %s)",
  async (locale, state, words) => {
    const env: ProfileDTO = { ...base, id: 'env', name: 'env-admin', source: 'env', secretState: 'session' }
    const { api, w } = await mountView(locale, [env])
    api.profiles.save.mockImplementation(() => ok({ ...env, id: 'p9', source: 'saved', secretState: state }))
    byTestId('profile-save-env')!.click()
    await flush()
    await flush()
    expect(api.profiles.save).toHaveBeenCalledWith('env')
    expect(document.body.textContent).toMatch(words)
    w.unmount()
  },
  60_000,
)
