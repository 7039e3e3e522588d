/**
 * Issue 11.5: the profile dialog edits flat fields and sends the credentials as the `auth` union: an application
 * credential profile saved unchanged goes back exactly as it came (domain id included), and switching it to password
 * shows the project fields and sends password credentials only.
 */
import { afterEach, expect, it, vi } from 'vitest'
import { appCredentialAuth, type ProfileDTO, type ProfileInput } from '@contract/api'
import ProfileDialog from '@/components/ProfileDialog.vue'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { byTestId, flush, mountWith } from './support/mount'
import { installMockApi, ok } from './support/mockApi'

const saved: ProfileDTO = {
  ...emptyProfile(),
  id: 'p1',
  name: 'ci',
  authUrl: 'https://keystone.example.com:5000/v3',
  auth: appCredentialAuth({ appCredentialName: 'ci-cred', username: 'bot', userDomainName: '', userDomainId: 'dom-1' }),
  regions: ['RegionOne'],
  defaultRegion: 'RegionOne',
  source: 'saved',
  secretState: 'stored',
  order: 0,
}

afterEach(() => {
  document.body.innerHTML = ''
})

/** el-input puts data-testid on the native <input> itself. */
function input(testId: string): HTMLInputElement {
  const found = byTestId(testId)!
  return (found.matches('input') ? found : found.querySelector('input')) as HTMLInputElement
}

function type(testId: string, value: string): void {
  const el = input(testId)
  el.value = value
  el.dispatchEvent(new Event('input'))
}

async function open() {
  const api = installMockApi()
  api.profiles.state.mockImplementation(() => ok({ profiles: [saved], encryptionAvailable: true }))
  api.profiles.update.mockImplementation((_id, input) => ok({ ...saved, ...(input as object) }))
  const w = mountWith(ProfileDialog, { props: { modelValue: true, profile: saved } })
  await useProfilesStore().load()
  await flush()
  return { api, w }
}

it('an application credential profile saved unchanged is sent back as it came', async () => {
  const { api, w } = await open()
  expect(input('profile-appcred-name').value).toBe('ci-cred')
  expect(byTestId('profile-project-name')).toBeNull()
  byTestId('profile-save')!.click()
  await vi.waitFor(() => expect(api.profiles.update).toHaveBeenCalled())
  expect((api.profiles.update.mock.calls[0]![1] as ProfileInput).auth).toEqual(saved.auth)
  w.unmount()
}, 60_000)

it('switched to password: the project fields appear, and only password credentials are sent', async () => {
  const { api, w } = await open()
  byTestId('profile-auth-password')!.click()
  await flush()
  expect(byTestId('profile-appcred-name')).toBeNull()
  type('profile-project-name', 'ops')
  await flush()
  byTestId('profile-save')!.click()
  await vi.waitFor(() => expect(api.profiles.update).toHaveBeenCalled())
  expect((api.profiles.update.mock.calls[0]![1] as ProfileInput).auth).toEqual({
    type: 'password',
    username: 'bot',
    userId: '',
    userDomainName: '',
    userDomainId: 'dom-1',
    projectName: 'ops',
    projectId: '',
    projectDomainName: 'Default',
  })
  w.unmount()
}, 60_000)
