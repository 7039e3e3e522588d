/**
 * The image lists, one per profile+region (switching is instant: each keeps its rows, filters, sort and search).
 * Loads every page (1000 at a time, following `next`), shows the first rows as soon as they arrive, searches names on
 * the loaded list, and polls images in transient states. Never calls UI: errors are kept in state or thrown.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, reactive, shallowReactive, watch } from 'vue'
import type { AppErrorData, CloudContext, ImageDTO, ImageQuery, SortKey } from '@contract/api'
import { api, call, toAppError } from '@/api'
import {
  buildQuery,
  emptyFilters,
  filterByName,
  mergeImages,
  PAGE_SIZE,
  shouldAutoRefresh,
  transientIds,
  type ImageFilters,
} from '@/lib/imageList'
import { tagsInUse } from '@/lib/fields'
import { perfMark } from '@/lib/perf'
import { ctxKey, useProfilesStore } from './profiles'
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
  lastPollAt: number
  generation: number
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
    sort: [{ key: 'created_at', dir: 'desc' }],
    search: '',
    lastPollAt: 0,
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
      lists.set(k, s)
    }
    return s
  }

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
          if (s.loaded && s.ctx.profileId === j.profileId && (s.ctx.region ?? j.region) === j.region)
            void refreshOne(s.ctx, j.imageId).catch(() => null)
        }
      }
    },
    { deep: true },
  )

  const current = computed<ImageListState | undefined>(() => (profiles.key ? lists.get(profiles.key) : undefined))
  const shown = computed<ImageDTO[]>(() => (current.value ? filterByName(current.value.images, current.value.search) : []))
  const suggestions = computed(() => (current.value ? tagsInUse(current.value.images) : []))
  const transient = computed(() => (current.value ? transientIds(current.value.images) : []))

  function query(s: ImageListState): ImageQuery {
    return buildQuery(s.filters, s.sort, PAGE_SIZE)
  }

  /** (Re)load every page for a context. Superseded loads stop quietly. */
  async function load(ctx: CloudContext | null = profiles.ctx): Promise<void> {
    if (!ctx) return
    const s = stateFor(ctx)
    const gen = ++s.generation
    perfMark('gd:list:start')
    s.loading = true
    s.loadingFirst = true
    s.error = null
    s.complete = false
    const q = query(s)
    let acc: ImageDTO[] = []
    let cursor: string | undefined
    try {
      for (;;) {
        const page = await call(api.images.list(s.ctx, q, cursor))
        if (gen !== s.generation) return
        acc = acc.concat(page.images)
        s.images = markRaw(acc.slice())
        if (acc.length === page.images.length) perfMark('gd:list:first-page')
        s.loadingFirst = false
        s.loaded = true
        s.next = page.next
        if (!page.next || page.images.length === 0) break
        cursor = page.next
      }
      s.complete = true
      perfMark('gd:list:complete')
      s.lastPollAt = Date.now()
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

  /** Load the current list unless it already is. */
  async function ensureLoaded(): Promise<void> {
    const s = current.value
    if (s && !s.loaded && !s.loading) await load(s.ctx)
  }

  function setSearch(q: string): void {
    perfMark('gd:search')
    if (current.value) current.value.search = q
  }

  async function applyFilters(f: ImageFilters): Promise<void> {
    const s = current.value
    if (!s) return
    s.filters = { ...f, status: [...f.status], tags: [...f.tags], diskFormat: [...f.diskFormat] }
    await load(s.ctx)
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
    s.images = markRaw(i >= 0 ? mergeImages(s.images, [im]) : [im, ...s.images])
  }

  function removeIds(ctx: CloudContext, ids: readonly string[]): void {
    const s = stateFor(ctx)
    const set = new Set(ids)
    s.images = markRaw(s.images.filter((im) => !set.has(im.id)))
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
    setSearch,
    applyFilters,
    setSort,
    upsert,
    removeIds,
    refreshOne,
    pollTransient,
  }
})
