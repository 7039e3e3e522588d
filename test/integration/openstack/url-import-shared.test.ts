/**
 * Create from URL with visibility `shared` (real Glance web-download from a loopback HTTP server on one of the ports
 * the cloud may fetch from, 18080-18082): the image used to come out private, the transfer queue dropped the extra
 * visibility of imports (only uploads kept it).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync, rmSync } from 'node:fs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { join } from 'node:path'
import { describeCloud } from '../../support/cloud'
import { ImageService } from '../../../main/images/service'
import type { TransferService } from '../../../main/transfers/service'
import type { CloudClient } from '../../../main/openstack/types'
import { createNullLogger } from '../../../main/log'
import { clientFor, fields, openService, qcow2File, tmp } from '../transfers/helpers'

describeCloud('create from URL keeps visibility shared (real Glance web-download)', (cloud) => {
  let dir: string
  let svc: TransferService
  let client: CloudClient
  let images: ImageService
  let server: Server
  let port = 0
  const created: string[] = []
  const ctx = { profileId: 'it', region: cloud.region }

  beforeAll(async () => {
    dir = tmp('url-shared-')
    const qcow2 = readFileSync(qcow2File(dir, 1))
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': qcow2.length })
      res.end(req.method === 'HEAD' ? undefined : qcow2)
    })
    for (const p of [18081, 18080, 18082]) {
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
    images = new ImageService({ clouds: { client: async () => client }, files: { resolve: () => '' }, log: createNullLogger(), transfers: svc })
  })
  afterAll(async () => {
    await svc?.stop()
    for (const id of created) await client.glance.delete(id).catch(() => {})
    if (port) await new Promise<void>((r) => server.close(() => r()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('the imported image reads back shared', async () => {
    expect(port, 'one of the ports 18080-18082 must be free').toBeGreaterThan(0)
    const r = await images.create(ctx, {
      name: `url-shared-${Date.now()}`,
      fields,
      visibility: 'shared',
      diskFormat: 'qcow2',
      source: { kind: 'url', url: `http://127.0.0.1:${port}/disk.qcow2` },
    })
    if (r.imageId) created.push(r.imageId)
    const done = await svc.waitFor(r.jobId!)
    if (done.imageId && !created.includes(done.imageId)) created.push(done.imageId)
    expect(done.error).toBeUndefined()
    expect(done.state).toBe('done')
    const img = await client.glance.get(done.imageId!)
    expect(img.status).toBe('active')
    expect(img.visibility).toBe('shared')
  })
})
