/**
 * The region switcher (renderer/components/ProfileSwitcher.vue) for a profile built from OS_* variables: its own
 * region list is only OS_REGION_NAME, yet the catalog has RegionTwo (issue 14.5). On the old code the switcher stayed
 * disabled with RegionOne alone; now it asks fleet:regions and offers both, in English and in Chinese alike.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ProfileDTO } from '@contract/api'
import ProfileSwitcher from '@/components/ProfileSwitcher.vue'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { flush, mountWith } from './support/mount'
import { installMockApi, ok } from './support/mockApi'

const envProfile: ProfileDTO = {
  ...emptyProfile(),
  id: 'env',
  name: 'admin@OS_*',
  authUrl: 'http://127.0.0.1:5000/v3',
  regions: ['RegionOne'],
  defaultRegion: 'RegionOne',
  source: 'env',
  secretState: 'session',
  order: 0,
}

afterEach(() => {
  document.body.innerHTML = ''
  localStorage.clear()
})

describe('region switcher: regions from the catalog', () => {
  for (const locale of ['en', 'zh-CN'] as const) {
    it(`an OS_* profile offers RegionTwo (${locale})`, async () => {
      localStorage.clear()
      const api = installMockApi()
      api.profiles.state.mockImplementation(() => ok({ profiles: [envProfile], encryptionAvailable: true }))
      api.fleet.regions.mockImplementation(() => ok({ regions: ['RegionOne', 'RegionTwo'], catalog: ['RegionOne', 'RegionTwo'] }))
      const w = mountWith(ProfileSwitcher, {}, locale)
      await useProfilesStore().load()
      await vi.waitFor(() => expect(api.fleet.regions).toHaveBeenCalledWith('env'))
      await flush()
      await w.vm.$nextTick()
      const sw = w.find('[data-testid="region-switcher"]')
      expect(sw.html()).not.toMatch(/is-disabled/)
      expect(useProfilesStore().regions).toEqual(['RegionOne', 'RegionTwo'])
      w.unmount()
    })
  }

  it('a profile that cannot connect keeps its own list (the switcher stays as it was)', async () => {
    const api = installMockApi()
    api.profiles.state.mockImplementation(() => ok({ profiles: [envProfile], encryptionAvailable: true }))
    api.fleet.regions.mockImplementation(() => Promise.resolve({ ok: false, error: { code: 'NO_SECRET', message: 'x' } }))
    const w = mountWith(ProfileSwitcher)
    await useProfilesStore().load()
    await vi.waitFor(() => expect(api.fleet.regions).toHaveBeenCalled())
    await flush()
    expect(useProfilesStore().regions).toEqual(['RegionOne'])
    expect(w.find('[data-testid="region-switcher"]').html()).toMatch(/is-disabled/)
    w.unmount()
  })
})
