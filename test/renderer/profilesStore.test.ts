import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { ProfileDTO } from '@contract/api'
import { useProfilesStore, SESSION_KEY } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { installMockApi, ok, type MockApi } from './support/mockApi'

const profile = (id: string, order: number, regions: string[] = []): ProfileDTO => ({
  ...emptyProfile(),
  id,
  name: id,
  authUrl: 'http://k/v3',
  regions,
  defaultRegion: regions[0] ?? '',
  source: 'saved',
  secretState: 'none',
  order,
})
let api: MockApi
beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = installMockApi()
})

describe('profiles store', () => {
  it('picks the first profile by order and remembers the choice and region (no secrets stored)', async () => {
    api.profiles.state.mockImplementation(() => ok({ profiles: [profile('b', 1, ['R1', 'R2']), profile('a', 0)], encryptionAvailable: false }))
    const s = useProfilesStore()
    await s.load()
    expect(s.currentId).toBe('a')
    expect(s.encryptionAvailable).toBe(false)
    s.select('b')
    s.selectRegion('R2')
    expect(s.ctx).toEqual({ profileId: 'b', region: 'R2' })
    const saved = JSON.parse(localStorage.getItem(SESSION_KEY)!)
    expect(saved).toEqual({ currentId: 'b', regionByProfile: { b: 'R2' } })
    setActivePinia(createPinia())
    const again = useProfilesStore()
    await again.load()
    expect(again.ctx).toEqual({ profileId: 'b', region: 'R2' })
  })

  it('follows profiles:changed events and falls back when the current profile disappears', async () => {
    api.profiles.state.mockImplementation(() => ok({ profiles: [profile('a', 0), profile('b', 1)], encryptionAvailable: true }))
    const s = useProfilesStore()
    await s.load()
    s.subscribe()
    s.select('b')
    api.emit('profiles:changed', { profiles: [profile('a', 0)], encryptionAvailable: true })
    expect(s.currentId).toBe('a')
  })

  it('a load error is kept and rethrown', async () => {
    const s = useProfilesStore()
    await expect(s.load()).rejects.toMatchObject({ code: 'INTERNAL' })
    expect(s.error?.message).toBe('not implemented yet')
  })
})
