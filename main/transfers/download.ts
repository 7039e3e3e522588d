/**
 * Download: check free space, stream GET /file into `<target>.part` while hashing, verify against os_hash_value
 * (sha512) or checksum (md5), fsync, then rename atomically. A wrong file never gets the final name.
 *
 * The part file is the job's own: created with O_CREAT|O_EXCL|O_NOFOLLOW and bound (PartBinding: device, inode,
 * image id, expected hash) in the job record. On a later attempt:
 *   | at `<target>.part`                                          | what happens                                   |
 *   |-------------------------------------------------------------|------------------------------------------------|
 *   | nothing                                                     | a new part file (O_EXCL), a full GET            |
 *   | the job's own file (same dev + inode, image and hash)       | re-hashed and continued with `Range`            |
 *   | no binding (a job of the previous version): a regular file  | bound, re-hashed and continued; another size or |
 *   |   of exactly the job's recorded bytes                       |   a symlink: partNotOwn (left alone)            |
 *   | a file the job did not make, a symlink, another inode, or a | left alone (not appended to, not deleted): the  |
 *   |   binding for another image or hash                         |   job fails CONFLICT partNotOwn                 |
 * A 206 must say `Content-Range: bytes <have>-<total-1>/<total>`; otherwise the part is emptied and the attempt
 * fails (retryable), so the next one starts over. An image Glance has no checksum and no hash for keeps its bytes in
 * the part file (`pending: 'unverified'`) until the user accepts them (`acceptUnverified`).
 */
import { constants } from 'node:fs'
import { link, lstat, open, rename, statfs, unlink, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import { AppError } from '../../preload/api'
import { reasonError } from '../../preload/rules/messages'
import { syncDir } from '../files/atomic'
import type { DownloadSpec, PartBinding } from './store'
import type { HashAlgo, PartialDigests } from './hash-workers'
import { ReceiveHasher } from './hash-receive'
import { directWrites, openDirect, writeAllDirect } from './direct-write'
import { expectedHash, throwIfAborted, type EngineHooks } from './engine'
import { DOWNLOAD_QUEUE, DOWNLOAD_WRITE } from './tuning'
import type { RawImage, TransferCloud } from './port'

export interface DownloadTask {
  imageId: string
  path: string
  /** The part file an earlier attempt of this job made (set by downloadImage when it makes one). */
  part?: PartBinding
  /** The user accepted that the image cannot be verified (Glance has no checksum and no hash for it). */
  acceptUnverified?: boolean
  /**
   * A job saved by a version that kept no binding: the bytes its record says were written. A regular file (not a
   * symlink) of exactly that size at `<target>.part` is taken as its part file and bound; anything else is not ours.
   */
  unboundBytes?: number
}

export type DownloadHooks = EngineHooks & {
  /** The job made its part file: keep the binding in the job record (before any byte is written). */
  partBound?(b: PartBinding): void
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
  /** Seconds from the GET of the data to the verified file (without login and the image lookup). */
  transferSeconds: number
  image: RawImage
  /** 'unverified': every byte is in the part file, but nothing to verify them against: the user decides. */
  pending?: 'unverified'
}

/**
 * The buffered writes (other platforms, or where O_DIRECT is refused; Linux uses writeAllDirect in direct-write.ts).
 * Writes the response into the part file as it arrives. Each socket chunk is hashed where it is (the thread that
 * holds it: no copy, no second read of the file) and queued as it is; the queue is written in order, one `writev` of
 * up to 1 MiB at a time, on libuv's pool (a slow disk never blocks the event loop); the response is paused while
 * DOWNLOAD_QUEUE bytes or more wait, so memory is bounded whatever the size. After each write the hasher is told how
 * far the file goes (a resumed download hashes its kept prefix from the file first). Every byte received is on disk
 * before an error propagates (so a resume continues exactly where the data stopped).
 */
function writeAll(src: Readable, fh: FileHandle, h: ReceiveHasher, hooks: EngineHooks): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const queue: Buffer[] = []
    let queued = 0
    let writing = false
    let ended = false
    let streamError: unknown = null
    let writeError: unknown = null
    let settled = false

    const settle = (): void => {
      if (settled || writing || (queue.length && !writeError) || !(ended || writeError)) return
      settled = true
      hooks.signal.removeEventListener('abort', onAbort)
      const e = writeError ?? streamError
      if (e) reject(e)
      else if (hooks.signal.aborted) reject(hooks.signal.reason ?? new Error('aborted'))
      else resolve()
    }
    const pump = (): void => {
      if (writing) return
      if (writeError || !queue.length) return settle()
      // at most DOWNLOAD_WRITE bytes a call: measured here, 1 MiB writes beat both 64 KiB (more calls) and 4 MiB
      // (a third more kernel time per byte) by ~50%
      let n = 0
      let k = 0
      while (k < queue.length && (k === 0 || n + queue[k]!.length <= DOWNLOAD_WRITE)) n += queue[k++]!.length
      const bufs = queue.splice(0, k)
      queued -= n
      writing = true
      writevAll(fh, bufs, n).then(
        () => {
          writing = false
          h.wrote(n)
          if (src.isPaused() && !ended && queued < DOWNLOAD_QUEUE) src.resume()
          pump()
        },
        (e: unknown) => {
          writing = false
          writeError = e
          src.destroy()
          pump()
        },
      )
    }
    const onAbort = (): void => {
      streamError ??= hooks.signal.reason ?? new Error('aborted')
      src.destroy()
    }
    hooks.signal.addEventListener('abort', onAbort, { once: true })

    src.on('data', (b: Buffer) => {
      if (writeError) return
      hooks.bytes(b.length)
      h.take(b)
      queue.push(b)
      queued += b.length
      if (queued >= DOWNLOAD_QUEUE) src.pause()
      pump()
    })
    src.on('error', (e) => {
      streamError ??= e
    })
    // 'close' follows 'end' and every destroy (error, abort): what was received is written, then we settle
    src.on('close', () => {
      ended = true
      if (!src.readableEnded) {
        streamError ??= new AppError({ code: 'NETWORK', message: 'The download stopped before the end of the image.', retryable: true })
      }
      pump()
    })
    if (hooks.signal.aborted) onAbort()
    // a response closed before we listened (aborted or broken while the part file was being opened): its 'close'
    // and 'error' have come and gone, so they are read off the stream (seen in CI: a pause hung the job)
    if (src.closed) {
      ended = true
      if (!src.readableEnded) {
        streamError ??= src.errored ?? new AppError({ code: 'NETWORK', message: 'The download stopped before the end of the image.', retryable: true })
      }
      pump()
    }
  })
}

