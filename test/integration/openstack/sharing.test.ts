/**
 * Sharing and membership against the real Keystone and Glance, as admin (may list projects) and as demo (may not).
 * Glance takes any string as a member: sharing with "demo" used to add a member "demo" that is no project. Now the
 * name is resolved through Keystone (or the id checked), members carry names, a private image becomes shared, and the
 * consumer lists "shared with my project" by member status and accepts or rejects.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { adminCloud, describeCloud, memberCloud } from '../../support/cloud'
import { ImageService } from '../../../main/images/service'
import type { TransferQueue } from '../../../main/images/service'
import { ProjectDirectory } from '../../../main/openstack/projects'
import type { CloudClient } from '../../../main/openstack/types'
import { createNullLogger } from '../../../main/log'
import { clientFor } from '../transfers/helpers'
import { unique } from './helpers'

const noTransfers = {} as TransferQueue

describeCloud('sharing: project names through Keystone, the consumer side (real cloud)', () => {
  let admin: CloudClient
  let demo: CloudClient
  let asAdmin: ImageService
  let asDemo: ImageService
  const ctx = { profileId: 'it' }
  const created: string[] = []

  beforeAll(async () => {
    admin = await clientFor(adminCloud()!)
    demo = await clientFor(memberCloud()!)
    const svc = (c: CloudClient) =>
      new ImageService({ clouds: { client: async () => c }, files: { resolve: () => '' }, log: createNullLogger(), transfers: noTransfers })
    asAdmin = svc(admin)
    asDemo = svc(demo)
  })
  afterAll(async () => {
    for (const id of created) await admin.glance.delete(id).catch(() => {})
  })

  async function privateImage(): Promise<string> {
    const img = await admin.glance.create({ name: unique('share'), disk_format: 'raw', container_format: 'bare', visibility: 'private' })
    created.push(img.id)
    return img.id
  }

  it('admin: a project name resolves to its id; an unknown name is NOT_FOUND; an id gets its name', async () => {
    const dir = new ProjectDirectory(admin.session)
    const byName = await dir.resolve('demo')
    expect(byName.id).toBe(demo.session.project.id)
    expect(byName.name).toBe('demo')
    await expect(dir.resolve('no-such-project-gd')).rejects.toMatchObject({ code: 'NOT_FOUND', details: { reason: 'projectNotFound' } })
    await expect(dir.resolve('0123456789abcdef0123456789abcdef')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await dir.resolve(demo.session.project.id)).toMatchObject({ id: demo.session.project.id, name: 'demo' })
  })

  it('demo: may not list projects; its own project by name, another by a well-formed id, a name is refused with a reason', async () => {
    const dir = new ProjectDirectory(demo.session)
    expect((await dir.visible()).complete).toBe(false)
    expect((await dir.resolve('demo')).id).toBe(demo.session.project.id)
    expect((await dir.resolve(admin.session.project.id)).id).toBe(admin.session.project.id)
    await expect(dir.resolve('admin')).rejects.toMatchObject({ code: 'VALIDATION', details: { reason: 'projectNameNeedsId' } })
  })

  it('share by name: the member is the project id with its name, and a private image becomes shared', async () => {
    const id = await privateImage()
    const m = await asAdmin.share(ctx, id, 'demo')
    expect(m).toMatchObject({ memberId: demo.session.project.id, memberName: 'demo', status: 'pending' })
    expect((await admin.glance.get(id)).visibility).toBe('shared')
    const members = await asAdmin.members(ctx, id)
    expect(members.map((x) => [x.memberId, x.memberName])).toEqual([[demo.session.project.id, 'demo']])
    await expect(asAdmin.share(ctx, id, 'no-such-project-gd')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await admin.glance.members(id)).map((x) => x.member_id)).toEqual([demo.session.project.id])
  })

  it('visibility shared in Create and Modify (the console field alone could only say public or private)', async () => {
    const fields = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }
    const r = await asAdmin.create(ctx, { name: unique('vis'), fields, diskFormat: 'raw', source: { kind: 'none' }, visibility: 'shared' })
    created.push(r.imageId!)
    expect((await admin.glance.get(r.imageId!)).visibility).toBe('shared')
    expect((await asAdmin.update(ctx, r.imageId!, { visibility: 'private' })).visibility).toBe('private')
    expect((await asAdmin.update(ctx, r.imageId!, { fields: { public: false }, visibility: 'shared' })).visibility).toBe('shared')
  })

  it('the consumer: pending -> accepted -> rejected, each listed under its member_status', async () => {
    const id = await privateImage()
    await asAdmin.share(ctx, id, demo.session.project.id)
    const ids = async (memberStatus: 'pending' | 'accepted' | 'rejected') =>
      (await asDemo.list(ctx, { visibility: 'shared', memberStatus, limit: 1000 })).images.map((im) => im.id)
    expect(await ids('pending')).toContain(id)
    expect(await ids('accepted')).not.toContain(id)
    expect((await asDemo.setMemberStatus(ctx, id, 'accepted')).status).toBe('accepted')
    expect(await ids('accepted')).toContain(id)
    expect(await ids('pending')).not.toContain(id)
    expect((await asDemo.setMemberStatus(ctx, id, 'rejected')).status).toBe('rejected')
    expect(await ids('rejected')).toContain(id)
    expect(await ids('accepted')).not.toContain(id)
    // the owner sees the consumer's answer, with the name
    expect(await asAdmin.members(ctx, id)).toEqual([expect.objectContaining({ memberName: 'demo', status: 'rejected' })])
  })
})
