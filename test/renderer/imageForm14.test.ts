/** Issue 14 (bugs 3, 4, 8) in the create form: no hidden disk format for a URL, the wrong format inline, tags Glance refuses, visibility shared. */
import { describe, expect, it } from 'vitest'
import type { InspectionReport } from '@contract/api'
import { emptyCreateForm, tagIssue, toCreateInput, validateCreate, visibilityOf, withVisibility, type CreateForm } from '@/lib/imageForm'

const GiB = 1024 ** 3
const file = { handle: 'h1', name: 'disk.qcow2', path: '/tmp/disk.qcow2', size: GiB }
const report = (over: Partial<InspectionReport> = {}): InspectionReport => ({
  format: 'qcow2',
  proposedDiskFormat: 'qcow2',
  size: GiB,
  virtualSize: 2 * GiB,
  proposedMinDiskGiB: 2,
  details: {},
  unsafe: [],
  warnings: [],
  ...over,
})
const form = (over: Partial<CreateForm> = {}): CreateForm => ({ ...emptyCreateForm(), name: 'img', file, ...over })
const keys = (c: ReturnType<typeof validateCreate>, f: string) => (c.errors[f] ?? []).map((i) => i.key)

describe('create from URL: the user chooses the format', () => {
  it('"auto" is not a format for a URL or an empty image: an error on the format field, nothing sent as qcow2', () => {
    const url = form({ sourceKind: 'url', url: 'https://example.test/disk.img', diskFormat: 'auto' })
    expect(keys(validateCreate(url, { state: 'idle' }), 'diskFormat')).toEqual(['valid.chooseFormat'])
    expect(keys(validateCreate(form({ sourceKind: 'none', diskFormat: 'auto' }), { state: 'idle' }), 'diskFormat')).toEqual(['valid.chooseFormat'])
    expect(toCreateInput(url).diskFormat).not.toBe('qcow2')
    const chosen = form({ sourceKind: 'url', url: 'https://example.test/disk.img', diskFormat: 'raw' })
    expect(keys(validateCreate(chosen, { state: 'idle' }), 'diskFormat')).toEqual([])
    expect(toCreateInput(chosen).diskFormat).toBe('raw')
  })
})

describe('a wrong disk format is flagged as soon as inspection knows', () => {
  it('declared raw for a qcow2 file: an error on the format field, with both formats', () => {
    const c = validateCreate(form({ diskFormat: 'raw' }), { state: 'done', report: report() })
    expect(c.errors.diskFormat).toEqual([{ key: 'valid.formatMismatch', params: { detected: 'qcow2', declared: 'raw' } }])
  })
  it('the detected format, "auto", an ISO sent as raw, or a non-checkable format are fine', () => {
    const done = { state: 'done' as const, report: report() }
    expect(keys(validateCreate(form({ diskFormat: 'qcow2' }), done), 'diskFormat')).toEqual([])
    expect(keys(validateCreate(form({ diskFormat: 'auto' }), done), 'diskFormat')).toEqual([])
    const iso = { state: 'done' as const, report: report({ format: 'iso', proposedDiskFormat: 'iso' }) }
    expect(keys(validateCreate(form({ diskFormat: 'raw' }), iso), 'diskFormat')).toEqual([])
    expect(keys(validateCreate(form({ diskFormat: 'ami' }), done), 'diskFormat')).toEqual([])
    const raw = { state: 'done' as const, report: report({ format: 'raw', proposedDiskFormat: 'raw' }) }
    expect(keys(validateCreate(form({ diskFormat: 'qcow2' }), raw), 'diskFormat')).toEqual(['valid.formatMismatch'])
  })
})

describe('tags', () => {
  it('Chinese and accented tags are fine; 4-byte characters (most emoji) are refused with their own message', () => {
    expect(tagIssue('生产')).toBeNull()
    expect(tagIssue('café')).toBeNull()
    expect(tagIssue('☁')).toBeNull()
    expect(tagIssue('🚀')).toBe('valid.tagFourByte')
    expect(tagIssue('a/b')).toBe('valid.badTag')
    expect(tagIssue(' ')).toBe('valid.badTag')
    expect(keys(validateCreate(form({ tags: ['ok', '🚀'] }), { state: 'idle' }), 'tags')).toEqual(['valid.tagFourByte'])
  })
})

describe('visibility: private, shared or public', () => {
  it('maps to the public field and to the input visibility', () => {
    const f = form()
    expect(visibilityOf(f)).toBe('private')
    const shared = withVisibility(f, 'shared')
    expect(visibilityOf(shared)).toBe('shared')
    expect(toCreateInput(shared)).toMatchObject({ visibility: 'shared', fields: { public: false } })
    const pub = withVisibility(shared, 'public')
    expect(visibilityOf(pub)).toBe('public')
    expect(toCreateInput(pub).fields.public).toBe(true)
    expect(toCreateInput(pub).visibility).toBeUndefined()
  })
})