/** Writes all of `bufs` (`n` bytes) at the file position; a short write (disk full after some bytes) is retried so the error surfaces. */
async function writevAll(fh: FileHandle, bufs: Buffer[], n: number): Promise<void> {
  let done = 0
  while (done < n) {
    const rest = done === 0 ? bufs : skip(bufs, done)
    const { bytesWritten } = await fh.writev(rest)
    if (bytesWritten <= 0) throw new Error(`writing the download made no progress (${done} of ${n} bytes)`)
    done += bytesWritten
  }
}

function skip(bufs: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = []
  for (const b of bufs) {
    if (n >= b.length) n -= b.length
    else {
      out.push(n ? b.subarray(n) : b)
      n = 0
    }
  }
  return out
}

export function partPath(path: string): string {
  return `${path}.part`
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0

function sameExpected(a: PartBinding['expected'], b: PartBinding['expected']): boolean {
  return a === null || b === null ? a === b : a.algo === b.algo && a.value === b.value
}

function notOwn(part: string, why: 'symlink' | 'otherFile' | 'otherImage' | 'exists'): AppError {
  return reasonError(
    'CONFLICT',
    'partNotOwn',
    { path: part, why },
    `${part} is not this download's own part file (${why}); it was left as it is. Move it away, or choose another target.`,
    { retryable: false },
  )
}

/** The job's own part file opened for appending, with its size; null when there is none (it may be made). */
async function openOwnPart(
  task: DownloadTask,
  part: string,
  exp: PartBinding['expected'],
  hooks: DownloadHooks,
): Promise<{ fh: FileHandle; have: number } | null> {
  const b = task.part
  if (!b) return task.unboundBytes ? adoptUnboundPart(task, part, exp, hooks, task.unboundBytes) : null
  if (b.path !== part || b.imageId !== task.imageId || !sameExpected(b.expected, exp)) {
    // the binding is for another target, image or hash: whatever is at the name is not ours to continue
    const there = await lstat(part).catch(() => null)
    if (there) throw notOwn(part, 'otherImage')
    return null
  }
  let fh: FileHandle
  try {
    fh = await open(part, constants.O_RDWR | constants.O_APPEND | O_NOFOLLOW)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    if (code === 'ELOOP') throw notOwn(part, 'symlink')
    throw e
  }
  const st = await fh.stat()
  if (!st.isFile() || st.dev !== b.dev || st.ino !== b.ino) {
    await fh.close()
    throw notOwn(part, 'otherFile')
  }
  return { fh, have: st.size }
}

/** An earlier version's part file (no binding): bound when it is a regular file of the recorded size. */
async function adoptUnboundPart(
  task: DownloadTask,
  part: string,
  exp: PartBinding['expected'],
  hooks: DownloadHooks,
  bytes: number,
): Promise<{ fh: FileHandle; have: number } | null> {
  let fh: FileHandle
  try {
    fh = await open(part, constants.O_RDWR | constants.O_APPEND | O_NOFOLLOW)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null // nothing there: a fresh part file, a full GET
    if (code === 'ELOOP') throw notOwn(part, 'symlink')
    throw e
  }
  const st = await fh.stat()
  if (!st.isFile() || st.size !== bytes) {
    await fh.close()
    throw notOwn(part, 'otherFile')
  }
  const b: PartBinding = { path: part, dev: st.dev, ino: st.ino, imageId: task.imageId, expected: exp }
  task.part = b
  hooks.partBound?.(b)
  return { fh, have: st.size }
}

/** A new part file, made by this job only (O_EXCL: an existing name is never taken over; O_NOFOLLOW: nor a symlink). */
async function createPart(task: DownloadTask, part: string, exp: PartBinding['expected'], hooks: DownloadHooks): Promise<FileHandle> {
  let fh: FileHandle
  try {
    fh = await open(part, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND | O_NOFOLLOW, 0o600)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw notOwn(part, (await lstat(part).catch(() => null))?.isSymbolicLink() ? 'symlink' : 'exists')
    if (code === 'ELOOP') throw notOwn(part, 'symlink')
    throw e
  }
  const st = await fh.stat()
  const b: PartBinding = { path: part, dev: st.dev, ino: st.ino, imageId: task.imageId, expected: exp }
  task.part = b
  hooks.partBound?.(b)
  return fh
}

/** Whether `<target>.part` is the file this job made (same device and inode, not a symlink). */
async function isOwnPart(spec: Pick<DownloadSpec, 'part'>): Promise<boolean> {
  const b = spec.part
  if (!b) return false
  const st = await lstat(b.path).catch(() => null)
  return !!st && st.isFile() && !st.isSymbolicLink() && st.dev === b.dev && st.ino === b.ino
}

/** Deletes the job's own part file (a removed or cancelled job); anything else at that name is left alone. */
export async function removeOwnPart(spec: Pick<DownloadSpec, 'part'>): Promise<boolean> {
  if (!(await isOwnPart(spec))) return false
  await unlink(spec.part!.path).catch(() => {})
  return true
}

/**
 * The user accepted an unverifiable download: the job's own, complete part file gets the final name. Refused when
 * the part file is not the job's own any more.
 */
export async function acceptUnverifiedPart(spec: DownloadSpec): Promise<void> {
  if (!(await isOwnPart(spec))) throw notOwn(partPath(spec.path), 'otherFile')
  const part = spec.part!.path
  // link() never replaces: whatever got to the target name meanwhile (a file, a symlink) stays as it is
  try {
    await link(part, spec.path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw targetExists(spec.path)
    // a file system without hard links (FAT, some network shares): check the name is free, then rename
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e
    if (await lstat(spec.path).catch(() => null)) throw targetExists(spec.path)
    await rename(part, spec.path)
    await syncDir(dirname(spec.path)).catch(() => {})
    return
  }
  await unlink(part)
  await syncDir(dirname(spec.path)).catch(() => {})
}

function targetExists(path: string): AppError {
  return reasonError('CONFLICT', 'targetExists', { path }, `${path} exists now; the download was kept as ${path}.part. Move ${path} away and accept again.`, {
    retryable: false,
  })
}

/** `Content-Range: bytes START-END/TOTAL` of a 206 continuing at `have` (END the last byte; TOTAL may be `*`). */
export function rangeMatches(header: string | undefined, have: number, total: number | undefined): boolean {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec((header ?? '').trim())
  if (!m) return false
  const [start, end] = [Number(m[1]), Number(m[2])]
  if (start !== have || end < start) return false
  if (total === undefined) return true
  return end === total - 1 && (m[3] === '*' || Number(m[3]) === total)
}

export async function downloadImage(cloud: TransferCloud, task: DownloadTask, hooks: DownloadHooks): Promise<DownloadResult> {
  const t0 = performance.now()
  const glance = cloud.glance
  hooks.phase('waiting')
  const img = await glance.get(task.imageId)
  if (img.status !== 'active') {
    throw new AppError({ code: 'CONFLICT', message: `Image ${task.imageId} is ${img.status}; only active images can be downloaded.`, retryable: false })
  }
  const total = typeof img.size === 'number' ? img.size : undefined
  const part = partPath(task.path)
  // Only the hash that verifies is computed (sha512 when Glance has one, else md5): hashed on the thread that receives it.
  const exp = expectedHash(img)
  const own = await openOwnPart(task, part, exp, hooks)
  let have = own?.have ?? 0
  if (own && total !== undefined && have > total) {
    await own.fh.truncate(0)
    have = 0
  }

  // free space for what is still missing
  if (total !== undefined) {
    const fs = await statfs(dirname(task.path))
    const free = Number(fs.bavail) * Number(fs.bsize)
    const need = total - have
    if (free < need) {
      await own?.fh.close()
      throw new AppError({
        code: 'DISK_FULL',
        message: `Not enough free space in ${dirname(task.path)}: ${need} bytes needed, ${free} available.`,
        details: { need, free },
      })
    }
  }

  const algos: HashAlgo[] = [exp?.algo ?? 'sha512']
  let resumedFrom = 0
  let fh: FileHandle
  let stream: Readable | null = null
  if (hooks.signal.aborted) await own?.fh.close()
  throwIfAborted(hooks.signal)
  const tData = performance.now()
  if (own && total !== undefined && have === total) {
    // The .part already holds every byte (the connection broke after the last one, e.g. a Content-Length that
    // promised more): a Range from the end would be answered 416. Verify what we have instead.
    fh = own.fh
    resumedFrom = have
  } else {
    let res
    try {
      res = await glance.downloadData(task.imageId, { ...(have > 0 ? { range: { start: have } } : {}), signal: hooks.signal })
    } catch (e) {
      await own?.fh.close()
      throw e
    }
    stream = res.stream
    try {
      fh = own?.fh ?? (await createPart(task, part, exp, hooks))
      if (have > 0 && res.status === 206) {
        const cr = res.headers.contentRange ?? res.headers['content-range']
        if (!rangeMatches(typeof cr === 'string' ? cr : undefined, have, total)) {
          // not the bytes we asked for: what we have is kept no longer (ours: emptied), the next attempt starts over
          await fh.truncate(0)
          await fh.close()
          throw reasonError(
            'BAD_RESPONSE',
            'contentRange',
            { got: String(cr ?? '').slice(0, 100), from: have },
            `The image service answered a resumed download with the wrong range (${String(cr ?? 'none').slice(0, 100)}, asked from byte ${have}); starting over.`,
            { retryable: true },
          )
        }
        resumedFrom = have
      } else if (have > 0) {
        hooks.log?.('server ignored Range: starting over', { imageId: task.imageId, status: res.status })
        await fh.truncate(0)
      }
    } catch (e) {
      stream.destroy()
      await own?.fh.close().catch(() => {})
      throw e
    }
  }
  // a resumed download's kept prefix is hashed (read back from the part file) while the rest arrives
  const h = new ReceiveHasher(fh, algos, resumedFrom)
  let closed = false
  let opening: Promise<FileHandle | null> | null = null
  try {
    if (stream) {
      hooks.phase('downloading', total, resumedFrom)
      // Linux: the bytes bypass the page cache (direct-write.ts); elsewhere, or refused, the buffered writes
      if (directWrites()) {
        // opened while the writer already listens to the response (nothing it sends or does is missed meanwhile)
        opening = openDirect(part, fh).catch(() => null)
        await writeAllDirect(stream, fh, opening, resumedFrom, h, hooks)
        const dfh = await opening
        opening = null
        await dfh?.close()
      } else await writeAll(stream, fh, h, hooks)
    }
    hooks.phase('verifying', total, h.hashed)
    // the data reaches the disk while the hash catches up
    const [d] = await Promise.all([withHashProgress(h, hooks, h.finish()), fh.sync()])
    closed = true
    await fh.close()
    return await verifyAndRename(d, resumedFrom)
  } finally {
    h.destroy()
    if (opening) await (await opening)?.close().catch(() => {})
    if (!closed) await fh.close().catch(() => {})
  }

  async function verifyAndRename(d: PartialDigests, from: number): Promise<DownloadResult> {
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
    const pending = !exp && !task.acceptUnverified
    // nothing to verify against: the bytes stay in the part file until the user accepts them
    if (!pending) await rename(part, task.path)
    return {
      ...(pending ? { pending: 'unverified' as const } : {}),
      imageId: task.imageId,
      path: task.path,
      bytes: d.bytes,
      ...(d.md5 ? { md5: d.md5 } : {}),
      ...(d.sha512 ? { sha512: d.sha512 } : {}),
      verified: !!exp,
      resumedFrom: from,
      seconds: (performance.now() - t0) / 1000,
      transferSeconds: (performance.now() - tData) / 1000,
      image: img,
    }
  }
}

/** Reports the hasher's progress (a few times a second) while `p` is pending: catching up on a long resumed prefix shows. */
async function withHashProgress<T>(h: ReceiveHasher, hooks: EngineHooks, p: Promise<T>): Promise<T> {
  let seen = h.hashed
  const timer = setInterval(() => {
    const now = h.hashed
    if (now > seen) hooks.bytes(now - seen)
    seen = now
  }, 250)
  try {
    const r = await p
    // the last stretch: the meter ends at what was hashed
    if (h.hashed > seen) hooks.bytes(h.hashed - seen)
    return r
  } finally {
    clearInterval(timer)
  }
}
