import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import type { ImageDTO, ImagePage, ProfileDTO } from '@contract/api'
import { filterByKeys, searchKeysOf, useImagesStore } from '@/stores/images'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { filterByName, shouldAutoRefresh, transientIds, buildQuery, emptyFilters } from '@/lib/imageList'
import { fail, image, installMockApi, ok, type MockApi } from './support/mockApi'

function profile(id: string, regions: string[] = ['R1', 'R2']): ProfileDTO {
  return { ...emptyProfile(), id, name: id, authUrl: 'http://k/v3', regions, defaultRegion: regions[0] ?? '', source: 'saved', secretState: 'stored', order: 0 }
}

let api: MockApi
beforeEach(async () => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = installMockApi()
  api.profiles.state.mockImplementation(() => ok({ profiles: [profile('p1'), profile('p2')], encryptionAvailable: true }))
  await useProfilesStore().load()
})

function pages(all: ImageDTO[], size: number): (q: unknown, cursor?: string) => ImagePage {
  return (_q, cursor) => {
    const start = cursor ? Number(cursor) : 0
    const chunk = all.slice(start, start + size)
    const page: ImagePage = { images: chunk }
    if (start + size < all.length) page.next = String(start + size)
    return page
  }
}

describe('images store: paging', () => {
  it('whenFirstPage resolves once the first page is shown, not before (the capabilities wait for it: issue 16.4)', async () => {
    const resolvers: ((v: { ok: true; value: ImagePage }) => void)[] = []
    api.images.list.mockImplementation(() => new Promise((r) => void resolvers.push(r)))
    const store = useImagesStore()
    const ctx = { profileId: 'p1', region: 'R1' }
    await expect(store.whenFirstPage(ctx)).resolves.toBeUndefined() // nothing loading
    const loading = store.load(ctx)
    let first = false
    void store.whenFirstPage(ctx).then(() => (first = true))
    await new Promise((r) => setTimeout(r, 0))
    expect(first).toBe(false)
    resolvers.shift()!({ ok: true, value: { images: [image({ name: 'a' })], next: 'c1' } })
    await new Promise((r) => setTimeout(r, 0))
    expect(first).toBe(true)
    expect(store.lists.get('p1|R1')!.complete).toBe(false) // the next pages are still loading
    resolvers.shift()!({ ok: true, value: { images: [image({ name: 'b' })] } })
    await loading
    // a failed first page releases it too
    api.images.list.mockImplementation(() => fail('NETWORK', 'down'))
    const again = store.load(ctx)
    await expect(store.whenFirstPage(ctx)).resolves.toBeUndefined()
    await again
  })

  it("a new list's first query is the one the warm start prefetches the first page of (test/main/profiles/warm.test.ts)", async () => {
    api.images.list.mockImplementation(() => ok({ images: [] }))
    await useImagesStore().load({ profileId: 'p1', region: 'R1' })
    expect(api.images.list.mock.calls[0]![1]).toEqual({ limit: 1000, sort: [{ key: 'created_at', dir: 'desc' }] })
    expect(api.images.list.mock.calls[0]![2]).toBeUndefined()
  })

  it('follows next cursors with page size 1000 and keeps the query', async () => {
    const all = Array.from({ length: 2500 }, (_, i) => image({ name: `img-${i}` }))
    const serve = pages(all, 1000)
    api.images.list.mockImplementation((_ctx, q, cursor) => ok(serve(q, cursor as string | undefined)))
    const store = useImagesStore()
    await store.load()
    expect(api.images.list).toHaveBeenCalledTimes(3)
    const calls = api.images.list.mock.calls
    expect(calls[0]![0]).toEqual({ profileId: 'p1', region: 'R1' })
    expect((calls[0]![1] as { limit: number }).limit).toBe(1000)
    expect(calls[1]![2]).toBe('1000')
    expect(calls[2]![2]).toBe('2000')
    expect(store.current!.images).toHaveLength(2500)
    expect(store.current!.complete).toBe(true)
    expect(store.current!.loading).toBe(false)
  })

  it('stops at an empty last page (Glance gives a next link after a full last page)', async () => {
    let n = 0
    api.images.list.mockImplementation(() => {
      n++
      return ok(n === 1 ? { images: [image()], next: 'x' } : { images: [], next: 'y' })
    })
    const store = useImagesStore()
    await store.load()
    expect(n).toBe(2)
    expect(store.current!.images).toHaveLength(1)
  })

  it('keeps the error in state (no UI) and recovers on retry', async () => {
    api.images.list.mockImplementation(() => fail('NETWORK', 'connect ECONNREFUSED', { requestId: 'req-1' }))
    const store = useImagesStore()
    await store.load()
    expect(store.current!.error).toMatchObject({ code: 'NETWORK', requestId: 'req-1' })
    api.images.list.mockImplementation(() => ok({ images: [image()] }))
    await store.load()
    expect(store.current!.error).toBeNull()
    expect(store.current!.images).toHaveLength(1)
  })

  it('a superseded load does not overwrite the newer one', async () => {
    let release: (() => void) | null = null
    api.images.list.mockImplementationOnce(() => new Promise((r) => (release = () => r({ ok: true, value: { images: [image({ name: 'old' })] } }))))
    api.images.list.mockImplementationOnce(() => ok({ images: [image({ name: 'new' })] }))
    const store = useImagesStore()
    const first = store.load()
    await store.load()
    release!()
    await first
    expect(store.current!.images.map((i) => i.name)).toEqual(['new'])
  })

  it('sends server-side filters and sort', async () => {
    api.images.list.mockImplementation(() => ok({ images: [] }))
    const store = useImagesStore()
    await store.applyFilters({ ...emptyFilters(), status: ['active'], tags: ['gold'], osType: 'ubuntu', visibility: 'public' })
    await store.setSort([{ key: 'name', dir: 'asc' }])
    const q = api.images.list.mock.calls.at(-1)![1]
    expect(q).toEqual({ limit: 1000, status: ['active'], tags: ['gold'], osType: 'ubuntu', visibility: 'public', sort: [{ key: 'name', dir: 'asc' }] })
  })
})

