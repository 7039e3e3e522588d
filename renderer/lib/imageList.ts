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

/** Ids of the images that should be polled again (transient states). */
export function transientIds(images: readonly Pick<ImageDTO, 'id' | 'status'>[]): string[] {
  return images.filter((im) => isTransient(im.status)).map((im) => im.id)
}

/** Whether to poll again now: something is transient and the last poll is older than the interval. */
export function shouldAutoRefresh(
  images: readonly Pick<ImageDTO, 'id' | 'status'>[],
  lastPollAt: number,
  now: number,
  intervalMs = 5000,
): boolean {
  return now - lastPollAt >= intervalMs && images.some((im) => isTransient(im.status))
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
}

export function emptyFilters(): ImageFilters {
  return { name: '', status: [], visibility: '', tags: [], owner: '', diskFormat: [], osType: '' }
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
  if (sort.length) q.sort = sort.map((s) => ({ ...s }))
  return q
}

/** Replace images by id in a list (keeps order; unknown ids are ignored). */
export function mergeImages(list: readonly ImageDTO[], updates: readonly ImageDTO[]): ImageDTO[] {
  if (!updates.length) return list as ImageDTO[]
  const byId = new Map(updates.map((u) => [u.id, u]))
  return list.map((im) => byId.get(im.id) ?? im)
}
