/**
 * B1 (issue 12.8, 12.1): a profile whose stored secret cannot be decrypted shows "locked" in the profile list, in
 * both languages; the main process's new reasons (NO_SECRET/identityChanged, CANCELLED/notConfirmed) are worded.
 */
import { afterEach, expect, it } from 'vitest'
import { createMemoryHistory, createRouter, routeLocationKey, routerKey } from 'vue-router'
import { passwordAuth, type ProfileDTO } from '@contract/api'
import ProfilesView from '@/views/ProfilesView.vue'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { describeError } from '@/lib/errors'
import { createAppI18n } from '@/i18n'
import { byTestId, flush, mountWith } from './support/mount'
import { installMockApi, ok } from './support/mockApi'

const locked: ProfileDTO = {
  ...emptyProfile(),
  id: 'p1',
  name: 'prod',
  authUrl: 'https://keystone.example.com:5000/v3',
  auth: passwordAuth({ username: 'alice', projectName: 'ops' }),
  source: 'saved',
  secretState: 'locked',
  order: 0,
}

afterEach(() => {
  document.body.innerHTML = ''
})

it.each([
  ['en', /locked/i],
  ['zh-CN', /锁定/],
] as const)(
  'the list shows a locked secret as locked (%s)',
  async (locale, words) => {
    const api = installMockApi()
    api.profiles.state.mockImplementation(() => ok({ profiles: [locked], encryptionAvailable: true }))
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
    await router.push('/profiles')
    const w = mountWith(
      ProfilesView,
      { global: { provide: { [routerKey as symbol]: router, [routeLocationKey as symbol]: router.currentRoute.value } } },
      locale,
    )
    await useProfilesStore().load()
    await flush()
    const tag = byTestId('profile-secret-state')!
    expect(tag.textContent).toMatch(words)
    w.unmount()
  },
  60_000,
)

it.each(['en', 'zh-CN'] as const)('the new reasons are worded (%s), not the English message', (locale) => {
  const i18n = createAppI18n(locale)
  const t = (k: string, p?: Record<string, unknown>): string => i18n.global.t(k, p ?? {})
  const a = describeError({ code: 'NO_SECRET', message: 'MAIN-ENGLISH', details: { reason: 'identityChanged', params: {} } }, t)
  const b = describeError(
    { code: 'CANCELLED', message: 'MAIN-ENGLISH', details: { reason: 'notConfirmed', params: { confirm: 'insecureTls', name: 'prod' } } },
    t,
  )
  const c = describeError({ code: 'FILE', message: 'MAIN-ENGLISH', details: { reason: 'caNotRegular', params: { path: '/tmp/ca.fifo' } } }, t)
  for (const d of [a, b, c]) expect(d.text).not.toContain('MAIN-ENGLISH')
  expect(b.text).toContain('prod')
  expect(c.text).toContain('/tmp/ca.fifo')
})
