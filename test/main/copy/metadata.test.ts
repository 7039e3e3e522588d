/** main/copy/metadata.ts: what a copy carries, how drift is found and fixed (the table in its header). */
import { describe, expect, it } from 'vitest'
import { carriedAttributes, contentHash, copyCreateBody, driftFix, globMatch, metadataDrift, tagsOf } from '../../../main/copy/metadata'
import { DEFAULT_PROPERTY_KEYS } from '../../../preload/api'

const src = {
  id: 'a',
  status: 'active',
  name: 'ubuntu',
  disk_format: 'qcow2',
  container_format: 'bare',
  visibility: 'public',
  protected: true,
  min_disk: 10,
  min_ram: 1024,
  os_hidden: false,
  checksum: 'm',
  os_hash_algo: 'sha512',
  os_hash_value: 's',
  size: 5,
  virtual_size: 10,
  owner: 'p1',
  created_at: 'x',
  updated_at: 'y',
  file: '/v2/images/a/file',
  self: '/v2/images/a',
  schema: '/v2/schemas/image',
  locations: [],
  stores: 'fast',
  os_glance_importing_to_stores: '',
  tags: ['b', 'a', 'a'],
  os_distro: 'ubuntu',
  hypervisor_type: 'qemu',
  custom: '值',
}

describe('copy metadata', () => {
  it('carries every console field and custom property, never what Glance owns; tags as a sorted set', () => {
    expect(carriedAttributes(src)).toEqual({
      name: 'ubuntu',
      disk_format: 'qcow2',
      container_format: 'bare',
      visibility: 'public',
      protected: true,
      min_disk: 10,
      min_ram: 1024,
      os_hidden: false,
      os_distro: 'ubuntu',
      hypervisor_type: 'qemu',
      custom: '值',
    })
    expect(tagsOf(src)).toEqual(['a', 'b'])
  })

  it("renames the per-profile keys to the target profile's", () => {
    const to = { ...DEFAULT_PROPERTY_KEYS, virtualization: 'usage_type' }
    const c = carriedAttributes(src, DEFAULT_PROPERTY_KEYS, to)
    expect(c.usage_type).toBe('qemu')
    expect(c).not.toHaveProperty('hypervisor_type')
  })

  it('the create body: protected false until verified, the given visibility, the tags', () => {
    const b = copyCreateBody(src, 'private')
    expect(b).toMatchObject({ visibility: 'private', protected: false, tags: ['a', 'b'], name: 'ubuntu', custom: '值' })
    expect(b).not.toHaveProperty('id')
    expect(b).not.toHaveProperty('checksum')
  })

  it('drift: what differs, extra properties and tags included; nothing for an equal copy', () => {
    const same = { ...src, id: 'b', owner: 'p2', created_at: 'z', stores: 'cheap', tags: ['a', 'b'] }
    expect(metadataDrift(src, same)).toEqual([])
    const other = { ...same, min_ram: 2048, stray: 'x', tags: ['a'] }
    delete (other as Record<string, unknown>).custom
    expect(metadataDrift(src, other)).toEqual([
      { key: 'custom', source: '值', target: null },
      { key: 'min_ram', source: 1024, target: 2048 },
      { key: 'stray', source: null, target: 'x' },
      { key: 'tags', source: ['a', 'b'], target: ['a'] },
    ])
    expect(metadataDrift(src, { ...same, visibility: 'private' }, { ignore: ['visibility'] })).toEqual([])
  })

  it('the drift fix: one JSON patch (add, replace, remove) and the tag calls; nothing when equal', () => {
    const other: Record<string, unknown> = { ...src, id: 'b', min_ram: 2048, stray: 'x', tags: ['a', 'c'] }
    delete other.custom
    const fix = driftFix(src, other)
    expect(fix.ops).toEqual(
      expect.arrayContaining([
        { op: 'add', path: '/custom', value: '值' },
        { op: 'replace', path: '/min_ram', value: 1024 },
        { op: 'remove', path: '/stray' },
      ]),
    )
    expect(fix.ops).toHaveLength(3)
    expect(fix.addTags).toEqual(['b'])
    expect(fix.removeTags).toEqual(['c'])
    expect(driftFix(src, { ...src, id: 'c' })).toEqual({ ops: [], addTags: [], removeTags: [] })
  })

  it('content hash: sha512 when Glance has it, else md5, else none', () => {
    expect(contentHash(src)).toEqual({ algo: 'sha512', value: 's' })
    expect(contentHash({ checksum: 'm', os_hash_algo: 'sha256', os_hash_value: 'x' })).toEqual({ algo: 'md5', value: 'm' })
    expect(contentHash({})).toBeNull()
  })

  it('name globs match whole names, * and ?, regex characters literal', () => {
    expect(globMatch('ubuntu-*', 'ubuntu-22.04')).toBe(true)
    expect(globMatch('ubuntu-*', 'my-ubuntu-22.04')).toBe(false)
    expect(globMatch('cirros-0.?.0', 'cirros-0.6.0')).toBe(true)
    expect(globMatch('a.b', 'axb')).toBe(false)
    expect(globMatch('(x)+', '(x)+')).toBe(true)
  })
})
