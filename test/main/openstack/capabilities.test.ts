import { describe, expect, it } from 'vitest'
import { computeCapabilities, imagePermission, REASONS } from '../../../main/openstack/capabilities'
import type { ActionName, Permission } from '../../../preload/api'
import type { ImageAction, PermImage } from '../../../preload/rules/permissions'

const facts = { projectId: 'p1', importMethods: ['glance-direct', 'web-download'], stores: [], volumeService: true }

describe('computeCapabilities', () => {
  it('admin may do everything', () => {
    const c = computeCapabilities({ ...facts, roles: ['admin', 'member', 'reader'] })
    expect(c.isAdmin).toBe(true)
    expect(Object.values(c.can).every((p) => p.allowed)).toBe(true)
  })
  it('member may manage but not publicize', () => {
    const c = computeCapabilities({ ...facts, roles: ['member', 'reader'] })
    expect(c.can.publicize).toEqual({ allowed: false, reason: REASONS.publicize, code: 'publicize' })
    for (const a of ['create', 'modify', 'delete', 'editTags', 'deactivate', 'share', 'import', 'createVolume', 'download'] as const) {
      expect(c.can[a].allowed).toBe(true)
    }
  })
  it('reader is read-only, each denial with a reason', () => {
    const c = computeCapabilities({ ...facts, roles: ['reader'] })
    expect(c.can.download.allowed).toBe(true)
    for (const [a, p] of Object.entries(c.can)) {
      if (a === 'download') continue
      expect(p.allowed).toBe(false)
      expect(p.reason).toBeTruthy()
    }
  })
  it('what the cloud lacks', () => {
    const c = computeCapabilities({
      ...facts,
      roles: ['member'],
      importMethods: [],
      volumeService: false,
      quota: { image_count_total: { limit: 2, usage: 2 } },
    })
    expect(c.can.import).toEqual({ allowed: false, reason: REASONS.noImport, code: 'noImport' })
    expect(c.can.createVolume).toEqual({ allowed: false, reason: REASONS.noVolumeService, code: 'noVolumeService' })
    expect(c.can.create).toEqual({ allowed: false, reason: REASONS.quotaFull, code: 'quotaFull' })
    expect(computeCapabilities({ ...facts, roles: ['member'], quota: { image_count_total: { limit: -1, usage: 9 } } }).can.create.allowed).toBe(true)
  })
  it('per image: ownership, protection, status', () => {
    const c = computeCapabilities({ ...facts, roles: ['member'] })
    // the per-image rule is the shared one (preload/rules/permissions.ts), as the renderer uses it
    const forImage = (im: Omit<PermImage, 'diskFormat' | 'fields'>) => {
      const out = {} as Record<ActionName, Permission>
      for (const a of Object.keys(c.can) as ImageAction[]) out[a as ActionName] = imagePermission(a, { ...im, diskFormat: 'qcow2', fields: {} }, c)
      return out
    }
    const foreign = forImage({ owner: 'other', protected: false, status: 'active', visibility: 'public' })
    expect(foreign.delete).toEqual({ allowed: false, reason: REASONS.notOwner, code: 'notOwner' })
    expect(foreign.download.allowed).toBe(true)
    const prot = forImage({ owner: 'p1', protected: true, status: 'active', visibility: 'shared' })
    expect(prot.delete.reason).toBe(REASONS.protectedImage)
    expect(prot.share.allowed).toBe(true)
    const queued = forImage({ owner: 'p1', protected: false, status: 'queued', visibility: 'private' })
    expect(queued.download.allowed).toBe(false)
    expect(queued.share.reason).toBe(REASONS.notShareable)
  })
})
