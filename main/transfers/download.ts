/**
 * Download: check free space, stream GET /file into `<target>.part` while hashing, verify against os_hash_value
 * (sha512) or checksum (md5), fsync, then rename atomically. A wrong file never gets the final name. An existing
 * `.part` (an interrupted earlier attempt) is re-hashed and continued with `Range` when the server answers 206;
 * otherwise the download starts over.
 */
import { open, rename, stat, statfs, truncate, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import { AppError } from '../../preload/api'
import { SlotRing, WorkerHasher, hashFileInto, type HashAlgo, type PartialDigests } from './hash-workers'
import { expectedHash, throwIfAborted, type EngineHooks } from './engine'
import type { RawImage, TransferCloud } from './port'

export interface DownloadTask {
  imageId: string
  path: string
}

export interface DownloadResult {
  imageId: string
  path: string
  bytes: number
  /** The hash computed locally: sha512 when Glance reported os_hash_value (sha512), else md5 (checksum). */
  md5?: string
  sha512?: string
  verified: boolean
  resumedFrom: number
  seconds: number
  image: RawImage
}

/**
 * Writes the response into the part file while the hashing workers hash the same bytes. Socket chunks are copied
 * into shared 1 MiB slots (8 of them); a full slot is written to the file (one write at a time, in order) and
 * handed to the workers, and is reused when both are done. With no free slot the response is paused: memory is the
 * ring whatever the size. Every byte received is on disk before an error propagates (so a resume continues exactly
 * where the data stopped).
 */
async function writeAll(src: Readable, h: WorkerHasher, part: string, flags: string, hooks: EngineHooks): Promise<void> {
  const fh = await open(part, flags, 0o600)
  const ring = new SlotRing(DOWNLOAD_SLOTS, DOWNLOAD_SLOT)
  let writing: Promise<unknown> = Promise.resolve()
  let firstError: unknown = null
  let slot = -1
  let fill = 0
  let paused = false
  let failed: ((e: unknown) => void) | null = null

  const release = (i: number): void => {
    ring.release(i)
    if (paused && ring.available > 0 && !firstError) {
      paused = false
      src.resume()
    }
  }
  /** Writes and hashes the current slot (in order after the earlier ones). */
  const flush = (): void => {
    if (slot < 0 || fill === 0) return
    const i = slot
    const view = ring.slot(i).subarray(0, fill)
    slot = -1
    fill = 0
    let left = 2
    const done = (): void => {
      if (--left === 0) release(i)
    }
    const onError = (e: unknown): void => {
      firstError ??= e
      failed?.(e)
    }
    writing = writing.then(() => (firstError ? undefined : fh.write(view, 0, view.length))).then(done, onError)
    h.update(view).then(done, onError)
  }

  try {
    await new Promise<void>((resolve, reject) => {
      let over = false
      const fail = (e: unknown): void => {
        if (over) return
        over = true
        hooks.signal.removeEventListener('abort', onAbort)
        src.destroy()
        reject(e)
      }
      failed = fail
      const onAbort = (): void => fail(hooks.signal.reason ?? new Error('aborted'))
      hooks.signal.addEventListener('abort', onAbort, { once: true })
      src.on('data', (b: Buffer) => {
        hooks.bytes(b.length)
        let off = 0
        while (off < b.length) {
          if (slot < 0) {
            const i = ring.tryAcquire()
            if (i === undefined) {
              // the slot filled up mid-chunk and none is free: keep the rest aside and pause until one is
              const rest = Buffer.from(b.subarray(off))
              src.pause()
              paused = true
              void ring.acquire().then((j) => {
                slot = j
                fill = rest.copy(ring.slot(j), 0)
                if (fill === ring.size) flush()
              })
              return
            }
            slot = i
          }
          const n = b.copy(ring.slot(slot), fill, off)
          fill += n
          off += n
          if (fill === ring.size) flush()
        }
        if (ring.available === 0 && slot < 0) {
          src.pause()
          paused = true
        }
      })
      src.on('error', fail)
      src.on('end', () => {
        if (over) return
        over = true
        hooks.signal.removeEventListener('abort', onAbort)
        resolve()
      })
    })
  } finally {
    failed = null
    try {
      flush()
      await writing
      await h.drained()
    } finally {
      await fh.close()
    }
  }
  if (firstError) throw firstError
  throwIfAborted(hooks.signal)
}

export const DOWNLOAD_SLOT = 1024 * 1024
const DOWNLOAD_SLOTS = 8

export function partPath(path: string): string {
  return `${path}.part`
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

export async function downloadImage(cloud: TransferCloud, task: DownloadTask, hooks: EngineHooks): Promise<DownloadResult> {
  const t0 = performance.now()
  const glance = cloud.glance
  hooks.phase('waiting')
  const img = await glance.get(task.imageId)
  if (img.status !== 'active') {
    throw new AppError({ code: 'CONFLICT', message: `Image ${task.imageId} is ${img.status}; only active images can be downloaded.`, retryable: false })
  }
  const total = typeof img.size === 'number' ? img.size : undefined
  const part = partPath(task.path)
  let have = await sizeOf(part)
  if (total !== undefined && have > total) {
    await truncate(part, 0)
    have = 0
  }

  // free space for what is still missing
  if (total !== undefined) {
    const fs = await statfs(dirname(task.path))
    const free = Number(fs.bavail) * Number(fs.bsize)
    const need = total - have
    if (free < need) {
      throw new AppError({
        code: 'DISK_FULL',
        message: `Not enough free space in ${dirname(task.path)}: ${need} bytes needed, ${free} available.`,
        details: { need, free },
      })
    }
  }

  // Only the hash that verifies is computed (sha512 when Glance has one, else md5): one worker, one core.
  const exp = expectedHash(img)
  const algos: HashAlgo[] = [exp?.algo ?? 'sha512']
  let h = new WorkerHasher(algos)
  try {
    // resume: re-hash the prefix we already have so the whole file's hash can be checked
    let resumedFrom = 0
    if (have > 0) {
      hooks.phase('hashing', have, 0)
      await hashFileInto(h, part, { limit: have, signal: hooks.signal, onBytes: hooks.bytes })
    }
    throwIfAborted(hooks.signal)
    // The .part already holds every byte (the connection broke after the last one, e.g. a Content-Length that
    // promised more): a Range from the end would be answered 416. Verify what we have instead.
    if (total !== undefined && have === total) return await verifyAndRename(await h.digest(), have)
    const res = await glance.downloadData(task.imageId, { ...(have > 0 ? { range: { start: have } } : {}), signal: hooks.signal })
    let flags = 'w'
    if (have > 0 && res.status === 206) {
      flags = 'a'
      resumedFrom = have
    } else if (have > 0) {
      hooks.log?.('server ignored Range: starting over', { imageId: task.imageId, status: res.status })
      h.destroy()
      h = new WorkerHasher(algos)
    }
    hooks.phase('downloading', total, resumedFrom)
    await writeAll(res.stream, h, part, flags, hooks)
    return await verifyAndRename(await h.digest(), resumedFrom)
  } finally {
    h.destroy()
  }

  async function verifyAndRename(d: PartialDigests, from: number): Promise<DownloadResult> {
    hooks.phase('verifying')
    const problems: string[] = []
    if (total !== undefined && d.bytes !== total) problems.push(`${d.bytes} bytes received, the image has ${total}`)
    if (exp && exp.value !== d[exp.algo]) problems.push(`the ${exp.algo} differs from Glance's`)
    if (problems.length) {
      // a wrong file must not survive, not even as a resumable .part
      await unlink(part).catch(() => {})
      const short = total !== undefined && d.bytes < total
      throw new AppError({
        code: 'HASH_MISMATCH',
        message: `Download of image ${task.imageId} FAILED verification: ${problems.join('; ')}. Nothing was written to ${task.path}.`,
        retryable: short,
        details: { imageId: task.imageId, ...(d.md5 ? { md5: d.md5 } : {}), ...(d.sha512 ? { sha512: d.sha512 } : {}) },
      })
    }
    const fh = await open(part, 'r+')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(part, task.path)
    return {
      imageId: task.imageId,
      path: task.path,
      bytes: d.bytes,
      ...(d.md5 ? { md5: d.md5 } : {}),
      ...(d.sha512 ? { sha512: d.sha512 } : {}),
      verified: !!exp,
      resumedFrom: from,
      seconds: (performance.now() - t0) / 1000,
      image: img,
    }
  }
}
