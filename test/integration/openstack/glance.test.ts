/**
 * The OpenStack core against the real loopback cloud: every Glance call as admin and as member in both regions,
 * and the failures this Glance really produces. Everything created is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { AppError } from '../../../preload/api'
import { adminCloud, describeCloud, memberCloud } from '../../support/cloud'
import { GlanceClient, PATCH_CONTENT_TYPE, type GlanceImage } from '../../../main/openstack/glance'
import { buildCreateBody, toImageDTO, DEFAULT_PROPERTY_KEYS } from '../../../main/openstack/properties'
import type { Session } from '../../../main/openstack/session'
import { Cleanup, bytes, readAll, sessionFor, streamOf, unique } from './helpers'

const REGIONS = ['RegionOne', 'RegionTwo']
const fields = {
  osType: 'ubuntu' as const,
  architecture: 'x86' as const,
  virtualization: 'qemu' as const,
  minDiskGiB: 1,
  minRamGiB: 0.5,
  public: false,
  protected: false,
  agent: true,
  multiqueue: false,
  onlineResize: true,
  encryptedPassword: false,
  bootMode: 'uefi' as const,
  description: 'integration 测试',
}

describeCloud('Glance v2 core (real cloud)', () => {
  const users = [
    ['admin', adminCloud()!],
    ['member', memberCloud()!],
  ] as const

  describe.each(users)('as %s', (who, creds) => {
    let session: Session
    beforeAll(async () => {
      session = sessionFor(creds)
      await session.authenticate()
    })
    afterAll(() => session?.close())

    it('authenticates: roles, user, project, expiry, catalog', () => {
      expect(session.user.name).toBe(creds.username)
      expect(session.project.name).toBe(creds.projectName)
      expect(session.roles).toContain(who === 'admin' ? 'admin' : 'member')
      expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now())
      expect(session.regions()).toEqual(expect.arrayContaining(REGIONS))
      expect(session.endpoint('image', 'RegionOne')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(() => session.endpoint('image', 'NoSuchRegion')).toThrow(expect.objectContaining({ code: 'NO_ENDPOINT' }))
    })

    describe.each(REGIONS)('in %s', (region) => {
      let glance: GlanceClient
      const cleanup = new Cleanup()
      beforeAll(() => {
        glance = new GlanceClient(session, region)
      })
      afterAll(() => cleanup.run())

      it('discovery: versions, import methods, stores, usage, schema', async () => {
        const v = await glance.versions()
        expect(v.current).toMatch(/^v2\.\d+$/)
        const methods = await glance.importInfo()
        expect(methods).toEqual(expect.arrayContaining(['glance-direct', 'web-download']))
        const stores = await glance.stores()
        if (region === 'RegionTwo') {
          expect(stores.map((s) => s.id)).toEqual(expect.arrayContaining(['fast', 'cheap']))
          expect(methods).toContain('copy-image')
        }
        // This cloud enforces no unified limits: /v2/info/usage answers {"usage": {}}, which reads as "no quota".
        const usage = await glance.usage()
        expect(usage).toBeUndefined()
        const schema = await glance.schema()
        expect(schema.name).toBe('image')
        expect(schema.properties).toHaveProperty('disk_format')
      })

      it('image lifecycle: create with id, get, minimal update, tags, upload, download, range, 409, deactivate, delete', async () => {
        const id = randomUUID()
        const name = unique(`${who}-${region}`)
        const body = buildCreateBody({ id, name, fields, diskFormat: 'raw', tags: ['gd-it'], properties: { gd_custom: 'v1' } }, DEFAULT_PROPERTY_KEYS)
        const created = await glance.createWithInfo(body)
        cleanup.add(glance, id)
        expect(created.image.id).toBe(id)
        expect(created.importMethods).toEqual(expect.arrayContaining(['glance-direct', 'web-download']))
        // Retrying a create with the same id is refused (409), which makes retried creates detectable.
        await expect(glance.create(body)).rejects.toMatchObject({ code: 'CONFLICT', status: 409 })

        const dto = toImageDTO(await glance.get(id), DEFAULT_PROPERTY_KEYS)
        expect(dto.fields).toEqual(fields)
        expect(dto.properties).toEqual({ gd_custom: 'v1' })
        expect(dto.raw.min_ram).toBe(512)
        expect(dto.visibility).toBe('private')

        // minimal patch: one change, one removal, one addition
        const old = await glance.get(id)
        const next: Record<string, unknown> = { ...old, min_disk: 2, gd_new: 'x' }
        delete next.gd_custom
        const patched = await glance.update(old, next)
        expect(patched.min_disk).toBe(2)
        expect(patched.gd_new).toBe('x')
        expect(patched).not.toHaveProperty('gd_custom')
        // nothing changed -> no request is needed and nothing fails (no remove of an absent key)
        const again = await glance.update(patched, { ...patched, gd_custom: null })
        expect(again.id).toBe(id)

        await glance.addTag(id, 'extra-tag')
        await glance.addTag(id, 'extra-tag') // idempotent
        await glance.removeTag(id, 'extra-tag')
        await expect(glance.removeTag(id, 'extra-tag')).rejects.toMatchObject({ code: 'NOT_FOUND' })

        const data = bytes(300_000, who.length)
        const up = await glance.uploadData(id, streamOf(data), data.length)
        expect(up.requestId).toMatch(/^req-/)
        const active = await glance.waitForStatus(id, ['active'], { timeoutMs: 30_000, intervalMs: 200 })
        expect(active.size).toBe(data.length)
        expect(active.checksum).toBe(createHash('md5').update(data).digest('hex'))
        expect(active.os_hash_value).toBe(createHash('sha512').update(data).digest('hex'))

        // a second upload is refused
        await expect(glance.uploadData(id, streamOf(data), data.length)).rejects.toMatchObject({ code: 'CONFLICT', status: 409 })

        const dl = await glance.downloadData(id)
        expect(dl.status).toBe(200)
        expect(dl.headers.contentLength).toBe(data.length)
        expect(dl.headers.contentMd5).toBe(active.checksum)
        expect((await readAll(dl.stream)).equals(data)).toBe(true)
        const part = await glance.downloadData(id, { range: { start: 1000 } })
        expect(part.status).toBe(206)
        expect(part.headers.contentRange).toBe(`bytes 1000-${data.length - 1}/${data.length}`)
        expect((await readAll(part.stream)).equals(data.subarray(1000))).toBe(true)

        await glance.deactivate(id)
        expect((await glance.get(id)).status).toBe('deactivated')
        await glance.reactivate(id)
        expect((await glance.get(id)).status).toBe('active')

        await glance.delete(id)
        await expect(glance.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 })
      })

      it('list: every filter, multi-key sort, pages that end on the empty page', async () => {
        const tag = unique('tag')
        const ids: string[] = []
        for (const [i, fmt] of (['raw', 'qcow2', 'iso'] as const).entries()) {
          const img = await glance.create(
            buildCreateBody({
              name: `${tag}-${i}`,
              fields: { ...fields, bootMode: i === 0 ? 'bios' : 'uefi' },
              diskFormat: fmt,
              tags: [tag],
              properties: { gd_idx: String(i) },
            }),
          )
          ids.push(cleanup.add(glance, img.id))
        }
        const names = async (q: Parameters<GlanceClient['listPage']>[0]) => {
          const out: string[] = []
          for await (const img of glance.list({ ...q, tags: [tag, ...(q.tags ?? [])] })) out.push(img.name as string)
          return out
        }
        expect(await names({ sort: [{ key: 'name', dir: 'asc' }] })).toEqual([`${tag}-0`, `${tag}-1`, `${tag}-2`])
        expect(
          await names({
            sort: [
              { key: 'disk_format', dir: 'asc' },
              { key: 'name', dir: 'desc' },
            ],
          }),
        ).toEqual([`${tag}-2`, `${tag}-1`, `${tag}-0`])
        expect(await names({ name: `${tag}-1` })).toEqual([`${tag}-1`])
        expect((await names({ names: [`${tag}-0`, `${tag}-2`] })).sort()).toEqual([`${tag}-0`, `${tag}-2`])
        expect((await names({ diskFormat: ['qcow2', 'iso'] })).sort()).toEqual([`${tag}-1`, `${tag}-2`])
        expect(await names({ status: ['queued'], properties: { gd_idx: '1' } })).toEqual([`${tag}-1`])
        expect(await names({ status: ['active'] })).toEqual([])
        expect(await names({ properties: { hw_firmware_type: 'bios' } })).toEqual([`${tag}-0`])
        expect(await names({ osType: 'ubuntu', protected: false, visibility: 'private', owner: session.project.id })).toHaveLength(3)
        expect(await names({ protected: true })).toEqual([])
        const first = await glance.get(ids[0]!)
        const created = first.created_at as string
        const hourAgo = new Date(Date.parse(created) - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')
        const hourLater = new Date(Date.parse(created) + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')
        expect(await names({ createdAfter: hourAgo, createdBefore: hourLater })).toHaveLength(3)
        expect(await names({ createdAfter: hourLater })).toEqual([])
        expect(await names({ updatedBefore: hourAgo })).toEqual([])
        expect(await names({ updatedAfter: hourAgo })).toHaveLength(3)
        expect(await names({ changesSince: hourAgo })).toHaveLength(3)
        // size filters only match images with data
        expect(await names({ sizeMin: 1 })).toEqual([])

        // a full last page: Glance still offers `next`, which leads to an empty page; the pager stops there
        const p1 = await glance.listPage({ tags: [tag], limit: 3, sort: [{ key: 'name', dir: 'asc' }] })
        expect(p1.images).toHaveLength(3)
        const p2 = p1.next ? await glance.listPage({}, p1.next) : { images: [] as GlanceImage[], next: undefined }
        expect(p2.images).toHaveLength(0)
        expect(p2.next).toBeUndefined()
        const small: string[] = []
        for await (const img of glance.list({ tags: [tag], limit: 1, sort: [{ key: 'name', dir: 'asc' }] })) small.push(img.name as string)
        expect(small).toEqual([`${tag}-0`, `${tag}-1`, `${tag}-2`])
      })

      it('glance-direct: stage + import reaches active', async () => {
        const img = await glance.create(buildCreateBody({ name: unique('direct'), fields, diskFormat: 'raw' }))
        cleanup.add(glance, img.id)
        const data = bytes(100_000, 7)
        await glance.stage(img.id, streamOf(data), data.length)
        expect((await glance.get(img.id)).status).toBe('uploading')
        const since = new Date().toISOString()
        await glance.glanceDirect(img.id)
        const done = await glance.waitForStatus(img.id, ['active'], { since, timeoutMs: 60_000, intervalMs: 300 })
        expect(done.size).toBe(data.length)
      })

      it('415 for a PATCH with the wrong content type; 403 for a read-only attribute', async () => {
        const img = await glance.create(buildCreateBody({ name: unique('415'), fields, diskFormat: 'raw' }))
        cleanup.add(glance, img.id)
        const url = `${await glance.baseUrl()}/v2/images/${img.id}`
        const ops = [{ op: 'replace', path: '/name', value: 'x' }]
        await expect(session.request({ method: 'PATCH', url, json: ops })).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT', status: 415, method: 'PATCH' })
        const e = (await session
          .request({ method: 'PATCH', url, body: JSON.stringify([{ op: 'replace', path: '/status', value: 'active' }]), contentType: PATCH_CONTENT_TYPE })
          .catch((x: unknown) => x)) as AppError
        expect(e.status).toBe(403)
        expect(e.requestId).toMatch(/^req-/)
        expect(e.message).not.toMatch(/<[a-z]/i)
      })

      it('403 PROTECTED when deleting a protected image', async () => {
        const img = await glance.create(buildCreateBody({ name: unique('prot'), fields: { ...fields, protected: true }, diskFormat: 'raw' }))
        cleanup.add(glance, img.id)
        const e = (await glance.delete(img.id).catch((x: unknown) => x)) as AppError
        expect(e).toBeInstanceOf(AppError)
        expect(e).toMatchObject({ code: 'PROTECTED', status: 403, method: 'DELETE', retryable: false })
        expect(e.message).toMatch(/protected/i)
        expect(e.requestId).toMatch(/^req-/)
      })
    })
  })

  describe('web-download', () => {
    let server: http.Server
    let port = 0
    const data = bytes(200_000, 3)
    const admin = sessionFor(adminCloud()!)
    const glance = new GlanceClient(admin, 'RegionOne')
    const cleanup = new Cleanup()
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        if (req.url === '/missing') {
          res.writeHead(404)
          res.end()
          return
        }
        res.writeHead(200, { 'content-length': data.length })
        res.end(data)
      })
      for (const p of [18080, 18081, 18082]) {
        const ok = await new Promise<boolean>((resolve) => {
          server.once('error', () => resolve(false))
          server.listen(p, '127.0.0.1', () => resolve(true))
        })
        if (ok) {
          port = (server.address() as AddressInfo).port
          break
        }
      }
    })
    afterAll(async () => {
      await cleanup.run()
      if (port) await new Promise<void>((r) => server.close(() => r()))
      admin.close()
    })

    it('imports from an allowed port', async () => {
      expect(port, 'one of the allowed ports 18080-18082 must be free').toBeGreaterThan(0)
      const img = await glance.create(buildCreateBody({ name: unique('webdl'), fields, diskFormat: 'raw' }))
      cleanup.add(glance, img.id)
      const since = new Date().toISOString()
      await glance.webDownload(img.id, `http://127.0.0.1:${port}/disk.raw`)
      const done = await glance.waitForStatus(img.id, ['active'], { since, timeoutMs: 60_000, intervalMs: 300 })
      expect(done.checksum).toBe(createHash('md5').update(data).digest('hex'))
    })

    it('a failing download (404 at the source) ends the wait with IMPORT_FAILED, not a hang', async () => {
      expect(port).toBeGreaterThan(0)
      const img = await glance.create(buildCreateBody({ name: unique('webdl-404'), fields, diskFormat: 'raw' }))
      cleanup.add(glance, img.id)
      const since = new Date().toISOString()
      await glance.webDownload(img.id, `http://127.0.0.1:${port}/missing`)
      const started = Date.now()
      const e = await glance.waitForStatus(img.id, ['active'], { since, timeoutMs: 90_000, intervalMs: 300 }).catch((x: unknown) => x)
      expect(e).toMatchObject({ code: 'IMPORT_FAILED' })
      expect(Date.now() - started).toBeLessThan(85_000)
    })

    it('fails cleanly (not a hang) from a disallowed port', async () => {
      const other = http.createServer((_q, r) => r.end('x'))
      await new Promise<void>((r) => other.listen(0, '127.0.0.1', r))
      const badPort = (other.address() as AddressInfo).port
      try {
        const img = await glance.create(buildCreateBody({ name: unique('webdl-bad'), fields, diskFormat: 'raw' }))
        cleanup.add(glance, img.id)
        const since = new Date().toISOString()
        const started = Date.now()
        const e = await glance
          .webDownload(img.id, `http://127.0.0.1:${badPort}/disk.raw`)
          .then(() => glance.waitForStatus(img.id, ['active'], { since, timeoutMs: 60_000, intervalMs: 300 }))
          .catch((x: unknown) => x)
        expect(e).toBeInstanceOf(AppError)
        // This Glance checks the URI when the import is requested: 400, image untouched.
        expect(e).toMatchObject({ code: 'VALIDATION', status: 400, method: 'POST' })
        expect((e as AppError).message).not.toMatch(/<[a-z]/i)
        expect(Date.now() - started).toBeLessThan(55_000)
        expect((await glance.get(img.id)).status).toBe('queued')
      } finally {
        await new Promise<void>((r) => other.close(() => r()))
      }
    })
  })

  describe('copy-image (RegionTwo, multi-store)', () => {
    const admin = sessionFor(adminCloud()!)
    const glance = new GlanceClient(admin, 'RegionTwo')
    const cleanup = new Cleanup()
    afterAll(async () => {
      await cleanup.run()
      admin.close()
    })
    it('copies an active image into another store', async () => {
      const stores = (await glance.stores()).map((s) => s.id)
      const img = await glance.create(buildCreateBody({ name: unique('copy'), fields, diskFormat: 'raw' }))
      cleanup.add(glance, img.id)
      await glance.uploadData(img.id, streamOf(bytes(50_000)), 50_000)
      const active = await glance.waitForStatus(img.id, ['active'], { timeoutMs: 30_000, intervalMs: 200 })
      const have = String(active.stores ?? '').split(',')
      const target = stores.find((s) => !have.includes(s))!
      expect(target).toBeTruthy()
      await glance.copyImage(img.id, [target])
      const deadline = Date.now() + 60_000
      let now = active
      while (Date.now() < deadline) {
        now = await glance.get(img.id)
        if (
          String(now.stores ?? '')
            .split(',')
            .includes(target)
        )
          break
        await new Promise((r) => setTimeout(r, 300))
      }
      expect(String(now.stores).split(',')).toEqual(expect.arrayContaining([...have, target]))
    })
  })
})
