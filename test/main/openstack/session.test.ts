import { describe, expect, it } from 'vitest'
import { authBody, identityV3Url, parseToken, pickEndpoint } from '../../../main/openstack/session'
import type { CatalogEntry } from '../../../main/openstack/types'
import { minVolumeSizeGiB, volumeCreateBody } from '../../../main/openstack/cinder'

const catalog: CatalogEntry[] = [
  {
    type: 'image',
    endpoints: [
      { interface: 'public', region: 'RegionOne', url: 'http://h:9292/' },
      { interface: 'internal', region: 'RegionOne', url: 'http://internal:9292' },
      { interface: 'public', region: 'RegionTwo', region_id: 'r2', url: 'http://h:9293' },
    ],
  },
  { type: 'block-storage', endpoints: [{ interface: 'public', region: 'RegionOne', url: 'http://h:8776/v3/%(project_id)s' }] },
]

describe('pickEndpoint', () => {
  it('picks by type, region (name or id) and interface', () => {
    expect(pickEndpoint(catalog, 'image', 'RegionOne', 'public')).toBe('http://h:9292')
    expect(pickEndpoint(catalog, 'image', 'RegionOne', 'internal')).toBe('http://internal:9292')
    expect(pickEndpoint(catalog, 'image', 'r2', 'public')).toBe('http://h:9293')
  })
  it('resolves volume aliases and the project id', () => {
    expect(pickEndpoint(catalog, 'volumev3', 'RegionOne', 'public', {}, 'p1')).toBe('http://h:8776/v3/p1')
    expect(pickEndpoint(catalog, 'volume', 'RegionOne', 'public', {}, 'p1')).toBe('http://h:8776/v3/p1')
  })
  it('honours overrides, region-specific first', () => {
    const o = { image: 'http://override:1', 'RegionTwo/image': 'http://override:2/' }
    expect(pickEndpoint(catalog, 'image', 'RegionOne', 'public', o)).toBe('http://override:1')
    expect(pickEndpoint(catalog, 'image', 'RegionTwo', 'public', o)).toBe('http://override:2')
  })
  it('NO_ENDPOINT names what exists', () => {
    expect(() => pickEndpoint(catalog, 'volumev3', 'RegionTwo', 'public')).toThrow(/no public volumev3 endpoint in region RegionTwo \(it has: RegionOne\)/)
    try {
      pickEndpoint(catalog, 'image', 'Nowhere', 'admin')
    } catch (e) {
      expect(e).toMatchObject({ code: 'NO_ENDPOINT' })
    }
  })
})

describe('auth bodies', () => {
  it('password by name + domain, project by name + domain', () => {
    expect(authBody({ type: 'password', password: 'p', username: 'u', userDomainName: 'D', projectName: 'pr', projectDomainName: 'PD' })).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'u', password: 'p', domain: { name: 'D' } } } },
        scope: { project: { name: 'pr', domain: { name: 'PD' } } },
      },
    })
  })
  it('password by ids', () => {
    expect(authBody({ type: 'password', password: 'p', userId: 'uid', projectId: 'pid' })).toEqual({
      auth: { identity: { methods: ['password'], password: { user: { id: 'uid', password: 'p' } } }, scope: { project: { id: 'pid' } } },
    })
  })
  it('application credentials by id, or by name + user', () => {
    expect(authBody({ type: 'applicationCredential', id: 'ac', secret: 's' })).toEqual({
      auth: { identity: { methods: ['application_credential'], application_credential: { id: 'ac', secret: 's' } } },
    })
    expect(authBody({ type: 'applicationCredential', name: 'n', secret: 's', username: 'u', userDomainName: 'Default' })).toEqual({
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: { name: 'n', secret: 's', user: { name: 'u', domain: { name: 'Default' } } },
        },
      },
    })
    expect(() => authBody({ type: 'applicationCredential', name: 'n', secret: 's' })).toThrow()
  })
  it('normalises auth URLs', () => {
    expect(identityV3Url('http://h:5000')).toBe('http://h:5000/v3')
    expect(identityV3Url('http://h:5000/v3/')).toBe('http://h:5000/v3')
    expect(() => identityV3Url('http://h:5000/v2.0')).toThrow()
  })
  it('parses a token', () => {
    const t = parseToken({
      token: {
        expires_at: '2030-01-01T00:00:00.000000Z',
        issued_at: '2029-12-31T23:00:00.000000Z',
        roles: [{ name: 'member' }, { name: 'reader' }],
        user: { id: 'u', name: 'demo', domain: { id: 'default' } },
        project: { id: 'p', name: 'demo' },
        catalog,
      },
    })
    expect(t.roles).toEqual(['member', 'reader'])
    expect(t.expiresAt.toISOString()).toBe('2030-01-01T00:00:00.000Z')
    expect(t.catalog).toHaveLength(2)
    expect(() => parseToken({})).toThrow(/no token/)
  })
})

describe('volume size rule', () => {
  const GiB = 1024 ** 3
  it('is max(min_disk, ceil(virtual_size / GiB)), at least 1', () => {
    expect(minVolumeSizeGiB({ min_disk: 0, virtual_size: 1 })).toBe(1)
    expect(minVolumeSizeGiB({ min_disk: 0, virtual_size: GiB })).toBe(1)
    expect(minVolumeSizeGiB({ min_disk: 0, virtual_size: GiB + 1 })).toBe(2)
    expect(minVolumeSizeGiB({ min_disk: 20, virtual_size: 3 * GiB })).toBe(20)
    expect(minVolumeSizeGiB({ min_disk: 1, virtual_size: 10.5 * GiB, size: 1 })).toBe(11)
  })
  it('falls back to the stored size when the virtual size is unknown', () => {
    expect(minVolumeSizeGiB({ min_disk: 0, virtual_size: null, size: 5 * GiB + 1 })).toBe(6)
    expect(minVolumeSizeGiB({})).toBe(1)
  })
  it('builds the create body', () => {
    expect(volumeCreateBody({ imageId: 'i', name: 'v', sizeGiB: 2, volumeType: 't' })).toEqual({
      volume: { imageRef: 'i', size: 2, name: 'v', volume_type: 't' },
    })
  })
})
