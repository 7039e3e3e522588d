/**
 * Uploads are bound to the file that was inspected (issue 12.6) and the verdict is computed on the bytes that are
 * sent (issue 13.2), against the REAL loopback Glance:
 * - a file changed after enqueue (content + mtime), or swapped (another inode renamed over it), stops the job with
 *   FILE/fileChanged before any image is created;
 * - a file rewritten in place with its mtime put back (same dev/ino/size/mtime) so that it now inspects differently is
 *   caught by the re-inspection from the upload's own file descriptor: no image;
 * - a file changed WHILE it streams (a VHD footer written at its end, mtime put back) is caught by the inspector the
 *   stream passes through: the upload stops before the last part, and the image is deleted;
 * - an unsafe file never creates an image (enqueue refuses it; the CLI refuses it).
 */
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, openSync, renameSync, rmSync, utimesSync, writeSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { AppError } from '../../../preload/api'
import type { CloudClient } from '../../../main/openstack/types'
import { cloudFromClient } from '../../../main/transfers/cloud'
import { newImageId, type EngineHooks } from '../../../main/transfers/engine'
import { inspectFileWithIdentity } from '../../../main/transfers/inspect'
import { uploadImage } from '../../../main/transfers/upload'
import { describeCloud } from '../../support/cloud'
import { clientFor, credsEnv, fields, openService, randomFile, tmp } from './helpers'

const MiB = 1024 * 1024
const CLI = resolve(import.meta.dirname, '../../../out/cli/index.js')

/** Whole seconds, so that the mtime can be put back exactly (utimes takes no nanoseconds). */
const PINNED = 1_700_000_000

/** A test file with a pinned mtime. */
function pinnedFile(path: string, bytes: number): void {
  randomFile(path, bytes)
  utimesSync(path, PINNED, PINNED)
}

/** Overwrites bytes at `pos` and puts the pinned mtime back (the identity stays the same, the content does not). */
function patchKeepingMtime(path: string, pos: number, b: Buffer): void {
  const fd = openSync(path, 'r+')
  writeSync(fd, b, 0, b.length, pos)
  closeSync(fd)
  utimesSync(path, PINNED, PINNED)
}

function vhdFooter(size: number): Buffer {
  const f = Buffer.alloc(512)
  f.write('conectix', 0, 'latin1')
  f.writeBigUInt64BE(BigInt(size), 48)
  f.writeUInt32BE(2, 60)
  return f
}

function qcow2WithBacking(): Buffer {
  const h = Buffer.alloc(512)
  h.writeUInt32BE(0x514649fb, 0)
  h.writeUInt32BE(2, 4)
  h.writeBigUInt64BE(256n, 8)
  h.writeUInt32BE(11, 16)
  h.writeUInt32BE(16, 20)
  h.writeBigUInt64BE(BigInt(64 * MiB), 24)
  h.write('/etc/shadow', 256, 'latin1')
  return h
}

