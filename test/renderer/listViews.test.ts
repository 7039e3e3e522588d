// C3 (issue 14 "List"): multi-column sort, changes-since and saved filters per profile reach the list's query.
import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import type { ImageQuery, ProfileDTO } from '@contract/api'
import { useImagesStore } from '@/stores/images'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { activeFilterCount, buildQuery, emptyFilters, MAX_SORT_KEYS, sortAfterClick } from '@/lib/imageList'
import { parseBook, reloadSavedFilters, SAVED_FILTERS_KEY, useSavedFilters } from '@/composables/useSavedFilters'
import { image, installMockApi, ok, type MockApi } from './support/mockApi'

function profile(id: string): ProfileDTO {
  return { ...emptyProfile(), id, name: id, authUrl: 'http://k/v3', regions: ['R1'], defaultRegion: 'R1', source: 'saved', secretState: 'stored', order: 0 }
}

let api: MockApi
beforeEach(async () => {
  localStorage.clear()
  reloadSavedFilters()
  setActivePinia(createPinia())
  api = installMockApi()
  api.profiles.state.mockImplementation(() => ok({ profiles: [profile('p1'), profile('p2')], encryptionAvailable: true }))
  api.images.list.mockImplementation(() => ok({ images: [image({ name: 'x' })] }))
  await useProfilesStore().load()
})

const lastQuery = (): ImageQuery => api.images.list.mock.calls.at(-1)![1] as ImageQuery

describe('multi-column sort', () => {
  it('a plain header click sorts by that column alone; Shift+click adds it as the next key', () => {
    const one = sortAfterClick([{ key: 'created_at', dir: 'desc' }], 'name', 'asc', false)
    expect(one).toEqual([{ key: 'name', dir: 'asc' }])
    const two = sortAfterClick(one, 'size', 'desc', true)
    expect(two).toEqual([
      { key: 'name', dir: 'asc' },
      { key: 'size', dir: 'desc' },
    ])
    // Shift+click on a key already in the sort flips it in place
    expect(sortAfterClick(two, 'name', 'desc', true)).toEqual([
      { key: 'name', dir: 'desc' },
      { key: 'size', dir: 'desc' },
    ])
    // bounded: the first key stays, the oldest secondary goes
    let s = two
    for (const k of ['status', 'owner', 'id']) s = sortAfterClick(s, k, 'asc', true)
    expect(s).toHaveLength(MAX_SORT_KEYS)
    expect(s[0]).toEqual({ key: 'name', dir: 'asc' })
    expect(s.at(-1)).toEqual({ key: 'id', dir: 'asc' })
  })

  it('a sort of two keys reaches the list query, in order', async () => {
    const store = useImagesStore()
    await store.setSort([
      { key: 'disk_format', dir: 'asc' },
      { key: 'name', dir: 'desc' },
    ])
    expect(lastQuery().sort).toEqual([
      { key: 'disk_format', dir: 'asc' },
      { key: 'name', dir: 'desc' },
    ])
  })
})

describe('changes-since', () => {
  it('goes into the query as changesSince and counts as a filter', async () => {
    const f = { ...emptyFilters(), changesSince: '2026-12-01T10:00:00+00:00' }
    expect(activeFilterCount(f)).toBe(1)
    expect(buildQuery(f)).toEqual({ limit: 1000, changesSince: '2026-12-01T10:00:00+00:00' })
    expect(buildQuery(emptyFilters())).not.toHaveProperty('changesSince')
    await useImagesStore().applyFilters(f)
    expect(lastQuery().changesSince).toBe('2026-12-01T10:00:00+00:00')
  })
})

describe('saved filters per profile', () => {
  it('a saved filter is restored after a profile switch (and another profile does not see it)', async () => {
    const profiles = useProfilesStore()
    const store = useImagesStore()
    const saved = useSavedFilters()
    const f = { ...emptyFilters(), status: ['active'], tags: ['gold'], changesSince: '2026-11-30T00:00:00Z' }
    const sort = [
      { key: 'name', dir: 'asc' as const },
      { key: 'size', dir: 'desc' as const },
    ]
    expect(saved.save('p1', '  gold actives ', f, sort)).toBe(true)
    expect(saved.save('p1', '   ', f, sort)).toBe(false) // a blank name is refused

    profiles.select('p2')
    await nextTick()
    expect(saved.saved('p2')).toEqual([])

    // the app restarts: only what is in storage is left
    reloadSavedFilters()
    profiles.select('p1')
    await nextTick()
    const [entry, ...rest] = saved.saved('p1')
    expect(rest).toEqual([])
    expect(entry!.name).toBe('gold actives')
    await store.applyView(entry!.filters, entry!.sort)
    const call = api.images.list.mock.calls.at(-1)!
    expect(call[0]).toEqual({ profileId: 'p1', region: 'R1' })
    expect(call[1]).toMatchObject({ status: ['active'], tags: ['gold'], changesSince: '2026-11-30T00:00:00Z', sort })
    expect(store.current!.filters.tags).toEqual(['gold'])
    expect(store.current!.sort).toEqual(sort)
  })

  it('same name replaces; remove drops; a damaged storage entry is ignored, not thrown', () => {
    const saved = useSavedFilters()
    saved.save('p1', 'a', { ...emptyFilters(), name: 'one' }, [])
    saved.save('p1', 'a', { ...emptyFilters(), name: 'two' }, [])
    expect(saved.saved('p1').map((s) => s.filters.name)).toEqual(['two'])
    saved.remove('p1', 'a')
    expect(saved.saved('p1')).toEqual([])
    expect(JSON.parse(localStorage.getItem(SAVED_FILTERS_KEY)!)).toEqual({})
    expect(parseBook('{not json')).toEqual({})
    const book = parseBook(JSON.stringify({ p1: [{ name: 'ok', filters: { name: 'x' } }, { name: '', filters: {} }, 7], p2: 'x' }))
    expect(Object.keys(book)).toEqual(['p1'])
    expect(book.p1![0]!.filters).toEqual({ ...emptyFilters(), name: 'x' })
  })
})
