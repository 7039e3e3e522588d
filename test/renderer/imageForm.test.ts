import { describe, expect, it } from 'vitest'
import type { InspectionReport } from '@contract/api'
import {
  applyInspection,
  crossFieldWarnings,
  diffFields,
  emptyCreateForm,
  hasErrors,
  issueText,
  toCreateInput,
  validateCreate,
  volumeMinSize,
  type CreateForm,
} from '@/lib/imageForm'
import { defaultFields } from '@/lib/fields'

const GiB = 1024 ** 3
const file = { handle: 'h1', name: 'disk.qcow2', path: '/tmp/disk.qcow2', size: GiB }
function report(over: Partial<InspectionReport> = {}): InspectionReport {
  return {
    format: 'qcow2',
    proposedDiskFormat: 'qcow2',
    size: GiB,
    virtualSize: 20 * GiB,
    proposedMinDiskGiB: 20,
    details: {},
    unsafe: [],
    warnings: [],
    ...over,
  }
}
function form(over: Partial<CreateForm> = {}): CreateForm {
  return { ...emptyCreateForm(), name: 'img', file, ...over }
}
const keysOf = (c: ReturnType<typeof validateCreate>, f: string) => (c.errors[f] ?? []).map((i) => i.key)

describe('create form validation', () => {
  it('requires a name, and at most 255 characters without line breaks', () => {
    expect(keysOf(validateCreate(form({ name: '  ' }), { state: 'idle' }), 'name')).toEqual(['valid.required'])
    expect(keysOf(validateCreate(form({ name: 'x'.repeat(256) }), { state: 'idle' }), 'name')).toEqual(['valid.tooLong'])
    expect(keysOf(validateCreate(form({ name: 'a\nb' }), { state: 'idle' }), 'name')).toEqual(['valid.nameNoNewline'])
    expect(keysOf(validateCreate(form({ name: 'x'.repeat(255) }), { state: 'idle' }), 'name')).toEqual([])
  })

  it('needs a file for a local source and blocks while inspecting, on failure and on unsafe files', () => {
    expect(keysOf(validateCreate(form({ file: null }), { state: 'idle' }), 'source')).toEqual(['valid.chooseFile'])
    expect(keysOf(validateCreate(form(), { state: 'running' }), 'source')).toEqual(['valid.inspecting'])
    expect(keysOf(validateCreate(form(), { state: 'failed', message: 'gone' }), 'source')).toEqual(['valid.inspectFailed'])
    const unsafe = validateCreate(form(), { state: 'done', report: report({ unsafe: ['qcow2 has a backing file'] }) })
    expect(hasErrors(unsafe)).toBe(true)
    expect(unsafe.errors.source?.[0]?.params?.reason).toBe('qcow2 has a backing file')
    expect(hasErrors(validateCreate(form(), { state: 'done', report: report() }))).toBe(false)
  })

  it('accepts only http(s) URLs for web-download', () => {
    const u = (url: string) => keysOf(validateCreate(form({ sourceKind: 'url', url }), { state: 'idle' }), 'source')
    expect(u('')).toEqual(['valid.required'])
    expect(u('ftp://host/x.img')).toEqual(['valid.badUrl'])
    expect(u('file:///etc/passwd')).toEqual(['valid.badUrl'])
    expect(u('not a url')).toEqual(['valid.badUrl'])
    expect(u('http://10.0.0.1:8080/x.qcow2')).toEqual([])
    expect(u('https://example.com/x.qcow2')).toEqual([])
  })

  it('min disk / min memory must be whole numbers >= 0', () => {
    const f = form({ fields: { ...defaultFields(), minDiskGiB: -1, minRamGiB: 1.5 } })
    const c = validateCreate(f, { state: 'idle' })
    expect(keysOf(c, 'minDiskGiB')).toEqual(['valid.integer'])
    expect(keysOf(c, 'minRamGiB')).toEqual(['valid.integer'])
  })

  it('refuses bad tags', () => {
    expect(keysOf(validateCreate(form({ tags: ['a/b'] }), { state: 'idle' }), 'tags')).toEqual(['valid.badTag'])
    expect(keysOf(validateCreate(form({ tags: Array.from({ length: 129 }, (_, i) => `t${i}`) }), { state: 'idle' }), 'tags')).toEqual(['valid.tooManyTags'])
  })
})

