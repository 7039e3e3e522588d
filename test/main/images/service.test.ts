import { describe, expect, it, vi } from 'vitest'
import { ImageService, type TransferQueue } from '../../../main/images/service'
import { imageHandlers } from '../../../main/images/handlers'
import { DEFAULT_PROPERTY_KEYS } from '../../../main/openstack/properties'

const log = { debug() {}, info() {}, warn() {}, error() {}, addSecret() {} }
const fields = { minDiskGiB: 1, minRamGiB: 1, public: false, protected: false }

function setup(readOnly = false, roles = ['member']) {
  const old = {
    id: 'img1',
    name: 'a',
    status: 'active',
    visibility: 'shared',
    protected: false,
    min_disk: 0,
    min_ram: 0,
    os_distro: 'ubuntu',
    os_type: 'linux',
    note: 'n',
  }
  const glance = {
    get: vi.fn(async () => ({ ...old })),
    patch: vi.fn(async (_id: string, _ops: unknown[]) => ({ ...old })),
    delete: vi.fn(async () => {}),
    deactivate: vi.fn(async () => {}),
    create: vi.fn(async (b: Record<string, unknown>) => ({ ...b, id: 'new1', status: 'queued' })),
  }
  const client = {
    profile: { id: 'p', name: 'Prod', readOnly },
    region: 'RegionOne',
    session: { roles, project: { id: 'proj' } },
    glance,
    cinder: null,
    keys: DEFAULT_PROPERTY_KEYS,
  }
  const transfers: TransferQueue = {
    enqueueUpload: vi.fn(async () => ({ id: 'job1', imageId: 'img9' }) as never),
    enqueueImport: vi.fn(async () => ({ id: 'job2' }) as never),
  }
  const files = { resolve: vi.fn((h: string) => `/tmp/${h}`) }
  const svc = new ImageService({ clouds: { client: async () => client as never }, files, log, transfers })
  return { svc, glance, transfers, files }
}

describe('ImageService', () => {
  it('read-only profiles refuse unconfirmed destructive calls', async () => {
    const { svc, glance } = setup(true)
    await expect(svc.delete({ profileId: 'p' }, 'img1')).rejects.toMatchObject({ code: 'READ_ONLY' })
    await expect(svc.deactivate({ profileId: 'p' }, 'img1')).rejects.toMatchObject({ code: 'READ_ONLY' })
    await expect(svc.update({ profileId: 'p' }, 'img1', { name: 'b' })).rejects.toMatchObject({ code: 'READ_ONLY' })
    expect(glance.delete).not.toHaveBeenCalled()
    await svc.delete({ profileId: 'p' }, 'img1', true)
    expect(glance.delete).toHaveBeenCalledWith('img1')
  })
  it('update sends the minimal patch; not-public keeps a shared image shared', async () => {
    const { svc, glance } = setup()
    await svc.update({ profileId: 'p' }, 'img1', {
      fields: { ...fields, osType: 'windows', minDiskGiB: 0, minRamGiB: 0 },
      properties: { note: null, extra: 'x' },
    })
    expect(glance.patch.mock.calls[0]![1]).toEqual([
      { op: 'replace', path: '/os_distro', value: 'windows' },
      { op: 'replace', path: '/os_type', value: 'windows' },
      { op: 'add', path: '/extra', value: 'x' },
      { op: 'remove', path: '/note' },
    ])
  })
  it('a member cannot publicize (refused before the call)', async () => {
    const { svc, glance } = setup()
    await expect(svc.update({ profileId: 'p' }, 'img1', { fields: { public: true } })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(
      svc.create({ profileId: 'p' }, { name: 'x', fields: { ...fields, public: true }, diskFormat: 'raw', source: { kind: 'none' } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(glance.patch).not.toHaveBeenCalled()
  })
  it('create: none direct, file and url through the transfer queue', async () => {
    const { svc, glance, transfers } = setup()
    expect(await svc.create({ profileId: 'p' }, { name: 'x', fields, diskFormat: 'raw', source: { kind: 'none' } })).toEqual({ imageId: 'new1' })
    expect(glance.create.mock.calls[0]![0]).toMatchObject({ name: 'x', disk_format: 'raw', container_format: 'bare', visibility: 'private', min_ram: 1024 })
    expect(await svc.create({ profileId: 'p' }, { name: 'f', fields, diskFormat: 'auto', source: { kind: 'file', fileHandle: 'fh_x' }, draft: true })).toEqual({
      jobId: 'job1',
      imageId: 'img9',
    })
    expect(transfers.enqueueUpload).toHaveBeenCalledWith(
      { profileId: 'p', region: 'RegionOne' },
      expect.objectContaining({ filePath: '/tmp/fh_x', diskFormat: 'auto', draft: true }),
    )
    expect(await svc.create({ profileId: 'p' }, { name: 'u', fields, diskFormat: 'qcow2', source: { kind: 'url', url: 'http://x/y' } })).toEqual({
      jobId: 'job2',
      urlNotChecked: true,
    }) // http://x/ does not resolve: queued, not checked
    await expect(svc.create({ profileId: 'p' }, { name: 'u', fields, diskFormat: 'auto', source: { kind: 'url', url: 'http://x/y' } })).rejects.toMatchObject({
      code: 'VALIDATION',
    })
  })
})

describe('image handlers validate their arguments', () => {
  const { svc } = setup()
  const h = imageHandlers({ images: svc })
  it('refuses bad contexts, ids, queries and extra arguments', async () => {
    await expect(h['images:get']({ profileId: 'p', extra: 1 }, 'img1')).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(h['images:get']({ profileId: 'p' }, '../etc')).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(h['images:list']({ profileId: 'p' }, { limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(h['images:list']({ profileId: 'p' }, {}, 'http://evil/')).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(h['images:delete']({ profileId: 'p' }, 'img1', true, 'x')).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(
      h['images:create']({ profileId: 'p' }, { name: 'x', fields, diskFormat: 'raw', source: { kind: 'url', url: 'file:///etc/passwd' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(h['images:addTag']({ profileId: 'p' }, 'img1', 'a/b')).rejects.toMatchObject({ code: 'VALIDATION' })
  })
  it('passes valid arguments through', async () => {
    expect(await h['images:get']({ profileId: 'p', region: 'RegionOne' }, 'img1')).toMatchObject({ id: 'img1', fields: { osType: 'ubuntu' } })
  })
})
