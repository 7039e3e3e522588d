/** Keyboard shortcuts -> app commands. Pure. */
import type { AppCommand } from '@contract/api'
export type { AppCommand }

export interface KeyLike {
  key: string
  ctrlKey?: boolean
  metaKey?: boolean
  altKey?: boolean
  shiftKey?: boolean
  /** Whether focus is in a text field (then '/' types a slash). */
  inTextField?: boolean
}

export function shortcutFor(e: KeyLike): AppCommand | null {
  const mod = !!(e.ctrlKey || e.metaKey)
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key
  if (e.altKey) return null
  if (k === 'F5' && !mod) return 'refresh'
  if (mod && k === 'r' && !e.shiftKey) return 'refresh'
  if (mod && k === 'f') return 'search'
  if (mod && k === 'n') return 'newImage'
  if (k === '/' && !mod && !e.inTextField) return 'search'
  return null
}