describe('cross-field checks', () => {
  it('warns for Arm + BIOS boot on bare metal', () => {
    const w = crossFieldWarnings({ ...defaultFields(), architecture: 'arm', virtualization: 'baremetal', bootMode: 'bios' }, null)
    expect(w.map((i) => i.key)).toContain('valid.armBios')
    const ok = crossFieldWarnings({ ...defaultFields(), architecture: 'arm', virtualization: 'baremetal', bootMode: 'uefi' }, null)
    expect(ok.map((i) => i.key)).not.toContain('valid.armBios')
    const x86 = crossFieldWarnings({ ...defaultFields(), architecture: 'x86', virtualization: 'baremetal', bootMode: 'bios' }, null)
    expect(x86).toEqual([])
  })

  it('warns when min disk is below the virtual size', () => {
    const w = crossFieldWarnings({ ...defaultFields(), minDiskGiB: 5 }, 20 * GiB)
    expect(w).toEqual([{ key: 'valid.minDiskBelowVirtual', params: { minDisk: 5, needed: 20 } }])
    expect(crossFieldWarnings({ ...defaultFields(), minDiskGiB: 20 }, 20 * GiB)).toEqual([])
    expect(crossFieldWarnings({ ...defaultFields(), minDiskGiB: 0 }, null)).toEqual([])
  })

  it('the create form reports the warning from the inspection report', () => {
    const f = form({ fields: { ...defaultFields(), minDiskGiB: 1 } })
    const c = validateCreate(f, { state: 'done', report: report() })
    expect(c.warnings.map((w) => w.key)).toEqual(['valid.minDiskBelowVirtual'])
    expect(hasErrors(c)).toBe(false)
  })
})

describe('inspection and mapping to the contract', () => {
  it('inspection fills disk format and raises min disk, never lowers it', () => {
    const f = applyInspection(form({ fields: { ...defaultFields(), minDiskGiB: 2 } }), report())
    expect(f.diskFormat).toBe('qcow2')
    expect(f.fields.minDiskGiB).toBe(20)
    const g = applyInspection(form({ fields: { ...defaultFields(), minDiskGiB: 50 } }), report())
    expect(g.fields.minDiskGiB).toBe(50)
  })

  it('toCreateInput: boot mode only for bare metal, source handle, draft flag', () => {
    const qemu = toCreateInput(form({ fields: { ...defaultFields(), bootMode: 'uefi', osType: 'ubuntu' } }))
    expect(qemu.fields.bootMode).toBeUndefined()
    expect(qemu.fields.osType).toBe('ubuntu')
    expect(qemu.source).toEqual({ kind: 'file', fileHandle: 'h1' })
    expect(qemu.draft).toBeUndefined()
    const bm = toCreateInput(form({ fields: { ...defaultFields(), virtualization: 'baremetal', bootMode: 'uefi' } }), true)
    expect(bm.fields.bootMode).toBe('uefi')
    expect(bm.draft).toBe(true)
    // the format the user chose, never a hidden qcow2 (issue 14.3)
    const url = toCreateInput(form({ sourceKind: 'url', url: ' https://x/y.img ', diskFormat: 'vmdk' }))
    expect(url.source).toEqual({ kind: 'url', url: 'https://x/y.img' })
    expect(url.diskFormat).toBe('vmdk')
  })

  it('diffFields sends only what changed', () => {
    const before = { ...defaultFields(), description: '' }
    expect(diffFields(before, { ...before })).toEqual({})
    expect(diffFields(before, { ...before, protected: true, description: 'x' })).toEqual({ protected: true, description: 'x' })
  })

  it('volumeMinSize = max(minDisk, ceil(virtual/GiB)), at least 1', () => {
    expect(volumeMinSize({ minDisk: 0, virtualSize: 10 * GiB + 1, size: GiB })).toBe(11)
    expect(volumeMinSize({ minDisk: 40, virtualSize: 10 * GiB, size: GiB })).toBe(40)
    expect(volumeMinSize({ minDisk: 0, virtualSize: null, size: 100 })).toBe(1)
    expect(volumeMinSize({ minDisk: 0, virtualSize: null, size: 3 * GiB })).toBe(3)
  })

  it('issueText translates @-parameters', () => {
    const t = (k: string, p?: Record<string, unknown>) => (k === 'field.name' ? 'Image name' : `${k}:${JSON.stringify(p ?? {})}`)
    expect(issueText({ key: 'valid.required', params: { field: '@field.name' } }, t)).toBe('valid.required:{"field":"Image name"}')
    expect(issueText({ key: '@raw', params: { text: 'as is' } }, t)).toBe('as is')
  })
})
