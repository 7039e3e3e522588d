/**
 * The image lists, one per profile+region (switching is instant: each keeps its rows, filters, sort, search and
 * selection). Loads every page (1000 at a time, following `next`), shows the first rows as soon as they arrive,
 * searches names on the loaded list, and polls images in transient states. Never calls UI: errors are kept in state
 * or thrown.
 *
 * Never stale (D2, issue 14.8): a list is dropped when its profile's connection changes (another cloud, user or
 * project: its rows are not that profile's any more); a list shown again after STALE_MS is reloaded in the
 * background, its rows kept until the new listing is complete. A new image is placed by the list's sort.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, reactive, shallowReactive, watch } from 'vue'
import { DEFAULT_IMAGE_SORT, type AppErrorData, type CloudContext, type ImageDTO, type ImageQuery, type SortKey } from '@contract/api'
import { api, call, toAppError } from '@/api'
import { buildQuery, copyFilters, emptyFilters, mergeImages, PAGE_SIZE, shouldAutoRefresh, transientIds, type ImageFilters } from '@/lib/imageList'
import { tagsInUse } from '@/lib/fields'
import { insertionIndex } from '@/lib/sortInsert'
import { perfMark } from '@/lib/perf'
import { ctxKey, useProfilesStore } from './profiles'
import type { ProfileDTO } from '@contract/api'
import { useTransfersStore } from './transfers'

export interface ImageListState {
  ctx: CloudContext
  images: ImageDTO[]
  next?: string
  /** Loading any page. */
  loading: boolean
  /** Loading the first page (nothing to show yet). */
  loadingFirst: boolean
  /** All pages loaded. */
  complete: boolean
  loaded: boolean
  error: AppErrorData | null
  filters: ImageFilters
  sort: SortKey[]
  search: string
  /** Selected image ids (kept per list). */
  selected: string[]
  lastPollAt: number
  /** When the last complete listing finished (0: never). */
  loadedAt: number
  /** The profile's connection settings the rows were listed with (see connectionOf). */
  connection: string
  generation: number
}

/** A list shown again after this long is reloaded in the background. */
export const STALE_MS = 30_000

/** What makes a profile's listing another one: cloud, credentials' identity, scope, interface, endpoints. */
export function connectionOf(p: ProfileDTO | undefined): string {
  if (!p) return ''
  // p.auth: the credentials of either kind, whole (who signs in, and the project scope of a password login)
  return JSON.stringify([p.authUrl, p.auth, p.interface, p.endpointOverrides])
}

/** The search keys of a list: its names lower-cased, once per list (not once per keystroke and image). */
export function searchKeysOf(images: readonly Pick<ImageDTO, 'name'>[]): string[] {
  return images.map((im) => (im.name ?? '').toLowerCase())
}

/** filterByName (lib/imageList.ts) over precomputed search keys: the same images, in the same order. */
export function filterByKeys<T extends Pick<ImageDTO, 'name' | 'id'>>(images: readonly T[], keys: readonly string[], q: string): T[] {
  const needle = q.trim().toLowerCase()
  if (!needle) return images as T[]
  const out: T[] = []
  for (let i = 0; i < images.length; i++) {
    if (keys[i]!.includes(needle) || images[i]!.id === needle) out.push(images[i]!)
  }
  return out
}

function newState(ctx: CloudContext): ImageListState {
  return reactive({
    ctx: { ...ctx },
    images: markRaw([] as ImageDTO[]),
    loading: false,
    loadingFirst: false,
    complete: false,
    loaded: false,
    error: null,
    filters: emptyFilters(),
    sort: DEFAULT_IMAGE_SORT.map((k) => ({ ...k })),
    search: '',
    selected: [],
    lastPollAt: 0,
    loadedAt: 0,
    connection: '',
    generation: 0,
  }) as ImageListState
}