describe('images store: per-profile state and search', () => {
  it('switching profile or region keeps each list separate and instant', async () => {
    api.images.list.mockImplementation((ctx) =>
      ok({ images: [image({ name: `of-${(ctx as { profileId: string; region: string }).profileId}-${(ctx as { region: string }).region}` })] }),
    )
    const profiles = useProfilesStore()
    const store = useImagesStore()
    await store.load()
    store.setSearch('of')
    profiles.select('p2')
    await nextTick()
    expect(store.current!.loaded).toBe(false)
    await store.ensureLoaded()
    expect(store.shown.map((i) => i.name)).toEqual(['of-p2-R1'])
    expect(store.current!.search).toBe('')
    profiles.select('p1')
    await nextTick()
    expect(store.shown.map((i) => i.name)).toEqual(['of-p1-R1'])
    expect(store.current!.search).toBe('of')
    profiles.selectRegion('R2')
    await nextTick()
    expect(store.current!.ctx).toEqual({ profileId: 'p1', region: 'R2' })
    expect(api.images.list).toHaveBeenCalledTimes(2)
  })

  it('substring search on names, case-insensitive', async () => {
    api.images.list.mockImplementation(() => ok({ images: [image({ name: 'Ubuntu-22.04' }), image({ name: 'centos-9' }), image({ name: 'my-ubuntu' })] }))
    const store = useImagesStore()
    await store.load()
    store.setSearch('UBUN')
    expect(store.shown.map((i) => i.name)).toEqual(['Ubuntu-22.04', 'my-ubuntu'])
    store.setSearch('')
    expect(store.shown).toHaveLength(3)
  })

  it('the precomputed search keys find what filterByName finds (names, an exact id, spaces), in the same order', () => {
    const all = [image({ name: 'Ubuntu-22.04' }), image({ name: '' }), image({ name: 'centos-9 ' }), image({ name: 'my-UBUNTU' }), image({ name: 'x' })]
    const keys = searchKeysOf(all)
    for (const q of ['', '  ', 'ubun', ' UBUN ', 'centos-9', 'os-9 ', 'nothing', all[4]!.id, all[1]!.id.toUpperCase(), '-']) {
      expect(filterByKeys(all, keys, q)).toEqual(filterByName(all, q))
    }
    expect(filterByKeys(all, keys, all[1]!.id)).toEqual([all[1]])
  })

  it('the search follows a list that changes (new keys for the new rows)', async () => {
    api.images.list.mockImplementation(() => ok({ images: [image({ name: 'alpha' }), image({ name: 'beta' })] }))
    const store = useImagesStore()
    await store.load()
    store.setSearch('gam')
    expect(store.shown).toHaveLength(0)
    store.upsert({ profileId: 'p1', region: 'R1' }, image({ name: 'Gamma' }))
    expect(store.shown.map((i) => i.name)).toEqual(['Gamma'])
  })

  it('filterByName handles 10,000 images quickly', () => {
    const all = Array.from({ length: 10_000 }, (_, i) => image({ name: `name-${i}` }))
    const t0 = performance.now()
    const r = filterByName(all, '999')
    expect(performance.now() - t0).toBeLessThan(100)
    expect(r.length).toBe(19) // 999, 1999..9999 (10) and 9990..9998 (9)
  })
})

