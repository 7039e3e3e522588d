import { describe, expect, it } from 'vitest'
import { shortcutFor } from '@/lib/shortcuts'

describe('shortcuts', () => {
  it('maps refresh, search and new image', () => {
    expect(shortcutFor({ key: 'F5' })).toBe('refresh')
    expect(shortcutFor({ key: 'r', ctrlKey: true })).toBe('refresh')
    expect(shortcutFor({ key: 'R', metaKey: true })).toBe('refresh')
    expect(shortcutFor({ key: 'f', ctrlKey: true })).toBe('search')
    expect(shortcutFor({ key: '/' })).toBe('search')
    expect(shortcutFor({ key: 'n', ctrlKey: true })).toBe('newImage')
  })
  it('leaves typing alone', () => {
    expect(shortcutFor({ key: '/', inTextField: true })).toBeNull()
    expect(shortcutFor({ key: 'n' })).toBeNull()
    expect(shortcutFor({ key: 'r', ctrlKey: true, shiftKey: true })).toBeNull()
    expect(shortcutFor({ key: 'f', ctrlKey: true, altKey: true })).toBeNull()
  })
})
