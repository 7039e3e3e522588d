/**
 * Saved filters, per profile id (issue 14 "List"): a named set of filter values + sort, remembered in localStorage
 * beside the other UI preferences (stores/prefs.ts: nothing secret; a filter is names, tags and dates).
 *
 *   saved(profileId)            -> that profile's saved filters, by name
 *   save(profileId, name, f, s) -> adds it, or replaces the one with the same name (trimmed; '' is refused)
 *   remove(profileId, name)     -> drops it
 * Another profile never sees them; a profile switch and back finds them again (they are keyed by profile id, not
 * by the list shown). Unreadable storage = none saved; a storage that refuses writes keeps them for the session.
 */
import { reactive } from 'vue'
import type { SortKey } from '@contract/api'
import { copyFilters, type ImageFilters } from '@/lib/imageList'

export const SAVED_FILTERS_KEY = 'glance-desktop.savedFilters'
/** At most this many saved filters per profile (the picker stays short). */
export const MAX_SAVED_FILTERS = 30

export interface SavedFilter {
  name: string
  filters: ImageFilters
  sort: SortKey[]
}

type Book = Record<string, SavedFilter[]>

function isSortKey(x: unknown): x is SortKey {
  const s = x as SortKey
  return !!s && typeof s.key === 'string' && (s.dir === 'asc' || s.dir === 'desc')
}

/** What was stored, keeping only well-formed entries (the file is the user's, possibly from an older version). */
export function parseBook(raw: string | null): Book {
  const out: Book = {}
  try {
    const v: unknown = raw ? JSON.parse(raw) : {}
    if (!v || typeof v !== 'object' || Array.isArray(v)) return out
    for (const [id, list] of Object.entries(v as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue
      const ok: SavedFilter[] = []
      for (const e of list as unknown[]) {
        const x = e as Partial<SavedFilter>
        if (!x || typeof x.name !== 'string' || !x.name.trim() || !x.filters || typeof x.filters !== 'object') continue
        ok.push({ name: x.name, filters: copyFilters(x.filters), sort: Array.isArray(x.sort) ? x.sort.filter(isSortKey) : [] })
      }
      if (ok.length) out[id] = ok
    }
  } catch {
    /* unreadable: none saved */
  }
  return out
}

/** The list with `entry` added (or the same-named one replaced, keeping its place). */
export function withSaved(list: readonly SavedFilter[], entry: SavedFilter): SavedFilter[] {
  const i = list.findIndex((s) => s.name === entry.name)
  if (i >= 0) return list.map((s, j) => (j === i ? entry : s))
  return [...list, entry].slice(-MAX_SAVED_FILTERS)
}

function load(): Book {
  try {
    return parseBook(globalThis.localStorage?.getItem(SAVED_FILTERS_KEY) ?? null)
  } catch {
    return {}
  }
}

const book = reactive<Book>(load())

function persist(): void {
  try {
    globalThis.localStorage?.setItem(SAVED_FILTERS_KEY, JSON.stringify(book))
  } catch {
    /* storage unavailable: saved filters last for this session */
  }
}

/** Re-read the storage (tests; another window). */
export function reloadSavedFilters(): void {
  for (const k of Object.keys(book)) delete book[k]
  Object.assign(book, load())
}

export function useSavedFilters() {
  function saved(profileId: string | undefined): SavedFilter[] {
    return profileId ? (book[profileId] ?? []) : []
  }
  function save(profileId: string, name: string, filters: ImageFilters, sort: readonly SortKey[]): boolean {
    const n = name.trim()
    if (!profileId || !n) return false
    book[profileId] = withSaved(book[profileId] ?? [], { name: n, filters: copyFilters(filters), sort: sort.map((s) => ({ ...s })) })
    persist()
    return true
  }
  function remove(profileId: string, name: string): void {
    const next = (book[profileId] ?? []).filter((s) => s.name !== name)
    if (next.length) book[profileId] = next
    else delete book[profileId]
    persist()
  }
  return { saved, save, remove }
}