describe('images store: auto-refresh of transient images', () => {
  const recent = new Date().toISOString()
  it('decides to poll only with transient images and after the interval', () => {
    const a = image({ status: 'active', updatedAt: recent })
    const q = image({ status: 'queued', updatedAt: recent })
    const now = Date.parse(recent)
    expect(transientIds([a, q, image({ status: 'importing', updatedAt: recent }), image({ status: 'saving', updatedAt: recent })], now)).toHaveLength(3)
    expect(shouldAutoRefresh([a], 0, now)).toBe(false)
    expect(shouldAutoRefresh([a, q], 0, now)).toBe(true)
    expect(shouldAutoRefresh([a, q], now - 2_000, now)).toBe(false)
  })

  it('does not poll stale transient records, and polls at most a bounded number, newest first', () => {
    const now = Date.parse('2026-11-27T12:00:00Z')
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString()
    // 10,000 metadata-only images queued for days: nothing to poll
    const stale = Array.from({ length: 10_000 }, (_, i) => image({ id: `s${i}`, status: 'queued', updatedAt: at(3 * 24 * 60) }))
    expect(transientIds(stale, now)).toEqual([])
    expect(shouldAutoRefresh(stale, 0, now)).toBe(false)
    // 100 recent uploads in progress among them: the 25 most recently updated
    const live = Array.from({ length: 100 }, (_, i) => image({ id: `l${i}`, status: 'saving', updatedAt: at(i) }))
    const ids = transientIds([...stale, ...live], now)
    expect(ids).toEqual(live.slice(0, 25).map((im) => im.id))
  })

  it('polls transient images with images.get, updates them, removes deleted ones', async () => {
    const q = image({ status: 'queued', name: 'q', updatedAt: new Date().toISOString() })
    const gone = image({ status: 'saving', name: 'gone', updatedAt: new Date().toISOString() })
    const a = image({ status: 'active', name: 'a' })
    api.images.list.mockImplementation(() => ok({ images: [q, gone, a] }))
    api.images.get.mockImplementation((_c, id) => (id === q.id ? ok({ ...q, status: 'active' }) : fail('NOT_FOUND')))
    const store = useImagesStore()
    await store.load()
    const polled = await store.pollTransient(Date.now() + 10_000)
    expect(polled).toBe(true)
    expect(api.images.get).toHaveBeenCalledTimes(2)
    expect(store.current!.images.map((i) => `${i.name}:${i.status}`)).toEqual(['q:active', 'a:active'])
    expect(await store.pollTransient(Date.now() + 20_000)).toBe(false)
  })
})

describe('buildQuery', () => {
  it('omits empty filters', () => {
    expect(buildQuery(emptyFilters())).toEqual({ limit: 1000 })
    expect(buildQuery({ ...emptyFilters(), name: ' x ', owner: ' ' })).toEqual({ limit: 1000, name: 'x' })
  })
})
