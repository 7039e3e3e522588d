/**
 * Member vs admin against the real cloud: what capabilities say is forbidden is refused by the server; sharing;
 * 404 for another project's private image; token revocation (401 once, re-auth); Cinder volume from image; the
 * ImageService with its export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppError } from '../../../preload/api'
import { adminCloud, describeCloud, memberCloud } from '../../support/cloud'
import { GlanceClient } from '../../../main/openstack/glance'
import { CinderClient, minVolumeSizeGiB } from '../../../main/openstack/cinder'
import { buildCreateBody, DEFAULT_PROPERTY_KEYS } from '../../../main/openstack/properties'
import { computeCapabilities } from '../../../main/openstack/capabilities'
import { ImageService } from '../../../main/images/service'
import type { Session } from '../../../main/openstack/session'
import type { CloudClient } from '../../../main/openstack/types'
import { Cleanup, bytes, sessionFor, streamOf, unique } from './helpers'

const fields = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }

describeCloud('policy, sharing, tokens, volumes (real cloud)', () => {
  let admin: Session
  let member: Session
  const cleanup = new Cleanup()
  beforeAll(async () => {
    admin = sessionFor(adminCloud()!)
    member = sessionFor(memberCloud()!)
    await Promise.all([admin.authenticate(), member.authenticate()])
  })
  afterAll(async () => {
    await cleanup.run()
    admin?.close()
    member?.close()
  })

  describe.each(['RegionOne', 'RegionTwo'])('in %s', (region) => {
    let ag: GlanceClient
    let mg: GlanceClient
    let adminPublic = ''
    let adminPrivate = ''
    beforeAll(async () => {
      ag = new GlanceClient(admin, region)
      mg = new GlanceClient(member, region)
      adminPublic = cleanup.add(ag, (await ag.create(buildCreateBody({ name: unique('pub'), fields: { ...fields, public: true }, diskFormat: 'raw' }))).id)
      await ag.uploadData(adminPublic, streamOf(bytes(10_000)), 10_000)
      adminPrivate = cleanup.add(ag, (await ag.create(buildCreateBody({ name: unique('priv'), fields, diskFormat: 'raw' }))).id)
    })

    it('capabilities: member may not publicize, and Glance refuses it (403)', async () => {
      const caps = computeCapabilities({
        roles: member.roles,
        projectId: member.project.id,
        importMethods: await mg.importInfo(),
        stores: await mg.stores(),
        volumeService: true,
      })
      expect(caps.isAdmin).toBe(false)
      expect(caps.can.publicize.allowed).toBe(false)
      expect(caps.can.create.allowed).toBe(true)
      const e = (await mg
        .create(buildCreateBody({ name: unique('m-pub'), fields: { ...fields, public: true }, diskFormat: 'raw' }))
        .catch((x: unknown) => x)) as AppError
      expect(e).toMatchObject({ code: 'FORBIDDEN', status: 403 })
      expect(e.message).toMatch(/publicize/)
      // nor by PATCH of an own image
      const own = cleanup.add(mg, (await mg.create(buildCreateBody({ name: unique('m-own'), fields, diskFormat: 'raw' }))).id)
      const old = await mg.get(own)
      await expect(mg.update(old, { ...old, visibility: 'public' })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 })
      // what capabilities allow really works: modify, tag, deactivate needs data; delete own
      await mg.update(old, { ...old, name: `${old.name as string}-renamed` })
      await mg.addTag(own, 'ok')
      await mg.delete(own)
      // the admin may publicize
      expect(
        computeCapabilities({ roles: admin.roles, projectId: admin.project.id, importMethods: [], stores: [], volumeService: true }).can.publicize.allowed,
      ).toBe(true)
    })

    it("member: another project's public image is readable but not modifiable; its private image is 404", async () => {
      const pub = await mg.get(adminPublic)
      expect(pub.visibility).toBe('public')
      await expect(mg.update(pub, { ...pub, name: 'hijack' })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 })
      await expect(mg.addTag(adminPublic, 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' })
      await expect(mg.delete(adminPublic)).rejects.toMatchObject({ code: 'FORBIDDEN' })
      await expect(mg.deactivate(adminPublic)).rejects.toMatchObject({ status: 403 })
      const e = (await mg.get(adminPrivate).catch((x: unknown) => x)) as AppError
      expect(e).toMatchObject({ code: 'NOT_FOUND', status: 404, method: 'GET' })
      expect(e.url).toContain(adminPrivate)
      expect(e.requestId).toMatch(/^req-/)
    })

    it('members: share with the member project, accept, reject, list, remove', async () => {
      const id = cleanup.add(ag, (await ag.create(buildCreateBody({ name: unique('shared'), fields, diskFormat: 'raw' }))).id)
      await ag.update(await ag.get(id), { ...(await ag.get(id)), visibility: 'shared' })
      await expect(mg.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      const m = await ag.addMember(id, member.project.id)
      expect(m).toMatchObject({ image_id: id, member_id: member.project.id, status: 'pending' })
      expect((await ag.members(id)).map((x) => x.member_id)).toEqual([member.project.id])
      expect((await mg.setMemberStatus(id, member.project.id, 'accepted')).status).toBe('accepted')
      expect((await mg.get(id)).id).toBe(id)
      const listed: string[] = []
      for await (const img of mg.list({ visibility: 'shared' })) listed.push(img.id)
      expect(listed).toContain(id)
      expect((await mg.setMemberStatus(id, member.project.id, 'rejected')).status).toBe('rejected')
      expect((await ag.getMember(id, member.project.id)).status).toBe('rejected')
      // the member cannot add members to someone else's image
      await expect(mg.addMember(id, admin.project.id)).rejects.toMatchObject({ status: 403 })
      await ag.removeMember(id, member.project.id)
      expect(await ag.members(id)).toEqual([])
    })
  })

  it('a revoked token is renewed once on the 401 and the call succeeds', async () => {
    const s = sessionFor(memberCloud()!)
    try {
      const g = new GlanceClient(s, 'RegionOne')
      await g.versions()
      const stale = await s.getToken()
      // revoke it as the admin
      await admin.request({ method: 'DELETE', url: `${admin.identityUrl}/auth/tokens`, headers: { 'x-subject-token': stale }, responseType: 'none' })
      const base = await g.baseUrl()
      await expect(s.http.request({ method: 'GET', url: `${base}/v2/images?limit=1`, headers: { 'x-auth-token': stale } })).rejects.toMatchObject({
        code: 'AUTH_FAILED',
        status: 401,
      })
      const page = await g.listPage({ limit: 1 })
      expect(Array.isArray(page.images)).toBe(true)
      expect(await s.getToken()).not.toBe(stale)
      // a stream body is not replayed: with a revoked token the upload fails with AUTH_FAILED
      const id = cleanup.add(g, (await g.create(buildCreateBody({ name: unique('stream401'), fields, diskFormat: 'raw' }))).id)
      // a token Glance has not seen yet (Glance caches validated tokens for a while)
      s.invalidate()
      const tok = await s.getToken()
      await admin.request({ method: 'DELETE', url: `${admin.identityUrl}/auth/tokens`, headers: { 'x-subject-token': tok }, responseType: 'none' })
      await expect(g.uploadData(id, streamOf(bytes(1000)), 1000)).rejects.toMatchObject({ code: 'AUTH_FAILED' })
      // the transfer engine's answer to that 401: renew, then send the stream again
      s.invalidate()
      expect(await s.freshToken()).not.toBe(tok)
      await g.uploadData(id, streamOf(bytes(1000)), 1000)
      expect((await g.waitForStatus(id, ['active'], { timeoutMs: 30_000, intervalMs: 200 })).size).toBe(1000)
    } finally {
      s.close()
    }
  })

  it('wrong password is AUTH_FAILED, not retryable', async () => {
    const s = sessionFor({ ...memberCloud()!, password: 'wrong' })
    await expect(s.authenticate()).rejects.toMatchObject({ code: 'AUTH_FAILED', status: 401, retryable: false })
  })

  describe('Cinder (RegionOne)', () => {
    it('volume types, zones, volume from image (size rule), wait until available', async () => {
      for (const s of [admin, member]) {
        let cinder: CinderClient
        try {
          s.endpoint('volumev3', 'RegionOne')
          cinder = new CinderClient(s, 'RegionOne')
        } catch (e) {
          expect(AppError.is(e, 'NO_ENDPOINT')).toBe(true)
          return
        }
        expect(Array.isArray(await cinder.volumeTypes())).toBe(true)
        expect((await cinder.availabilityZones()).length).toBeGreaterThan(0)
        const g = new GlanceClient(s, 'RegionOne')
        const img = cleanup.add(g, (await g.create(buildCreateBody({ name: unique('vol'), fields, diskFormat: 'raw' }))).id)
        await g.uploadData(img, streamOf(bytes(4096)), 4096)
        const active = await g.waitForStatus(img, ['active'], { timeoutMs: 30_000, intervalMs: 200 })
        const size = minVolumeSizeGiB(active)
        expect(size).toBe(1)
        const v = await cinder.createVolume({ imageId: img, name: unique('vol'), sizeGiB: size })
        try {
          const done = await cinder.waitForVolume(v.id, { timeoutMs: 120_000, intervalMs: 500 })
          expect(done).toMatchObject({ status: 'available', size: 1 })
          await expect(cinder.waitForVolume(v.id, { timeoutMs: 1 })).resolves.toMatchObject({ status: 'available' })
        } finally {
          await cinder.deleteVolume(v.id).catch(() => {})
        }
        await expect(cinder.getVolume('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' })
      }
    })
  })

  describe('ImageService over real clients', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-it-export-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const svcFor = (s: Session, readOnly = false) => {
      const client = (region = 'RegionOne'): CloudClient => ({
        profile: { id: 'p', name: 'it', readOnly } as CloudClient['profile'],
        region,
        session: s,
        glance: new GlanceClient(s, region),
        cinder: new CinderClient(s, region),
        keys: DEFAULT_PROPERTY_KEYS,
      })
      const files = { resolve: (h: string) => join(dir, h) }
      const log = { debug() {}, info() {}, warn() {}, error() {}, addSecret() {} }
      const transfers = { enqueueUpload: async () => ({}) as never, enqueueImport: async () => ({}) as never }
      return new ImageService({ clouds: { client: async (ctx) => client(ctx.region) }, files, log, transfers })
    }

    it('create, update, guard, capabilities, export xlsx/csv, delete', async () => {
      const svc = svcFor(member, true)
      const ctx = { profileId: 'p', region: 'RegionTwo' }
      const { imageId } = await svc.create(ctx, {
        name: unique('svc'),
        fields: { ...fields, osType: 'debian' },
        diskFormat: 'qcow2',
        source: { kind: 'none' },
        tags: ['gd-it-svc'],
      })
      cleanup.add(new GlanceClient(member, 'RegionTwo'), imageId!)
      await expect(svc.update(ctx, imageId!, { fields: { bootMode: 'uefi' } })).rejects.toMatchObject({ code: 'READ_ONLY' })
      const upd = await svc.update(ctx, imageId!, { fields: { bootMode: 'uefi', minRamGiB: 1 }, properties: { gd_k: 'v' }, confirmed: true })
      expect(upd.fields).toMatchObject({ osType: 'debian', bootMode: 'uefi', minRamGiB: 1 })
      expect(upd.properties.gd_k).toBe('v')
      const caps = await svc.capabilities(ctx)
      expect(caps.stores.length).toBeGreaterThan(0)
      expect(caps.can.publicize.allowed).toBe(false)
      await expect(svc.update(ctx, imageId!, { fields: { public: true }, confirmed: true })).rejects.toMatchObject({ code: 'FORBIDDEN' })
      const x = await svc.export(ctx, {
        format: 'xlsx',
        scope: { kind: 'ids', ids: [imageId!] },
        columns: ['id', 'name', 'osType'],
        locale: 'en',
        fileHandle: 'out.xlsx',
      })
      expect(x.rows).toBe(1)
      expect(readFileSync(x.path).subarray(0, 2).toString()).toBe('PK')
      const c = await svc.export(ctx, {
        format: 'csv',
        scope: { kind: 'query', query: { tags: ['gd-it-svc'] } },
        columns: ['id', 'osType'],
        locale: 'en',
        fileHandle: 'out.csv',
      })
      // the OS cell is worded as the list shows it (os.debian), not Glance's code
      const csv = readFileSync(c.path, 'utf8')
      expect(csv).toContain(`${imageId},Debian`)
      expect(csv).not.toContain(`${imageId},debian`)
      await expect(svc.delete(ctx, imageId!)).rejects.toMatchObject({ code: 'READ_ONLY' })
      await svc.delete(ctx, imageId!, true)
      await expect(svc.get(ctx, imageId!)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })
  })
})
