/**
 * Issue 14.6: the seed console's permission table as the per-profile preset "vendor console"; Glance's default policy
 * stays the default, and its refusals for readers say the cloud MAY refuse (its real policy is unknown).
 */
import { describe, expect, it } from 'vitest'
import { computeCapabilities } from '../../../main/openstack/capabilities'
import type { ActionName } from '../../../preload/api'

const cloud = { importMethods: ['glance-direct', 'web-download'], stores: [], volumeService: true }
const VIEW_ONLY: ActionName[] = ['modify', 'download', 'createVolume', 'editTags', 'delete']

describe('policy presets', () => {
  it('vendor console: only admins in Default/admin create; only admins modify, download, create volumes, edit tags, delete', () => {
    const cloudAdmin = computeCapabilities({
      ...cloud,
      roles: ['admin', 'member'],
      projectId: 'p-admin',
      projectName: 'admin',
      projectDomainId: 'default',
      preset: 'vendorConsole',
    })
    for (const a of ['create', 'import', ...VIEW_ONLY] as ActionName[]) expect(cloudAdmin.can[a].allowed, a).toBe(true)

    const adminElsewhere = computeCapabilities({
      ...cloud,
      roles: ['admin'],
      projectId: 'p-demo',
      projectName: 'demo',
      projectDomainId: 'default',
      preset: 'vendorConsole',
    })
    expect(adminElsewhere.can.create).toMatchObject({ allowed: false, code: 'adminProjectOnly' })
    expect(adminElsewhere.can.import).toMatchObject({ allowed: false, code: 'adminProjectOnly' })
    for (const a of VIEW_ONLY) expect(adminElsewhere.can[a].allowed, a).toBe(true)

    const adminOtherDomain = computeCapabilities({
      ...cloud,
      roles: ['admin'],
      projectId: 'p-x',
      projectName: 'admin',
      projectDomainId: 'd-other',
      preset: 'vendorConsole',
    })
    expect(adminOtherDomain.can.create).toMatchObject({ allowed: false, code: 'adminProjectOnly' })

    const member = computeCapabilities({
      ...cloud,
      roles: ['member'],
      projectId: 'p-admin',
      projectName: 'admin',
      projectDomainId: 'default',
      preset: 'vendorConsole',
    })
    expect(member.can.create).toMatchObject({ allowed: false, code: 'adminProjectOnly' })
    for (const a of [...VIEW_ONLY, 'deactivate', 'share', 'publicize'] as ActionName[]) {
      expect(member.can[a], a).toMatchObject({ allowed: false, code: 'adminOnly' })
      expect(member.can[a].reason, a).toBeTruthy() // English for logs and the CLI; the UI words the code
    }
  })

  it('Glance default policy stays the default: a member manages and downloads', () => {
    const member = computeCapabilities({ ...cloud, roles: ['member'], projectId: 'p-demo', projectName: 'demo' })
    for (const a of ['create', ...VIEW_ONLY] as ActionName[]) expect(member.can[a].allowed, a).toBe(true)
    const explicit = computeCapabilities({ ...cloud, roles: ['member'], projectId: 'p-demo', projectName: 'demo', preset: 'glanceDefault' })
    expect(explicit.can).toEqual(member.can)
  })

  it("a reader's reasons are coded (the UI says the cloud may refuse: its policy is unknown)", () => {
    const reader = computeCapabilities({ ...cloud, roles: ['reader'], projectId: 'p-demo' })
    expect(reader.can.modify).toMatchObject({ allowed: false, code: 'readOnlyRole' })
    expect(reader.can.modify.reason).toBeTruthy()
    const none = computeCapabilities({ ...cloud, roles: ['heat_stack_user'], projectId: 'p-demo' })
    expect(none.can.delete).toMatchObject({ allowed: false, code: 'noRole' })
    expect(none.can.delete.reason).toBeTruthy()
  })
})
