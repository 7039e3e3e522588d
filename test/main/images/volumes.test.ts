/**
 * The volume rules of the volume service (main/volumes/service.ts) are the shared ones (preload/rules/permissions.ts, issue 11.2): the same
 * eligibility the UI shows (QEMU qcow2/raw, active), refused with a reason code before Cinder is called; and the
 * profile's policy preset decides the capabilities (issue 14.6).
 */
import { describe, expect, it, vi } from 'vitest'
import { ImageService, type TransferQueue } from '../../../main/images/service'
import { VolumeService } from '../../../main/volumes/service'
import { DEFAULT_PROPERTY_KEYS } from '../../../main/openstack/properties'

const log = { debug() {}, info() {}, warn() {}, error() {}, addSecret() {} }

function setup(raw: Record<string, unknown>, profile: Record<string, unknown> = {}, roles = ['member']) {
  const glance = {
    get: vi.fn(async () => ({ id: 'img1', name: 'a', min_disk: 0, size: 1024, virtual_size: 3 * 1024 ** 3, ...raw })),
    importInfo: vi.fn(async () => ['glance-direct']),
    stores: vi.fn(async () => []),
    usage: vi.fn(async () => undefined),
  }
  const cinder = {
    createVolume: vi.fn(async () => ({ id: 'v1', name: 'v', status: 'creating', size: 3 })),
    waitForVolume: vi.fn(async () => ({ id: 'v1', name: 'v', status: 'available', size: 3 })),
  }
  const client = {
    profile: { id: 'p', name: 'Prod', readOnly: false, ...profile },
    region: 'RegionOne',
    session: { roles, project: { id: 'proj', name: 'admin', domainId: 'default' } },
    glance,
    cinder,
    keys: (profile.propertyKeys as typeof DEFAULT_PROPERTY_KEYS | undefined) ?? DEFAULT_PROPERTY_KEYS,
  }
  const transfers = { enqueueUpload: vi.fn(), enqueueImport: vi.fn() } as unknown as TransferQueue
  const svc = new ImageService({ clouds: { client: async () => client as never }, files: { resolve: (h: string) => h }, log, transfers })
  const vols = new VolumeService({ clouds: { client: async () => client as never } })
  return { svc, vols, cinder }
}

const ctx = { profileId: 'p' }
const input = { imageId: 'img1', name: 'v', sizeGiB: 3 }

describe('volumes from images: one eligibility rule', () => {
  it('a bare-metal raw image is refused (the UI refuses it too), before Cinder is called', async () => {
    const { vols, cinder } = setup({ status: 'active', disk_format: 'raw', hypervisor_type: 'ironic' })
    await expect(vols.create(ctx, input)).rejects.toMatchObject({ code: 'VALIDATION', details: { reason: 'volumeFormat', params: { format: 'raw' } } })
    expect(cinder.createVolume).not.toHaveBeenCalled()
  })
  it('the profile’s virtualization key is honoured (a Skyline-style usage_type)', async () => {
    const keys = { ...DEFAULT_PROPERTY_KEYS, virtualization: 'usage_type' }
    const bm = setup({ status: 'active', disk_format: 'qcow2', usage_type: 'baremetal' }, { propertyKeys: keys })
    await expect(bm.vols.create(ctx, input)).rejects.toMatchObject({ details: { reason: 'volumeFormat' } })
    const vm = setup({ status: 'active', disk_format: 'qcow2', usage_type: 'qemu', hypervisor_type: 'ironic' }, { propertyKeys: keys })
    await expect(vm.vols.create(ctx, input)).resolves.toMatchObject({ id: 'v1' })
    expect(vm.cinder.createVolume).toHaveBeenCalledTimes(1)
  })
  it('not active, too small: reason codes with their parameters', async () => {
    const q = setup({ status: 'queued', disk_format: 'qcow2' })
    await expect(q.vols.create(ctx, input)).rejects.toMatchObject({ code: 'VALIDATION', details: { reason: 'volumeNotActive', params: { status: 'queued' } } })
    const s = setup({ status: 'active', disk_format: 'qcow2' })
    await expect(s.vols.create(ctx, { ...input, sizeGiB: 2 })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { reason: 'volumeTooSmall', params: { min: 3 } },
    })
    await expect(s.vols.create(ctx, input)).resolves.toMatchObject({ id: 'v1', status: 'available' })
  })
})

describe('capabilities follow the profile’s policy preset', () => {
  it('vendor console: a member in Default/admin may view only', async () => {
    const { svc } = setup({}, { policyPreset: 'vendorConsole' })
    const caps = await svc.capabilities(ctx)
    expect(caps.can.create).toMatchObject({ allowed: false, code: 'adminProjectOnly' })
    expect(caps.can.download).toMatchObject({ allowed: false, code: 'adminOnly' })
    const admin = await setup({}, { policyPreset: 'vendorConsole' }, ['admin']).svc.capabilities(ctx)
    expect(admin.can.create.allowed).toBe(true)
  })
  it('no preset: Glance default policy', async () => {
    const caps = await setup({}).svc.capabilities(ctx)
    expect(caps.can.create.allowed).toBe(true)
    expect(caps.can.download.allowed).toBe(true)
  })
})
