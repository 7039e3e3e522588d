/**
 * What an upload hashes, and how it is verified, against the REAL loopback Glance (issue 16.3):
 * - the one read pass hashes sha512 alone (Glance's default os_hash_algo): md5 would cost as much CPU again and prove
 *   nothing more once sha512 matches; the result still names the file's md5 (Glance's checksum of the same bytes);
 * - a Glance that reports another os_hash_algo (rewritten by a proxy in front of the real Glance) is verified by md5,
 *   from a second read of the file: a matching checksum verifies, a wrong one is HASH_MISMATCH and the image is
 *   deleted;
 * - a Glance that offers neither a sha512 nor a checksum to compare with: the upload is not called verified;
 * - a wrong os_hash_value is HASH_MISMATCH, the image deleted.
 */
import { createHash } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest'
import { AppError } from '../../../preload/api'
import type { CloudClient } from '../../../main/openstack/types'
import { cloudFromClient } from '../../../main/transfers/cloud'
import { newImageId, type EngineHooks } from '../../../main/transfers/engine'
import { HashedFileBody } from '../../../main/transfers/hashed-source'
import { uploadImage } from '../../../main/transfers/upload'
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy'
import { describeCloud } from '../../support/cloud'
import { clientFor, fields, glanceRoot, randomFile, tmp } from './helpers'

const MiB = 1024 * 1024

describeCloud('upload hashing and verification (real Glance)', (cloud) => {
  let dir: string
  let direct: CloudClient
  let proxy: FaultProxy
  let proxied: CloudClient
  const ids: string[] = []
  const hooks = (): EngineHooks => ({ signal: new AbortController().signal, phase: () => {}, bytes: () => {} })

  function file(name: string, bytes: number): { path: string; md5: string; sha512: string } {
    const path = join(dir, name)
    randomFile(path, bytes)
    const b = readFileSync(path)
    return { path, md5: createHash('md5').update(b).digest('hex'), sha512: createHash('sha512').update(b).digest('hex') }
  }
  async function upload(client: CloudClient, path: string, label: string): Promise<Awaited<ReturnType<typeof uploadImage>>> {
    const id = newImageId()
    ids.push(id)
    return uploadImage(
      cloudFromClient(client, 'it-upload-hash'),
      { imageId: id, meta: { name: `gd-it-uphash-${process.pid}-${label}`, fields, diskFormat: 'raw' }, filePath: path },
      hooks(),
    )
  }
  async function gone(id: string): Promise<boolean> {
    try {
      return (await direct.glance.get(id)).status === 'deleted'
    } catch (e) {
      return AppError.is(e, 'NOT_FOUND')
    }
  }
  async function failure(p: Promise<unknown>): Promise<AppError> {
    const e = await p.then(
      () => null,
      (x: unknown) => x,
    )
    expect(AppError.is(e, 'HASH_MISMATCH'), String(e)).toBe(true)
    return e as AppError
  }

  beforeAll(async () => {
    dir = tmp('xfer-uphash-')
    direct = await clientFor(cloud)
    proxy = await startFaultProxy({ target: await glanceRoot(cloud) })
    proxied = await clientFor(cloud, undefined, { imageUrl: proxy.url })
  })
  afterEach(() => {
    proxy.setRewrite({})
    vi.restoreAllMocks()
  })
  afterAll(async () => {
    for (const id of ids) await direct.glance.delete(id).catch(() => {})
    direct?.session.close()
    proxied?.session.close()
    await proxy?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('one read pass, sha512 alone; verified against os_hash_value, and the result names the md5 Glance computed', async () => {
    const f = file('plain.raw', 9 * MiB + 17)
    const algos: string[][] = []
    const digests = HashedFileBody.prototype.digests
    vi.spyOn(HashedFileBody.prototype, 'digests').mockImplementation(function (this: HashedFileBody) {
      algos.push([...this.hasher.algos])
      return digests.call(this)
    })
    const r = await upload(direct, f.path, 'plain')
    expect(algos).toEqual([['sha512']])
    expect(r.verified).toBe(true)
    expect(r.sha512).toBe(f.sha512)
    expect(r.md5).toBe(f.md5)
    const img = await direct.glance.get(r.imageId)
    expect(img.status).toBe('active')
    expect(img.os_hash_algo).toBe('sha512')
    expect(img.os_hash_value).toBe(f.sha512)
    expect(img.checksum).toBe(f.md5)
    expect(img.size).toBe(9 * MiB + 17)
  })

  it('a Glance that reports another os_hash_algo is verified by md5, from a second read of the file', async () => {
    const f = file('other-algo.raw', 5 * MiB + 3)
    proxy.setRewrite({ '"os_hash_algo": "sha512"': '"os_hash_algo": "sha256"', '"os_hash_algo":"sha512"': '"os_hash_algo":"sha256"' })
    const r = await upload(proxied, f.path, 'other-algo')
    expect(r.verified).toBe(true)
    expect(r.md5).toBe(f.md5)
    expect(r.image.os_hash_algo).toBe('sha256')
    expect((await direct.glance.get(r.imageId)).checksum).toBe(f.md5)
  })

  it('... and a checksum that differs from the file is HASH_MISMATCH; the image is deleted', async () => {
    const f = file('bad-md5.raw', 3 * MiB)
    proxy.setRewrite({ '"os_hash_algo": "sha512"': '"os_hash_algo": "sha256"', '"os_hash_algo":"sha512"': '"os_hash_algo":"sha256"', [f.md5]: 'f'.repeat(32) })
    const e = await failure(upload(proxied, f.path, 'bad-md5'))
    expect(e.details?.localMd5).toBe(f.md5)
    expect(e.details?.glanceChecksum).toBe('f'.repeat(32))
    expect(e.details?.deleted).toBe(true)
    expect(await gone(String(e.details?.imageId))).toBe(true)
  })

  it('a Glance that reports another os_hash_algo and no checksum: nothing could be compared, so the upload is NOT verified', async () => {
    const f = file('no-checksum.raw', 2 * MiB + 5)
    proxy.setRewrite({
      '"os_hash_algo": "sha512"': '"os_hash_algo": "sha256"',
      '"os_hash_algo":"sha512"': '"os_hash_algo":"sha256"',
      [`"checksum": "${f.md5}"`]: '"checksum": null',
      [`"checksum":"${f.md5}"`]: '"checksum":null',
    })
    const r = await upload(proxied, f.path, 'no-checksum')
    expect(r.image.os_hash_algo).toBe('sha256')
    expect(r.image.checksum ?? null).toBeNull()
    expect(r.verified).toBe(false)
    // the real Glance has the bytes all the same
    expect((await direct.glance.get(r.imageId)).checksum).toBe(f.md5)
  })

  it('an os_hash_value that differs from the file is HASH_MISMATCH; the image is deleted', async () => {
    const f = file('bad-sha.raw', 3 * MiB)
    proxy.setRewrite({ [f.sha512]: '0'.repeat(128) })
    const e = await failure(upload(proxied, f.path, 'bad-sha'))
    expect(e.details?.localSha512).toBe(f.sha512)
    expect(e.details?.glanceHash).toBe('0'.repeat(128))
    expect(e.details?.deleted).toBe(true)
    expect(await gone(String(e.details?.imageId))).toBe(true)
  })
})
