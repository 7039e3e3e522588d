/**
 * Where an image goes in a list sorted by Glance (pure): a new or changed image is placed by the list's sort keys,
 * not at the top. Glance sorts server-side; this mirrors it for the keys the list offers (renderer/lib/columns.ts
 * SORT_KEYS), with `null` sizes last as PostgreSQL/MySQL put NULLs for an ascending sort, and ties kept in list order.
 *
 * | sort key (Glance) | ImageDTO field | compared as                |
 * |-------------------|----------------|----------------------------|
 * | name, status, disk_format, visibility, owner, id | same (camelCase) | strings (code-unit order) |
 * | created_at, updated_at | createdAt, updatedAt | ISO strings (= time order) |
 * | size, virtual_size, min_disk, min_ram | size, virtualSize, minDisk, minRam | numbers, null last |
 */
import type { ImageDTO, SortKey } from '@contract/api'

const FIELD: Record<string, keyof ImageDTO> = {
  name: 'name',
  status: 'status',
  disk_format: 'diskFormat',
  visibility: 'visibility',
  owner: 'owner',
  id: 'id',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  size: 'size',
  virtual_size: 'virtualSize',
  min_disk: 'minDisk',
  min_ram: 'minRam',
}

function cmpValue(a: unknown, b: unknown): number {
  const an = a === null || a === undefined
  const bn = b === null || b === undefined
  if (an || bn) return an === bn ? 0 : an ? 1 : -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const sa = String(a)
  const sb = String(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

/** Compares two images by the sort keys (unknown keys are ignored). */
export function compareImages(a: ImageDTO, b: ImageDTO, sort: readonly SortKey[]): number {
  for (const s of sort) {
    const f = FIELD[s.key]
    if (!f) continue
    let c = cmpValue(a[f], b[f])
    if (c !== 0 && s.dir === 'desc' && a[f] !== null && b[f] !== null) c = -c
    if (c !== 0) return c
  }
  return 0
}

/** The index at which `im` goes in `list` (sorted by `sort`): after the last image that does not sort after it. */
export function insertionIndex(list: readonly ImageDTO[], im: ImageDTO, sort: readonly SortKey[]): number {
  if (!sort.some((s) => FIELD[s.key])) return 0
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareImages(list[mid]!, im, sort) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
