/**
 * Real uploads and downloads against the loopback cloud: qcow2 (qemu-img), raw, ISO, verified byte for byte and by
 * hash; a web-download import from a local HTTP server; drafts.
 */
import { createServer, type Server } from 'node:http'
import { createReadStream, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeCloud } from '../../support/cloud'
import type { TransferService } from '../../../main/transfers/service'
import type { CloudClient } from '../../../main/openstack/types'
import { clientFor, fields, isoFile, openService, qcow2File, randomFile, sha512File, tmp } from './helpers'

describeCloud('transfers: round trips against the real cloud', (cloud) => {
  let dir: string
  let svc: TransferService
  let client: CloudClient
  const created: string[] = []
  const ctx = { profileId: 'it', region: cloud.region }

  beforeAll(async () => {
    dir = tmp('xfer-it-')
    svc = await openService(cloud, join(dir, 'data'))
    svc.start()
    client = await clientFor(cloud)
  })
  afterAll(async () => {
    await svc?.stop()
    for (const id of created) await client.glance.delete(id).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })

  async function roundTrip(path: string, diskFormat: 'auto' | 'raw' | 'qcow2' | 'iso', expectFormat: string): Promise<void> {
    const up = await svc.enqueueUpload(ctx, { name: `xfer-it-${expectFormat}`, fields, diskFormat, filePath: path })
    const done = await svc.waitFor(up.id)
    expect(done.error).toBeUndefined()
    expect(done.state).toBe('done')
    created.push(done.imageId!)
    const img = await client.glance.get(done.imageId!)
    expect(img.status).toBe('active')
    expect(img.disk_format).toBe(expectFormat)
    expect(img.os_hash_value).toBe(await sha512File(path))
    expect(img.os_hash_value).toBe(done.result?.sha512)
    expect(img.size).toBe(statSync(path).size)
    const target = join(dir, `dl-${expectFormat}`)
    const dl = await svc.waitFor((await svc.enqueueDownload(ctx, { imageId: done.imageId!, path: target })).id)
    expect(dl.error).toBeUndefined()
    expect(dl.state).toBe('done')
    expect(dl.result?.verified).toBe(true)
    expect(readFileSync(target).equals(readFileSync(path))).toBe(true)
  }

  it('qcow2 made by qemu-img (auto-detected)', async () => {
    await roundTrip(qcow2File(dir, 24), 'auto', 'qcow2')
  })
  it('raw (declared)', async () => {
    const p = join(dir, 'disk.raw')
    randomFile(p, 40 * 1024 * 1024 + 4096)
    await roundTrip(p, 'raw', 'raw')
  })
  it('ISO 9660', async () => {
    const p = join(dir, 'disk.iso')
    isoFile(p, 16)
    await roundTrip(p, 'auto', 'iso')
  })

  it('a declared format that contradicts the file is refused before anything is sent', async () => {
    const p = join(dir, 'mm.raw')
    randomFile(p, 1024 * 1024)
    await expect(svc.enqueueUpload(ctx, { name: 'xfer-it-mm', fields, diskFormat: 'qcow2', filePath: p })).rejects.toMatchObject({ code: 'FORMAT_MISMATCH' })
  })

  it('web-download import from a loopback HTTP server (port 18081), and a failing one', async () => {
    const p = join(dir, 'web.raw')
    randomFile(p, 4 * 1024 * 1024)
    const server: Server = createServer((req, res) => {
      if (req.url === '/disk.raw') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(p).size })
        createReadStream(p).pipe(res)
      } else {
        res.writeHead(404)
        res.end()
      }
    })
    await new Promise<void>((r) => server.listen(18081, '127.0.0.1', r))
    try {
      const ok = await svc.waitFor(
        (await svc.enqueueImport(ctx, { name: 'xfer-it-web', fields, diskFormat: 'raw', url: 'http://127.0.0.1:18081/disk.raw' })).id,
      )
      if (ok.imageId) created.push(ok.imageId)
      expect(ok.error).toBeUndefined()
      expect(ok.state).toBe('done')
      expect(ok.result?.sha512).toBe(await sha512File(p))
      const bad = await svc.waitFor(
        (await svc.enqueueImport(ctx, { name: 'xfer-it-web-bad', fields, diskFormat: 'raw', url: 'http://127.0.0.1:18081/missing.raw' })).id,
      )
      if (bad.imageId) created.push(bad.imageId)
      expect(bad.state).toBe('failed')
      expect(bad.error?.code).toBe('IMPORT_FAILED')
    } finally {
      server.close()
    }
  })
})
