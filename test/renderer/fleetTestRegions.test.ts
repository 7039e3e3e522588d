/**
 * "Test connection" offers to add the regions it found (issue 14.5, helper D2): after a test whose catalog has an
 * image service in RegionTwo, which the profile does not list, the dialog offers to add it, and Save sends it.
 */
import { afterEach, expect, it, vi } from 'vitest'
import { passwordAuth, type ConnectionReport, type ProfileDTO } from '@contract/api'
import ProfileDialog from '@/components/ProfileDialog.vue'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { byTestId, flush, mountWith } from './support/mount'
import { installMockApi, ok } from './support/mockApi'

const saved: ProfileDTO = {
  ...emptyProfile(),
  id: 'p1',
  name: 'prod',
  authUrl: 'https://keystone.example.com:5000/v3',
  auth: passwordAuth({ username: 'alice', projectName: 'ops' }),
  regions: ['RegionOne'],
  defaultRegion: 'RegionOne',
  source: 'saved',
  secretState: 'stored',
  order: 0,
}

afterEach(() => {
  document.body.innerHTML = ''
})

it('offers the regions with an image service that the list lacks, and saves them', async () => {
  const api = installMockApi()
  api.profiles.state.mockImplementation(() => ok({ profiles: [saved], encryptionAvailable: true }))
  const report = {
    ok: true,
    user: { id: 'u', name: 'alice' },
    project: { id: 'p', name: 'ops' },
    roles: ['member'],
    regions: ['RegionOne', 'RegionThree', 'RegionTwo'],
    endpoints: [{ region: 'RegionOne', image: 'http://g1' }, { region: 'RegionThree' }, { region: 'RegionTwo', image: 'http://g2' }],
    importMethods: [],
    stores: [],
    capabilities: { roles: ['member'], isAdmin: false, projectId: 'p', can: {}, importMethods: [], stores: [], volumeService: false },
    tokenExpiresAt: '2030-01-01T00:00:00Z',
  } as unknown as ConnectionReport
  api.profiles.testDraft.mockImplementation(() => ok(report))
  api.profiles.update.mockImplementation((_id, input) => ok({ ...saved, ...(input as object) }))
  const w = mountWith(ProfileDialog, { props: { modelValue: true, profile: saved } })
  await useProfilesStore().load()
  await flush()
  byTestId('profile-test')!.click()
  await vi.waitFor(() => expect(byTestId('profile-found-regions')).not.toBeNull())
  // RegionThree has no image service: not offered
  expect(byTestId('profile-found-regions')!.textContent).toContain('RegionTwo')
  expect(byTestId('profile-found-regions')!.textContent).not.toContain('RegionThree')
  byTestId('profile-add-regions')!.click()
  await flush()
  expect(byTestId('profile-found-regions')).toBeNull()
  byTestId('profile-save')!.click()
  await vi.waitFor(() => expect(api.profiles.update).toHaveBeenCalled())
  expect((api.profiles.update.mock.calls[0]![1] as { regions: string[] }).regions).toEqual(['RegionOne', 'RegionTwo'])
  w.unmount()
}, 60_000)
