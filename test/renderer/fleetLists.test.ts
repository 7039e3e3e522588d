/**
 * Per-region list state in the images store (issues 15.1 and 14.8, helper D2): every profile+region keeps its rows,
 * filters, sort and selection; a list never shows another connection's rows; a list shown again later is reloaded
 * in the background (rows kept until the new listing is complete); a new image goes where the sort puts it.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import { passwordAuth, type ImageDTO, type ProfileDTO } from '@contract/api'
import { STALE_MS, useImagesStore } from '@/stores/images'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { compareImages, insertionIndex } from '@/lib/sortInsert'
import { image, installMockApi, ok, type MockApi } from './support/mockApi'

function profile(id: string, over: Partial<ProfileDTO> = {}): ProfileDTO {
  return {
    ...emptyProfile(),
    id,
    name: id,
    authUrl: 'http://k/v3',
    auth: passwordAuth({ projectName: 'a' }),
    regions: ['R1', 'R2'],
    defaultRegion: 'R1',
    source: 'saved',
    secretState: 'stored',
    order: 0,
    ...over,
  }
}

let api: MockApi
beforeEach(async () => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = installMockApi()
  api.profiles.state.mockImplementation(() => ok({ profiles: [profile('p1'), profile('p2')], encryptionAvailable: true }))
  await useProfilesStore().load()
})

const named = (...names: string[]): ImageDTO[] => names.map((name) => image({ name }))

describe('images store: a new image goes where the sort puts it', () => {
  it('sorted by name ascending: in the middle, not at the top', async () => {
    api.images.list.mockImplementation(() => ok({ images: named('alpha', 'charlie', 'echo') }))
    const store = useImagesStore()
    await store.setSort([{ key: 'name', dir: 'asc' }])
    store.upsert({ profileId: 'p1', region: 'R1' }, image({ name: 'delta' }))
    expect(store.current!.images.map((i) => i.name)).toEqual(['alpha', 'charlie', 'delta', 'echo'])
  })

  it('sorted by created_at descending (the default): a newer image first, an older one below the newer ones', async () => {
    api.images.list.mockImplementation(() =>
      ok({ images: [image({ name: 'b', createdAt: '2024-03-01T00:00:00Z' }), image({ name: 'a', createdAt: '2024-01-01T00:00:00Z' })] }),
    )
    const store = useImagesStore()
    await store.load()
    store.upsert({ profileId: 'p1', region: 'R1' }, image({ name: 'new', createdAt: '2024-04-01T00:00:00Z' }))
    store.upsert({ profileId: 'p1', region: 'R1' }, image({ name: 'mid', createdAt: '2024-02-01T00:00:00Z' }))
    expect(store.current!.images.map((i) => i.name)).toEqual(['new', 'b', 'mid', 'a'])
  })

  it('sizes: null last; ties keep the list order', () => {
    const list = [image({ name: 'x', size: 1 }), image({ name: 'y', size: 5 }), image({ name: 'z', size: null })]
    expect(insertionIndex(list, image({ size: 5 }), [{ key: 'size', dir: 'asc' }])).toBe(2)
    expect(insertionIndex(list, image({ size: null }), [{ key: 'size', dir: 'asc' }])).toBe(3)
    expect(compareImages(image({ size: 2 }), image({ size: 1 }), [{ key: 'size', dir: 'desc' }])).toBeLessThan(0)
  })
})

describe('images store: one list state per profile and region', () => {
  it('filters, sort, search and selection stay with their region', async () => {
    api.images.list.mockImplementation((ctx) => ok({ images: named(`in-${(ctx as { region: string }).region}`) }))
    const profiles = useProfilesStore()
    const store = useImagesStore()
    await store.setSort([{ key: 'name', dir: 'asc' }])
    store.setSearch('in')
    store.setSelected([store.current!.images[0]!.id])
    profiles.selectRegion('R2')
    await nextTick()
    await store.ensureLoaded()
    expect(store.current!.ctx).toEqual({ profileId: 'p1', region: 'R2' })
    expect(store.current!.images.map((i) => i.name)).toEqual(['in-R2'])
    expect(store.current!.sort).toEqual([{ key: 'created_at', dir: 'desc' }])
    expect(store.current!.selected).toEqual([])
    profiles.selectRegion('R1')
    await nextTick()
    expect(store.current!.sort).toEqual([{ key: 'name', dir: 'asc' }])
    expect(store.current!.search).toBe('in')
    expect(store.current!.selected).toHaveLength(1)
  })
})

describe('images store: never stale', () => {
  it("a profile whose connection changed loses its rows (they were the old project's)", async () => {
    api.images.list.mockImplementation(() => ok({ images: named('old-project-image') }))
    const profiles = useProfilesStore()
    const store = useImagesStore()
    await store.load()
    expect(store.shown.map((i) => i.name)).toEqual(['old-project-image'])
    // the profile is edited to another project (profiles:changed)
    profiles.apply({ profiles: [profile('p1', { auth: passwordAuth({ projectName: 'b' }) }), profile('p2')], encryptionAvailable: true })
    await nextTick()
    expect(store.shown).toEqual([])
    expect(store.current?.loaded ?? false).toBe(false)
    api.images.list.mockImplementation(() => ok({ images: named('new-project-image') }))
    await store.ensureLoaded()
    expect(store.shown.map((i) => i.name)).toEqual(['new-project-image'])
  })

  it('a list shown again after a while is reloaded in the background, its rows kept until the listing is complete', async () => {
    api.images.list.mockImplementation(() => ok({ images: named('first') }))
    const profiles = useProfilesStore()
    const store = useImagesStore()
    await store.load()
    profiles.select('p2')
    await nextTick()
    await store.ensureLoaded()
    profiles.select('p1')
    await nextTick()
    let release!: () => void
    api.images.list.mockImplementationOnce(() => ok({ images: named('second-1'), next: 'c' }))
    api.images.list.mockImplementationOnce(() => new Promise((r) => (release = () => r({ ok: true, value: { images: named('second-2') } }))))
    const done = store.ensureLoaded(Date.now() + STALE_MS + 1)
    await new Promise((r) => setTimeout(r, 0))
    expect(store.current!.images.map((i) => i.name)).toEqual(['first'])
    expect(store.current!.loading).toBe(true)
    release()
    await done
    expect(store.current!.images.map((i) => i.name)).toEqual(['second-1', 'second-2'])
  })

  it('a list shown again soon is not reloaded (switching is instant)', async () => {
    api.images.list.mockImplementation(() => ok({ images: named('x') }))
    const store = useImagesStore()
    await store.load()
    const n = api.images.list.mock.calls.length
    await store.ensureLoaded()
    expect(api.images.list.mock.calls.length).toBe(n)
  })
})
