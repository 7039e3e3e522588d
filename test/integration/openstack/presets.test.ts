/**
 * Issue 14.6 against the real Keystone: the "vendor console" preset reads the token's real roles and project (the
 * admin user in Default/admin, the member user in its own project); Glance's default policy stays the default.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { adminCloud, describeCloud, memberCloud } from '../../support/cloud'
import { capabilitiesOf } from '../../../main/openstack/capabilities'
import type { Session } from '../../../main/openstack/session'
import { sessionFor } from './helpers'

const cloudFacts = { importMethods: ['glance-direct', 'web-download'], stores: [], volumeService: true }

describeCloud('policy presets from real tokens', () => {
  let admin: Session
  let member: Session
  beforeAll(async () => {
    admin = sessionFor(adminCloud()!)
    member = sessionFor(memberCloud()!)
    await Promise.all([admin.authenticate(), member.authenticate()])
  })
  afterAll(() => {
    admin?.close()
    member?.close()
  })

  it('vendor console: the cloud admin in Default/admin creates; the member views only', () => {
    expect(admin.project.name).toBe('admin')
    const a = capabilitiesOf(admin, 'vendorConsole', cloudFacts)
    for (const act of ['create', 'modify', 'download', 'createVolume', 'editTags', 'delete'] as const) expect(a.can[act].allowed, act).toBe(true)
    const m = capabilitiesOf(member, 'vendorConsole', cloudFacts)
    expect(m.can.create).toMatchObject({ allowed: false, code: 'adminProjectOnly' })
    for (const act of ['modify', 'download', 'createVolume', 'editTags', 'delete'] as const)
      expect(m.can[act], act).toMatchObject({ allowed: false, code: 'adminOnly' })
  })

  it('Glance default (no preset): the member creates, modifies and downloads', () => {
    const m = capabilitiesOf(member, undefined, cloudFacts)
    for (const act of ['create', 'modify', 'download', 'editTags', 'delete'] as const) expect(m.can[act].allowed, act).toBe(true)
  })
})