export const useImagesStore = defineStore('images', () => {
  const lists = shallowReactive(new Map<string, ImageListState>())
  const profiles = useProfilesStore()

  function stateFor(ctx: CloudContext): ImageListState {
    const k = ctxKey(ctx)
    let s = lists.get(k)
    if (!s) {
      s = newState(ctx)
      s.connection = connectionOf(profiles.profiles.find((p) => p.id === ctx.profileId))
      lists.set(k, s)
    }
    return s
  }

  // A profile whose connection changed (or that is gone) loses its lists: they hold another cloud's or project's rows.
  watch(
    () => profiles.profiles.map((p) => [p.id, connectionOf(p)] as const),
    (now) => {
      const conn = new Map(now)
      for (const [k, s] of [...lists.entries()]) {
        const c = conn.get(s.ctx.profileId)
        if (c === s.connection) continue
        s.generation++ // a load in flight stops quietly
        lists.delete(k)
      }
      if (profiles.ctx) stateFor(profiles.ctx)
    },
  )

  // Create the list state outside of computeds (no writes inside a computed).
  watch(
    () => profiles.ctx,
    (ctx) => {
      if (ctx) stateFor(ctx)
    },
    { immediate: true },
  )
  // An upload or import job creates its image when it runs, and finishes later: put the image in the loaded list of
  // its profile and region (and refresh it) whenever the job learns the image id or changes state.
  const transfers = useTransfersStore()
  const seenJobs = new Map<string, string>()
  watch(
    () => transfers.jobs,
    (jobs) => {
      for (const j of jobs) {
        if (j.kind === 'download' || !j.imageId) continue
        const mark = `${j.imageId}|${j.state}`
        if (seenJobs.get(j.id) === mark) continue
        seenJobs.set(j.id, mark)
        for (const s of lists.values()) {
          if (s.loaded && s.ctx.profileId === j.profileId && (s.ctx.region ?? j.region) === j.region) void refreshOne(s.ctx, j.imageId).catch(() => null)
        }
      }
    },
    { deep: true },
  )

  const current = computed<ImageListState | undefined>(() => (profiles.key ? lists.get(profiles.key) : undefined))
  // Issue 14: a keystroke filters 10,000 rows; the names are lower-cased when the list changes, not per keystroke.
  const searchKeys = computed(() => (current.value ? searchKeysOf(current.value.images) : []))
  const shown = computed<ImageDTO[]>(() => {
    const s = current.value
    if (!s) return []
    return s.search.trim() ? filterByKeys(s.images, searchKeys.value, s.search) : s.images
  })
  const suggestions = computed(() => (current.value ? tagsInUse(current.value.images) : []))
  const transient = computed(() => (current.value ? transientIds(current.value.images) : []))

  function query(s: ImageListState): ImageQuery {
    return buildQuery(s.filters, s.sort, PAGE_SIZE)
  }

  /** (Re)load every page for a context. Superseded loads stop quietly. */
  async function load(ctx: CloudContext | null = profiles.ctx, opts: { background?: boolean } = {}): Promise<void> {
    if (!ctx) return
    const s = stateFor(ctx)
    const gen = ++s.generation
    // In the background, the rows shown stay until the new listing is complete (no shrinking list).
    const keep = !!opts.background && s.loaded && s.images.length > 0
    perfMark('gd:list:start')
    s.loading = true
    s.loadingFirst = !keep
    s.error = null
    if (!keep) s.complete = false
    const q = query(s)
    let acc: ImageDTO[] = []
    let cursor: string | undefined
    try {
      for (;;) {
        const page = await call(api.images.list(s.ctx, q, cursor))
        if (gen !== s.generation) return
        acc = acc.concat(page.images)
        if (!keep) s.images = markRaw(acc.slice())
        if (acc.length === page.images.length) perfMark('gd:list:first-page')
        s.loadingFirst = false
        s.loaded = true
        s.next = page.next
        if (!page.next || page.images.length === 0) break
        cursor = page.next
      }
      if (keep) s.images = markRaw(acc)
      s.complete = true
      perfMark('gd:list:complete')
      s.lastPollAt = Date.now()
      s.loadedAt = s.lastPollAt
    } catch (e) {
      if (gen !== s.generation) return
      s.error = toAppError(e).toJSON()
      s.loaded = true
    } finally {
      if (gen === s.generation) {
        s.loading = false
        s.loadingFirst = false
      }
    }
  }

  /**
   * Resolves once the list of `ctx` shows its first page (or its load failed or stopped); at once when no first page
   * is loading. Issue 16.4: the images view asks for the capabilities after it (see ImagesView loadAll).
   */
  function whenFirstPage(ctx: CloudContext): Promise<void> {
    const s = stateFor(ctx)
    if (!s.loadingFirst) return Promise.resolve()
    return new Promise((resolve) => {
      const stop = watch(
        () => s.loadingFirst,
        (v) => {
          if (v) return
          stop()
          resolve()
        },
        { flush: 'sync' },
      )
    })
  }

  /** Load the current list unless it already is; reload it in the background when it is older than STALE_MS. */
  async function ensureLoaded(now = Date.now()): Promise<void> {
    const s = current.value
    if (!s || s.loading) return
    if (!s.loaded) await load(s.ctx)
    else if (s.loadedAt && now - s.loadedAt > STALE_MS) await load(s.ctx, { background: true })
  }

  function setSearch(q: string): void {
    perfMark('gd:search')
    if (current.value) current.value.search = q
  }

  async function applyFilters(f: ImageFilters): Promise<void> {
    const s = current.value
    if (!s) return
    s.filters = copyFilters(f)
    await load(s.ctx)
  }

  /** Filters and sort at once (a saved filter, C3): one listing, not two. */
  async function applyView(f: ImageFilters, sort: readonly SortKey[]): Promise<void> {
    const s = current.value
    if (!s) return
    s.filters = copyFilters(f)
    if (sort.length) s.sort = sort.map((x) => ({ ...x }))
    await load(s.ctx)
  }

  /** The current list's selection (kept per profile and region). */
  function setSelected(ids: string[]): void {
    if (current.value) current.value.selected = [...ids]
  }

  async function setSort(sort: SortKey[]): Promise<void> {
    const s = current.value
    if (!s) return
    s.sort = sort
    await load(s.ctx)
  }

  function upsert(ctx: CloudContext, im: ImageDTO): void {
    const s = stateFor(ctx)
    const i = s.images.findIndex((x) => x.id === im.id)
    if (i >= 0) {
      s.images = markRaw(mergeImages(s.images, [im]))
      return
    }
    const at = insertionIndex(s.images, im, s.sort)
    s.images = markRaw([...s.images.slice(0, at), im, ...s.images.slice(at)])
  }

  function removeIds(ctx: CloudContext, ids: readonly string[]): void {
    const s = stateFor(ctx)
    const set = new Set(ids)
    s.images = markRaw(s.images.filter((im) => !set.has(im.id)))
    if (s.selected.some((id) => set.has(id))) s.selected = s.selected.filter((id) => !set.has(id))
  }

  /** Fetch one image again and put it in the list (removing it when it is gone). */
  async function refreshOne(ctx: CloudContext, id: string): Promise<ImageDTO | null> {
    try {
      const im = await call(api.images.get(ctx, id))
      upsert(ctx, im)
      return im
    } catch (e) {
      if (toAppError(e).code === 'NOT_FOUND') {
        removeIds(ctx, [id])
        return null
      }
      throw e
    }
  }

  /** Poll the current list's transient images when due; returns whether it polled. */
  async function pollTransient(now = Date.now(), intervalMs = 5000): Promise<boolean> {
    const s = current.value
    if (!s || s.loading || !shouldAutoRefresh(s.images, s.lastPollAt, now, intervalMs)) return false
    s.lastPollAt = now
    const ids = transientIds(s.images, now)
    await Promise.all(ids.map((id) => refreshOne(s.ctx, id).catch(() => null)))
    return true
  }

  return {
    lists,
    current,
    shown,
    suggestions,
    transient,
    stateFor,
    load,
    ensureLoaded,
    whenFirstPage,
    setSearch,
    setSelected,
    applyFilters,
    applyView,
    setSort,
    upsert,
    removeIds,
    refreshOne,
    pollTransient,
  }
})
