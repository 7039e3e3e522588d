/**
 * The bad-input catalogue (test/bad-inputs.md), the rows that need the real cloud: files, names, tags and URLs given
 * to images:create through the real handlers, and every HTTP status the Image and Identity APIs document, answered by
 * the fault proxy in front of the real Glance (the status codes Glance will not produce on demand).
 */
import { execFileSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeCloud } from '../../support/cloud'
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy'
import type { ImageDTO, JobDTO, Result } from '../../../preload/api'
import { sessionFor } from '../openstack/helpers'
import { Direct, FIELDS, openApp, pickOpen, randomFile, rmrf, type App } from './helpers'

const PREFIX = `gd-hard-bad-${process.pid}-`
const MiB = 1024 * 1024

describeCloud('bad inputs against the real cloud', (cloud) => {
  let app: App
  let proxy: FaultProxy
  let direct: Direct
  let dir: string
  const ctx = (): { profileId: string } => ({ profileId: app.profileId })

  beforeAll(async () => {
    const glanceUrl = (await sessionFor(cloud).endpointFor('image', cloud.region)).replace(/\/v2\/?$/, '')
    proxy = await startFaultProxy({ target: glanceUrl })
    app = await openApp(cloud, { imageUrl: proxy.url })
    direct = new Direct(cloud, PREFIX)
    dir = join(app.userDir, 'bad')
    mkdirSync(dir)
  })
  afterAll(async () => {
    await direct?.cleanup()
    await app?.close()
    await proxy?.close()
    if (app) rmrf(app.root)
  })

  async function createFrom(path: string, diskFormat: string, name = `${PREFIX}file`): Promise<Result<{ jobId?: string }>> {
    const handle = await pickOpen(app, path)
    return app.call('images:create', ctx(), { name, fields: FIELDS, diskFormat, source: { kind: 'file', fileHandle: handle } })
  }
  async function nothingMade(): Promise<void> {
    expect((await direct.mine()).filter((i) => i.name === `${PREFIX}file`)).toEqual([])
  }

  describe('files', () => {
    it('an empty file: FILE "empty", nothing created', async () => {
      const p = join(dir, 'empty.img')
      writeFileSync(p, '')
      const r = await createFrom(p, 'auto')
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('FILE')
        expect(r.error.message).toMatch(/empty/)
      }
      await nothingMade()
    })

    it('a directory or a symlink loop: refused when picked (FILE), no handle', async () => {
      const a = join(dir, 'loop-a')
      const b = join(dir, 'loop-b')
      symlinkSync(b, a)
      symlinkSync(a, b)
      for (const [path, why] of [
        [dir, /folder/],
        [a, /symbolic link loop/],
      ] as const) {
        app.platform.dialogs.queue(path)
        const r = await app.call('files:pickOpen', 'image')
        expect(r.ok, path).toBe(false)
        if (!r.ok) {
          expect(r.error.code).toBe('FILE')
          expect(r.error.message).toMatch(why)
        }
      }
    })

    it('a format contradicting its declaration (random bytes declared qcow2): FORMAT_MISMATCH before anything is sent', async () => {
      const p = join(dir, 'random.img')
      randomFile(p, 1 * MiB)
      const r = await createFrom(p, 'qcow2')
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('FORMAT_MISMATCH')
      await nothingMade()
    })

    it.each([
      ['a qcow2 with a backing file', (p: string, base: string) => ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', p]],
      ['a qcow2 with an external data file', (p: string, base: string) => ['create', '-q', '-f', 'qcow2', '-o', `data_file=${base}.data`, p, '1M']],
      ['a vmdk monolithicFlat (descriptor + extent)', (p: string) => ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', p, '1M']],
    ])('%s: UNSAFE_FILE before anything is sent', async (_label, args) => {
      const base = join(dir, `base-${Math.random().toString(36).slice(2)}.raw`)
      randomFile(base, 1 * MiB)
      const p = join(dir, `disk-${Math.random().toString(36).slice(2)}.img`)
      execFileSync('qemu-img', args(p, base))
      const r = await createFrom(p, 'auto')
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('UNSAFE_FILE')
        expect(r.error.message.length).toBeGreaterThan(10)
      }
      await nothingMade()
    })
  })

  describe('names and tags', () => {
    it('unicode name and tags (Chinese, accents, right-to-left) round-trip intact', async () => {
      const name = `${PREFIX}镜像-Ünïcødé-עברית`
      const r = await app.ok<{ imageId?: string }>('images:create', ctx(), {
        name,
        fields: FIELDS,
        diskFormat: 'raw',
        tags: ['标签', 'ça-va', 'ελληνικά'],
        source: { kind: 'none' },
      })
      const img = await app.ok<ImageDTO>('images:get', ctx(), r.imageId)
      expect(img.name).toBe(name)
      expect([...img.tags].sort()).toEqual(['ça-va', '标签', 'ελληνικά'].sort())
    })

    it('a 4-byte character (emoji) in the name: Glance refuses it; VALIDATION with its message, nothing created', async () => {
      const name = `${PREFIX}emoji-🚀`
      const r = await app.call('images:create', ctx(), { name, fields: FIELDS, diskFormat: 'raw', source: { kind: 'none' } })
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('VALIDATION')
        expect(r.error.status).toBe(400)
        expect(r.error.message).toMatch(/4 byte unicode/i)
      }
      expect((await direct.mine()).filter((i) => i.name === name)).toEqual([])
    })

    it.each([
      ['a 300-character name', { name: `${PREFIX}${'n'.repeat(300)}` }],
      ['a name with a newline', { name: `${PREFIX}a\nb` }],
      ['a name with NUL and ESC', { name: `${PREFIX}a\u0000b\u001b[31m` }],
      ['a 300-character tag', { name: `${PREFIX}t`, tags: ['t'.repeat(300)] }],
      ['a tag with a control character', { name: `${PREFIX}t`, tags: ['a\tb'] }],
      ['a tag with a slash', { name: `${PREFIX}t`, tags: ['a/b'] }],
    ])('%s: VALIDATION, nothing created', async (_label, over) => {
      const r = await app.call('images:create', ctx(), { fields: FIELDS, diskFormat: 'raw', source: { kind: 'none' }, ...over })
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('VALIDATION')
      expect((await direct.mine()).filter((i) => i.name.startsWith(`${PREFIX}t`) || i.name.includes('\n') || i.name.length > 255)).toEqual([])
    })
  })

  describe('import URLs', () => {
    it.each(['file:///etc/passwd', 'ftp://127.0.0.1/disk.raw', 'javascript:alert(1)', 'http://', 'https://:443/disk.raw', 'data:text/plain,x', 'not a url'])(
      '%s: VALIDATION, nothing created',
      async (url) => {
        const r = await app.call('images:create', ctx(), { name: `${PREFIX}url`, fields: FIELDS, diskFormat: 'raw', source: { kind: 'url', url } })
        expect(r.ok).toBe(false)
        if (!r.ok) expect(r.error.code).toBe('VALIDATION')
        expect((await direct.mine()).filter((i) => i.name === `${PREFIX}url`)).toEqual([])
      },
    )

    it('a port Glance refuses (import_filtering_opts): the job fails with a clear error and names the image it left', async () => {
      const server: Server = createServer((_q, s) => s.end(Buffer.alloc(1024)))
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const port = (server.address() as AddressInfo).port
      try {
        const name = `${PREFIX}port`
        const r = await app.ok<{ jobId?: string; imageId?: string }>('images:create', ctx(), {
          name,
          fields: FIELDS,
          diskFormat: 'raw',
          source: { kind: 'url', url: `http://127.0.0.1:${port}/disk.raw` },
        })
        const job: JobDTO = await app.s.transfers.waitFor(r.jobId!, undefined, 120_000)
        expect(job.state).toBe('failed')
        expect(job.error?.code).toMatch(/IMPORT_FAILED|VALIDATION|FORBIDDEN|SERVER/)
        expect(job.error?.message.length).toBeGreaterThan(10)
        for (const i of (await direct.mine()).filter((x) => x.name === name)) expect(i.id).toBe(job.imageId)
      } finally {
        server.close()
      }
    })
  })

  describe('every documented status, answered by the proxy in front of the real Glance', () => {
    const cases: [number, string, string, boolean][] = [
      [400, 'Bad Request', 'VALIDATION', false],
      [401, 'The request you have made requires authentication.', 'AUTH_FAILED', false],
      [403, 'You are not authorized to complete get_image action.', 'FORBIDDEN', false],
      [404, 'No image found with ID x', 'NOT_FOUND', false],
      // Statuses Glance does not document for this call: a clean BAD_RESPONSE that keeps status, URL and message.
      [405, 'Method Not Allowed', 'BAD_RESPONSE', false],
      [406, 'Not Acceptable', 'BAD_RESPONSE', false],
      [409, 'Conflict', 'CONFLICT', false],
      [410, 'Gone', 'BAD_RESPONSE', false],
      [413, 'Image storage media is full', 'TOO_LARGE', false],
      [415, 'Unsupported Content-Type', 'UNSUPPORTED_FORMAT', false],
      [416, 'Requested Range Not Satisfiable', 'VALIDATION', false],
      [429, 'Too Many Requests', 'SERVER', true],
      [500, 'Internal Server Error', 'SERVER', true],
      [501, 'Not Implemented', 'SERVER', false],
      [502, 'Bad Gateway', 'SERVER', true],
      [503, 'Service Unavailable', 'SERVER', true],
      [504, 'Gateway Timeout', 'TIMEOUT', true],
    ]
    it.each(cases)('%i on images:get: never INTERNAL; code, status, request URL and message kept', async (status, message) => {
      proxy.clearRules()
      proxy.addRule({
        method: 'GET',
        path: /^\/v2\/images\/[^/]+$/,
        action: { kind: 'status', status, body: JSON.stringify({ message, code: status, title: message }), contentType: 'application/json' },
      })
      const r = await app.call('images:get', ctx(), 'a0a0a0a0-0000-4000-8000-000000000000')
      proxy.clearRules()
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.error.code).not.toBe('INTERNAL')
      expect(r.error.status).toBe(status)
      expect(r.error.url).toContain('/v2/images/')
      expect(r.error.message).toContain(message.slice(0, 20))
    })
    it('the codes match the table for the statuses whose meaning is fixed', async () => {
      const got: string[] = []
      for (const [status, message, code, retryable] of cases) {
        proxy.clearRules()
        proxy.addRule({
          method: 'GET',
          path: /^\/v2\/images\/[^/]+$/,
          action: { kind: 'status', status, body: JSON.stringify({ message, code: status, title: message }), contentType: 'application/json' },
        })
        const r = await app.call('images:get', ctx(), 'a0a0a0a0-0000-4000-8000-000000000000')
        if (!r.ok && (r.error.code !== code || !!r.error.retryable !== retryable))
          got.push(`${status}: ${r.error.code} retryable=${r.error.retryable} (table: ${code} ${retryable})`)
      }
      proxy.clearRules()
      expect(got).toEqual([])
    })
  })
})
