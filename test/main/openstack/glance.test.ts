import { describe, expect, it } from 'vitest'
import { buildListQuery, checkCursor, computePatch, failedImportStores, glanceRoot, parseHeaderList, pointer } from '../../../main/openstack/glance'

describe('computePatch', () => {
  const old = {
    id: 'i1',
    name: 'a',
    status: 'active',
    size: 10,
    checksum: 'x',
    min_disk: 1,
    visibility: 'private',
    tags: ['t'],
    os_distro: 'ubuntu',
    description: 'd',
    os_glance_import_task: 'task',
    'a/b~c': 'v',
  }
  it('is empty for an identical image', () => {
    expect(computePatch(old, { ...old })).toEqual([])
  })
  it('adds new keys, replaces changed ones, removes vanished custom properties', () => {
    const next: Record<string, unknown> = { ...old, name: 'b', min_disk: 2, architecture: 'x86_64' }
    delete next.description
    expect(computePatch(old, next)).toEqual([
      { op: 'replace', path: '/name', value: 'b' },
      { op: 'replace', path: '/min_disk', value: 2 },
      { op: 'add', path: '/architecture', value: 'x86_64' },
      { op: 'remove', path: '/description' },
    ])
  })
  it('never touches read-only or reserved attributes', () => {
    const next = { ...old, status: 'queued', size: 1, checksum: 'y', id: 'z', os_glance_import_task: null, tags: ['u'], updated_at: 'now' }
    expect(computePatch(old, next)).toEqual([])
    const gone: Record<string, unknown> = { ...old }
    delete gone.status
    delete gone.os_glance_import_task
    expect(computePatch(old, gone)).toEqual([])
  })
  it('never removes an absent key; null on a custom key removes it, on a core key replaces with null', () => {
    expect(computePatch(old, { ...old, hw_firmware_type: null, other: undefined })).toEqual([])
    expect(computePatch(old, { ...old, os_distro: null })).toEqual([{ op: 'remove', path: '/os_distro' }])
    expect(computePatch(old, { ...old, name: null })).toEqual([{ op: 'replace', path: '/name', value: null }])
  })
  it('escapes JSON pointers', () => {
    expect(pointer('a/b~c')).toBe('/a~1b~0c')
    expect(computePatch(old, { ...old, 'a/b~c': 'w' })).toEqual([{ op: 'replace', path: '/a~1b~0c', value: 'w' }])
  })
})

describe('buildListQuery', () => {
  it('maps every filter', () => {
    const q = buildListQuery({
      names: ['a', 'b,c'],
      status: ['active', 'queued'],
      visibility: 'all',
      tags: ['x', 'y'],
      owner: 'p1',
      protected: false,
      diskFormat: ['qcow2'],
      osType: 'ubuntu',
      properties: { hw_firmware_type: 'uefi' },
      sizeMin: 1,
      sizeMax: 100,
      createdAfter: '2024-01-01T00:00:00Z',
      createdBefore: '2025-01-01T00:00:00Z',
      updatedAfter: '2024-02-01T00:00:00Z',
      changesSince: '2024-03-01T00:00:00Z',
      sort: [
        { key: 'name', dir: 'asc' },
        { key: 'created_at', dir: 'desc' },
      ],
      limit: 5000,
    })
    expect(q.get('name')).toBe('in:a,"b,c"')
    expect(q.get('status')).toBe('in:active,queued')
    expect(q.get('visibility')).toBe('all')
    expect(q.getAll('tag')).toEqual(['x', 'y'])
    expect(q.get('owner')).toBe('p1')
    expect(q.get('protected')).toBe('false')
    expect(q.get('disk_format')).toBe('qcow2')
    expect(q.get('os_distro')).toBe('ubuntu')
    expect(q.get('hw_firmware_type')).toBe('uefi')
    expect(q.get('size_min')).toBe('1')
    expect(q.get('size_max')).toBe('100')
    expect(q.getAll('created_at')).toEqual(['gt:2024-01-01T00:00:00Z', 'lt:2025-01-01T00:00:00Z'])
    expect(q.getAll('updated_at')).toEqual(['gt:2024-02-01T00:00:00Z', 'gte:2024-03-01T00:00:00Z'])
    expect(q.has('changes-since')).toBe(false)
    expect(q.get('sort')).toBe('name:asc,created_at:desc')
    expect(q.get('limit')).toBe('1000')
  })
  it('a single name is a plain match; empty query is empty', () => {
    expect(buildListQuery({ name: 'x y' }).toString()).toBe('name=x+y')
    expect(buildListQuery({}).toString()).toBe('')
  })
  it('refuses pager keys as property filters', () => {
    expect(() => buildListQuery({ properties: { marker: 'x' } })).toThrow(/cannot be used/)
  })
})

describe('small helpers', () => {
  it('checkCursor accepts only image list links', () => {
    expect(checkCursor('/v2/images?limit=2&marker=abc')).toBe('/v2/images?limit=2&marker=abc')
    expect(() => checkCursor('/v2/images/abc/file')).toThrow()
    expect(() => checkCursor('http://evil/v2/images?x')).toThrow()
    expect(() => checkCursor('/v2/images?../../')).toThrow()
  })
  it('glanceRoot strips a version suffix', () => {
    expect(glanceRoot('http://h:9292/v2/')).toBe('http://h:9292')
    expect(glanceRoot('http://h/image')).toBe('http://h/image')
  })
  it('parses header lists and failed import stores', () => {
    expect(parseHeaderList('glance-direct,web-download, copy-image')).toEqual(['glance-direct', 'web-download', 'copy-image'])
    expect(parseHeaderList(undefined)).toEqual([])
    expect(failedImportStores({ os_glance_failed_import: 'fast, cheap' })).toEqual(['fast', 'cheap'])
    expect(failedImportStores({ os_glance_failed_import: '' })).toEqual([])
  })
})
