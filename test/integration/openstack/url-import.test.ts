/**
 * Create from URL against the real Glance web-download (a loopback HTTP server on one of the ports the cloud may
 * fetch from, 18080-18082). A web page sent as qcow2 used to become an active, "verified" qcow2 image. Now:
 * - the image service looks at the URL first (HEAD + a ranged GET, the bytes through the inspector) and refuses a web
 *   page or a wrong format before anything is created;
 * - after the import, Glance's virtual_size and format decide "verified"; bytes Glance fetched that are not the
 *   declared format (the server answered the probe with a qcow2 header and Glance with HTML) fail the job and the
 *   image is deleted.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeCloud } from '../../support/cloud'
import { ImageService } from '../../../main/images/service'
import type { TransferService } from '../../../main/transfers/service'
import type { CloudClient } from '../../../main/openstack/types'
import { createNullLogger } from '../../../main/log'
import { clientFor, fields, openService, qcow2File, randomFile, tmp } from '../transfers/helpers'

const HTML = Buffer.from('<!DOCTYPE html>\n<html><head><title>Downloads</title></head><body><a href="disk.qcow2">disk</a></body></html>\n'.repeat(40))

describeCloud('create from URL: probe before, verification after (real Glance web-download)', (cloud) => {
  let dir: string
  let svc: TransferService
  let client: CloudClient
  let images: ImageService
  let server: Server
  let port = 0
  let qcow2: Buffer
  let raw: Buffer
  const created: string[] = []
  const ctx = { profileId: 'it', region: cloud.region }
  const seenBy: Record<string, string[]> = {}
  // the probe is the app's HttpClient (user agent glance-desktop; it was Node's fetch before issue 14), Glance is Python
  const fromNode = (req: IncomingMessage) => /glance-desktop|node|undici/i.test(String(req.headers['user-agent'] ?? ''))

  beforeAll(async () => {
    dir = tmp('url-it-')
    qcow2 = readFileSync(qcow2File(dir, 2))
    randomFile(join(dir, 'r.raw'), 1024 * 1024)
    raw = readFileSync(join(dir, 'r.raw'))
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0]!
      ;(seenBy[path] ??= []).push(`${req.method} ${fromNode(req) ? 'probe' : 'glance'}`)
      const send = (type: string, body: Buffer) => {
        res.writeHead(200, { 'content-type': type, 'content-length': body.length })
        res.end(req.method === 'HEAD' ? undefined : body)
      }
      if (path === '/page.html') send('text/html; charset=utf-8', HTML)
      else if (path === '/disguised.qcow2') send('application/octet-stream', HTML)
      else if (path === '/random.qcow2') send('application/octet-stream', raw)
      else if (path === '/disk.qcow2') send('application/octet-stream', qcow2)
      // the probe (this app) sees a qcow2, Glance (Python) gets the web page
      else if (path === '/switch.qcow2') send('application/octet-stream', fromNode(req) ? qcow2 : HTML)
      else {
        res.writeHead(404)
        res.end()
      }
    })
    for (const p of [18082, 18080, 18081]) {
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false))
        server.listen(p, '127.0.0.1', () => resolve(true))
      })
      if (ok) {
        port = (server.address() as AddressInfo).port
        break
      }
    }
    svc = await openService(cloud, join(dir, 'data'))
    svc.start()
    client = await clientFor(cloud)
    images = new ImageService({
      clouds: { client: async () => client },
      files: { resolve: () => '' },
      log: createNullLogger(),
      transfers: svc,
    })
  })
  afterAll(async () => {
    await svc?.stop()
    for (const id of created) await client.glance.delete(id).catch(() => {})
    if (port) await new Promise<void>((r) => server.close(() => r()))
    rmSync(dir, { recursive: true, force: true })
  })

  const url = (p: string) => `http://127.0.0.1:${port}${p}`
  async function byName(name: string): Promise<string[]> {
    const ids: string[] = []
    for await (const im of client.glance.list({ name })) ids.push(im.id)
    created.push(...ids)
    return ids
  }
  const create = (name: string, path: string, diskFormat: 'qcow2' | 'raw') =>
    images.create(ctx, { name, fields, diskFormat, source: { kind: 'url', url: url(path) } })

  it('a web page (text/html) is refused before anything is created', async () => {
    expect(port, 'one of the ports 18080-18082 must be free').toBeGreaterThan(0)
    const name = `url-it-html-${Date.now()}`
    const e = await create(name, '/page.html', 'qcow2').catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'VALIDATION', details: { reason: 'urlWebPage' } })
    expect(await byName(name)).toEqual([])
    expect(seenBy['/page.html']).toEqual(expect.arrayContaining(['HEAD probe']))
  })

  it('HTML served as application/octet-stream is recognised by its bytes', async () => {
    const name = `url-it-disguised-${Date.now()}`
    await expect(create(name, '/disguised.qcow2', 'qcow2')).rejects.toMatchObject({ code: 'VALIDATION', details: { reason: 'urlWebPage' } })
    expect(await byName(name)).toEqual([])
  })

  it('random bytes declared qcow2 are a format mismatch (the inspector finds no qcow2 header)', async () => {
    const name = `url-it-random-${Date.now()}`
    await expect(create(name, '/random.qcow2', 'qcow2')).rejects.toMatchObject({
      code: 'FORMAT_MISMATCH',
      details: { reason: 'urlFormat', params: { detected: 'raw', declared: 'qcow2' } },
    })
    expect(await byName(name)).toEqual([])
  })

  it('a real qcow2 is imported and verified by the virtual size Glance read', async () => {
    const r = await create(`url-it-ok-${Date.now()}`, '/disk.qcow2', 'qcow2')
    const done = await svc.waitFor(r.jobId!)
    if (done.imageId) created.push(done.imageId)
    expect(done.error).toBeUndefined()
    expect(done.state).toBe('done')
    expect(done.result?.verified).toBe(true)
    const img = await client.glance.get(done.imageId!)
    expect(img.disk_format).toBe('qcow2')
    expect(img.virtual_size).toBe(2 * 1024 * 1024)
  })

  it('a raw image is imported but not called verified (nothing could check its format)', async () => {
    const r = await create(`url-it-raw-${Date.now()}`, '/random.qcow2', 'raw')
    const done = await svc.waitFor(r.jobId!)
    if (done.imageId) created.push(done.imageId)
    expect(done.state).toBe('done')
    const img = await client.glance.get(done.imageId!)
    expect(done.result?.verified).toBe(typeof img.virtual_size === 'number' && img.virtual_size > 0)
  })

  it('HTML that reaches Glance behind a qcow2-looking probe fails the job and is not left as an image', async () => {
    const name = `url-it-switch-${Date.now()}`
    const r = await create(name, '/switch.qcow2', 'qcow2')
    const done = await svc.waitFor(r.jobId!)
    expect(seenBy['/switch.qcow2']).toEqual(expect.arrayContaining(['GET glance']))
    expect(done.state).toBe('failed')
    expect(done.result?.verified).not.toBe(true)
    expect(done.error).toMatchObject({ code: 'FORMAT_MISMATCH', details: { reason: 'importNotDiskImage', params: { deleted: true } } })
    expect(await byName(name)).toEqual([])
  })
})