describeCloud('uploads bound to the inspected file, judged on the bytes sent (real Glance)', (cloud) => {
  let dir: string
  let client: CloudClient
  const ctx = { profileId: 'it-bound', region: cloud.region }
  const names: string[] = []
  const name = (s: string): string => {
    const n = `gd-it-bound-${process.pid}-${s}`
    names.push(n)
    return n
  }

  async function imagesNamed(n: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = []
    for await (const img of client.glance.list({ name: n })) out.push(img)
    return out
  }
  async function gone(id: string): Promise<boolean> {
    try {
      const img = await client.glance.get(id)
      return img.status === 'deleted'
    } catch (e) {
      return AppError.is(e, 'NOT_FOUND')
    }
  }

  beforeAll(async () => {
    dir = tmp('xfer-bound-')
    client = await clientFor(cloud)
  })
  afterAll(async () => {
    for (const n of names) for (const img of await imagesNamed(n).catch(() => [])) await client.glance.delete(String(img.id)).catch(() => {})
    client?.session.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a file changed after enqueue (content and mtime) stops the job with fileChanged; no image is created', async () => {
    const path = join(dir, 'changed.raw')
    randomFile(path, 4 * MiB)
    const s = await openService(cloud, join(dir, 'data-1'), undefined, { maxAttempts: 2, backoffMs: 50 })
    const job = await s.enqueueUpload(ctx, { name: name('changed'), fields, diskFormat: 'raw', filePath: path })
    const fd = openSync(path, 'r+')
    writeSync(fd, Buffer.from('changed'), 0, 7, 2 * MiB)
    closeSync(fd)
    utimesSync(path, new Date(), new Date(Date.now() + 5000))
    s.start()
    const done = await s.waitFor(job.id)
    await s.stop()
    expect(done.state).toBe('failed')
    expect(done.error?.code).toBe('FILE')
    expect(done.error?.details?.reason).toBe('fileChanged')
    expect(done.error?.details?.params).toMatchObject({ field: 'mtimeMs' })
    expect(done.error?.retryable).toBe(false)
    expect(await imagesNamed(name('changed'))).toEqual([])
  })

  it('a file swapped for another of the same size (another inode) stops the job; no image is created', async () => {
    const path = join(dir, 'swapped.raw')
    const other = join(dir, 'other.raw')
    randomFile(path, 4 * MiB)
    randomFile(other, 4 * MiB)
    utimesSync(path, PINNED, PINNED)
    const s = await openService(cloud, join(dir, 'data-2'), undefined, { maxAttempts: 2, backoffMs: 50 })
    const job = await s.enqueueUpload(ctx, { name: name('swapped'), fields, diskFormat: 'raw', filePath: path })
    utimesSync(path, PINNED, PINNED)
    utimesSync(other, PINNED, PINNED)
    renameSync(other, path)
    s.start()
    const done = await s.waitFor(job.id)
    await s.stop()
    expect(done.state).toBe('failed')
    expect(done.error?.details?.reason).toBe('fileChanged')
    expect(done.error?.details?.params).toMatchObject({ field: 'ino' })
    expect(await imagesNamed(name('swapped'))).toEqual([])
  })

  it('rewritten in place with its mtime put back, the file inspects differently from the same descriptor: no image', async () => {
    const path = join(dir, 'rewritten.raw')
    pinnedFile(path, 4 * MiB)
    const s = await openService(cloud, join(dir, 'data-3'), undefined, { maxAttempts: 2, backoffMs: 50 })
    const job = await s.enqueueUpload(ctx, { name: name('rewritten'), fields, diskFormat: 'raw', filePath: path })
    patchKeepingMtime(path, 0, qcow2WithBacking())
    s.start()
    const done = await s.waitFor(job.id)
    await s.stop()
    expect(done.state).toBe('failed')
    // the re-inspection finds a qcow2: the declared raw no longer fits, or the verdict differs
    expect(['FORMAT_MISMATCH', 'UNSAFE_FILE']).toContain(done.error?.code)
    expect(await imagesNamed(name('rewritten'))).toEqual([])
  })

  it('changed while it streams: the streamed verdict differs, the upload stops before the last part and the image is deleted', async () => {
    const path = join(dir, 'streamed.raw')
    const size = 64 * MiB
    pinnedFile(path, size)
    const { report, identity } = await inspectFileWithIdentity(path, 'raw')
    expect(report.format).toBe('raw')
    const glanceCloud = cloudFromClient(client, 'it-bound')
    let patched = false
    let sentAtPatch = 0
    let sent = 0
    const ac = new AbortController()
    const hooks: EngineHooks = {
      signal: ac.signal,
      phase: () => {},
      bytes: (n) => {
        sent += n
        if (!patched) {
          // the first MiB is on the socket; the reader is at most a ring (16 MiB) ahead: the end is not read yet
          patched = true
          sentAtPatch = sent
          patchKeepingMtime(path, size - 512, vhdFooter(size - 512))
        }
      },
    }
    const id = newImageId()
    let err: unknown
    try {
      await uploadImage(
        glanceCloud,
        { imageId: id, meta: { name: name('streamed'), fields, diskFormat: 'raw' }, filePath: path, size, identity, inspection: report },
        hooks,
      )
    } catch (e) {
      err = e
    }
    expect(patched).toBe(true)
    expect(sentAtPatch).toBeLessThan(size)
    expect(AppError.is(err, 'UNSAFE_FILE'), String(err)).toBe(true)
    expect((err as AppError).details?.reason).toBe('streamDiffers')
    expect((err as AppError).details?.deleted).toBe(true)
    // the last part was held back: Glance never had the whole file, and the image is gone
    expect(sent).toBeLessThan(size)
    expect(await gone(id)).toBe(true)
  })

  it('an unsafe file never creates an image: enqueue refuses it, and so does the CLI', async () => {
    const path = join(dir, 'unsafe.img')
    pinnedFile(path, 4 * MiB)
    patchKeepingMtime(path, 0, qcow2WithBacking())
    const s = await openService(cloud, join(dir, 'data-5'))
    let err: unknown
    try {
      await s.enqueueUpload(ctx, { name: name('unsafe'), fields, diskFormat: 'auto', filePath: path })
    } catch (e) {
      err = e
    }
    await s.stop()
    expect(AppError.is(err, 'UNSAFE_FILE')).toBe(true)
    expect((err as AppError).details?.reason).toBe('qcow2BackingFile')
    expect(s.list()).toEqual([])

    expect(existsSync(CLI), 'npm run build makes out/cli/index.js').toBe(true)
    const r = spawnSync(process.execPath, [CLI, 'image', 'upload', path, '--name', name('unsafe-cli'), '--json'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...credsEnv(cloud) },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(/UNSAFE_FILE/)
    expect(r.stderr).toMatch(/backing file/)
    expect(await imagesNamed(name('unsafe'))).toEqual([])
    expect(await imagesNamed(name('unsafe-cli'))).toEqual([])
  })
})
