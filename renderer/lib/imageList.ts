/** The image list's pure logic: substring search, transient states, filter -> query. */
import type { ImageDTO, ImageQuery, OsType, SortKey, Visibility } from '@contract/api'

export const PAGE_SIZE = 1000
export const TRANSIENT_STATUSES = ['queued', 'saving', 'importing', 'uploading'] as const

/** Case-insensitive substring match on names (and exact id), because Glance matches whole names only. */
export function filterByName<T extends Pick<ImageDTO, 'name' | 'id'>>(images: readonly T[], q: string): T[] {
  const needle = q.trim().toLowerCase()
  if (!needle) return images as T[]
  const out: T[] = []
  for (const im of images) {
    if ((im.name ?? '').toLowerCase().includes(needle) || im.id === needle) out.push(im)
  }
  return out
}

export function isTransient(status: string): boolean {
  return (TRANSIENT_STATUSES as readonly string[]).includes(status)
}

/** An image left in a transient state for longer than this is not moving by itself (a bare `queued` record, say). */
export const TRANSIENT_MAX_AGE_MS = 6 * 60 * 60 * 1000
/** At most this many images are polled per round, the most recently updated first. */
export const TRANSIENT_MAX_POLL = 25

/**
 * Ids of the images worth polling again: in a transient state and updated recently, newest first, at most
 * TRANSIENT_MAX_POLL of them. A project with thousands of stale `queued` records (metadata only) must not cost a
 * request per image every few seconds.
 */
export function transientIds(images: readonly Pick<ImageDTO, 'id' | 'status' | 'updatedAt'>[], now = Date.now()): string[] {
  const live: { id: string; t: number }[] = []
  for (const im of images) {
    if (!isTransient(im.status)) continue
    const t = Date.parse(im.updatedAt)
    if (Number.isFinite(t) && now - t > TRANSIENT_MAX_AGE_MS) continue
    live.push({ id: im.id, t: Number.isFinite(t) ? t : now })
  }
  live.sort((a, b) => b.t - a.t)
  return live.slice(0, TRANSIENT_MAX_POLL).map((x) => x.id)
}

/** Whether to poll again now: some image is worth polling and the last poll is older than the interval. */
export function shouldAutoRefresh(
  images: readonly Pick<ImageDTO, 'id' | 'status' | 'updatedAt'>[],
  lastPollAt: number,
  now: number,
  intervalMs = 5000,
): boolean {
  return now - lastPollAt >= intervalMs && transientIds(images, now).length > 0
}

/** The filter bar's model. */
export interface ImageFilters {
  name: string
  status: string[]
  visibility: Visibility | 'all' | ''
  tags: string[]
  owner: string
  diskFormat: string[]
  osType: OsType | ''
  /** ISO 8601: only images updated at or after it (Glance `updated_at=gte:`); '' = any time. */
  changesSince: string
}

export function emptyFilters(): ImageFilters {
  return { name: '', status: [], visibility: '', tags: [], owner: '', diskFormat: [], osType: '', changesSince: '' }
}

/** A copy of filters (arrays copied); fields missing in an older saved copy get their empty value. */
export function copyFilters(f: Partial<ImageFilters>): ImageFilters {
  const e = emptyFilters()
  return {
    ...e,
    ...f,
    status: [...(f.status ?? [])],
    tags: [...(f.tags ?? [])],
    diskFormat: [...(f.diskFormat ?? [])],
    changesSince: f.changesSince ?? '',
  }
}

/** At most this many sort keys (Glance accepts more; three is what a header row can show legibly). */
export const MAX_SORT_KEYS = 3

/**
 * A click on a sortable header, as the new sort:
 *   plain click            -> that key alone, in the clicked direction
 *   Shift+click (additive) -> the key added after the others (or its direction changed in place); the oldest
 *                             secondary key is dropped beyond MAX_SORT_KEYS
 */
export function sortAfterClick(sort: readonly SortKey[], key: string, dir: SortKey['dir'], additive: boolean): SortKey[] {
  if (!additive) return [{ key, dir }]
  const i = sort.findIndex((s) => s.key === key)
  if (i >= 0) return sort.map((s, j) => (j === i ? { key, dir } : { ...s }))
  const next = [...sort.map((s) => ({ ...s })), { key, dir }]
  return next.length > MAX_SORT_KEYS ? [next[0]!, ...next.slice(next.length - MAX_SORT_KEYS + 1)] : next
}

export function activeFilterCount(f: ImageFilters): number {
  let n = 0
  if (f.name.trim()) n++
  if (f.status.length) n++
  if (f.visibility) n++
  if (f.tags.length) n++
  if (f.owner.trim()) n++
  if (f.diskFormat.length) n++
  if (f.osType) n++
  if (f.changesSince) n++
  return n
}

/** Filters + sort -> the server query (empty filters omitted). */
export function buildQuery(f: ImageFilters, sort: SortKey[] = [], limit = PAGE_SIZE): ImageQuery {
  const q: ImageQuery = { limit }
  if (f.name.trim()) q.name = f.name.trim()
  if (f.status.length) q.status = [...f.status]
  if (f.visibility) q.visibility = f.visibility
  if (f.tags.length) q.tags = [...f.tags]
  if (f.owner.trim()) q.owner = f.owner.trim()
  if (f.diskFormat.length) q.diskFormat = [...f.diskFormat]
  if (f.osType) q.osType = f.osType
  if (f.changesSince) q.changesSince = f.changesSince
  if (sort.length) q.sort = sort.map((s) => ({ ...s }))
  return q
}

/** Replace images by id in a list (keeps order; unknown ids are ignored). */
export function mergeImages(list: readonly ImageDTO[], updates: readonly ImageDTO[]): ImageDTO[] {
  if (!updates.length) return list as ImageDTO[]
  const byId = new Map(updates.map((u) => [u.id, u]))
  return list.map((im) => byId.get(im.id) ?? im)
}
