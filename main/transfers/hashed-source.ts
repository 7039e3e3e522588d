/**
 * The upload body: a file read once, in large chunks, into a ring of shared-memory slots; each chunk goes both to the
 * hashing workers (md5 + sha512 in parallel, off the I/O thread) and to the request, and its slot is reused when both
 * are done with it. Memory is the ring (`slots * slotSize`), whatever the file size.
 *
 * Two ways to consume it:
 * - `writeInto(out)` (the HTTP layer's DirectBody path): writes the slots straight into the request with
 *   `out.write(chunk, cb)`, no stream plumbing, no copies; the ring bounds what is queued on the socket.
 * - as an ordinary Readable (`pipe`, `for await`, test doubles): each chunk is pushed as a copy (the consumer may keep
 *   it), so the slot can be reused as soon as it is hashed.
 *
 * Linux: the reads go through a second descriptor of the same file opened with O_DIRECT (direct-write.ts openDirect),
 * straight into the page-aligned slots: no page-cache copy (0.6 CPU s/GiB here, perf). A file system that refuses it
 * (at open, as tmpfs before Linux 6.6; or at the first read, EINVAL) and a ring that is not aligned read buffered.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { Readable, type Writable } from 'node:stream'
import { AppError } from '../../preload/api'
import { openDirect } from './direct-write'
import { SlotRing, WorkerHasher, type HashAlgo, type PartialDigests } from './hash-workers'

import { DIRECT_ALIGN, PROGRESS_STEP, UPLOAD_SLOT, UPLOAD_SLOTS } from './tuning'

export { PROGRESS_STEP, UPLOAD_SLOT, UPLOAD_SLOTS } from './tuning'

/**
 * Sees the bytes as they are read, before they are sent: `chunk` gets every chunk with its offset (the upload's
 * inspector captures its regions from them); `beforeEnd` runs before the LAST chunk is written, and a throw there
 * stops the body with that error (the request is aborted: the server never gets the whole file).
 */
export interface BodyTap {
  chunk(pos: number, data: Uint8Array): void
  beforeEnd(): Promise<void>
}

export interface HashedFileBodyOptions {
  /** Bytes handed to the consumer (called once per chunk). */
  onBytes?: (n: number) => void
  slots?: number
  slotSize?: number
  algos?: readonly HashAlgo[]
  /** An open handle to read (the caller keeps it: it is not closed with the body). Default: `path` is opened. */
  file?: FileHandle
  tap?: BodyTap
}

export class HashedFileBody extends Readable {
  readonly hasher: WorkerHasher
  private readonly ring: SlotRing
  private readonly onBytes: (n: number) => void
  private readonly tap: BodyTap | undefined
  private readonly ownsFile: boolean
  private fh: FileHandle | null = null
  private opening: Promise<FileHandle> | null = null
  /** The O_DIRECT descriptor (undefined: not tried yet; null: none, buffered reads). */
  private direct: Promise<FileHandle | null> | undefined
  /** Bytes read through the O_DIRECT descriptor (tests, diagnostics). */
  directBytes = 0
  /** Bytes read from the file so far. */
  private pos = 0
  private mode: 'none' | 'stream' | 'direct' = 'none'
  /** Writes handed to the request whose callback has not come yet (direct mode), and who waits for them. */
  private pending = 0
  private sentWaiters: (() => void)[] = []
  /** Bytes counted through onBytes; after `settle()` no more are counted. */
  private counted = 0
  private settled = false

  constructor(
    readonly path: string,
    readonly size: number,
    opts: HashedFileBodyOptions = {},
  ) {
    super({ highWaterMark: 1 })
    this.ring = new SlotRing(opts.slots ?? UPLOAD_SLOTS, opts.slotSize ?? UPLOAD_SLOT)
    this.hasher = new WorkerHasher(opts.algos ?? ['md5', 'sha512'])
    this.onBytes = opts.onBytes ?? (() => {})
    this.tap = opts.tap
    this.ownsFile = !opts.file
    if (opts.file) this.fh = opts.file
  }

  /** The digests of the bytes read (after the body was consumed to its end). */
  digests(): Promise<PartialDigests> {
    return this.hasher.digest()
  }

  /**
   * Resolves when every write handed to the request has been called back (its bytes counted): the response can come
   * before the last callbacks, and progress must reach the size first. At most `waitMs`.
   */
  sent(waitMs = 2000): Promise<void> {
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const t = setTimeout(resolve, waitMs)
      this.sentWaiters.push(() => {
        clearTimeout(t)
        resolve()
      })
    })
  }

  /**
   * The request succeeded (the server has every byte): counts what the callbacks did not count yet. A callback can come
   * after the response, or with an error once the finished request is closed; the bytes were sent all the same.
   */
  settle(): void {
    if (this.settled) return
    this.settled = true
    const rest = this.size - this.counted
    this.counted = this.size
    if (rest > 0) this.onBytes(rest)
  }

  private count(n: number): void {
    if (this.settled) return
    this.counted += n
    this.onBytes(n)
  }

  /** Stops everything: file, workers. */
  dispose(): void {
    this.hasher.destroy()
    if (!this.destroyed) this.destroy()
  }

  /** DirectBody: writes the whole file into `out` and ends it. Failures are emitted as 'error' on this stream. */
  writeInto(out: Writable): void {
    if (this.mode !== 'none') throw new Error('HashedFileBody: consumed twice')
    this.mode = 'direct'
    this.pump(out).catch((e: unknown) => {
      if (!this.destroyed) this.destroy(e instanceof Error ? e : new Error(String(e)))
    })
  }

  private async pump(out: Writable): Promise<void> {
    const gone = (): boolean => this.destroyed || out.destroyed || out.writableEnded
    for (;;) {
      if (gone()) return
      const c = await this.next()
      if (!c) break
      if (gone()) {
        this.ring.release(c.slot)
        return
      }
      if (this.pos >= this.size && this.tap) {
        try {
          await this.tap.beforeEnd()
        } catch (e) {
          this.ring.release(c.slot)
          throw e
        }
        if (gone()) {
          this.ring.release(c.slot)
          return
        }
      }
      const view = this.ring.slot(c.slot).subarray(0, c.n)
      // written in steps of at most PROGRESS_STEP, each counted when the socket took it: progress moves smoothly
      // on a slow link too (a whole slot can take seconds there)
      let left = Math.ceil(c.n / PROGRESS_STEP) + 1 // the writes, and the hash (a chunk is never empty)
      const done = (): void => {
        if (--left === 0) this.ring.release(c.slot)
      }
      this.hasher.update(view).then(done, (e: unknown) => this.destroy(e as Error))
      // The ring bounds what is queued: write() returning false needs no extra wait (at most `slots` chunks).
      for (let off = 0; off < c.n; off += PROGRESS_STEP) {
        const part = view.subarray(off, Math.min(c.n, off + PROGRESS_STEP))
        this.pending++
        out.write(part, (err) => {
          if (!err) this.count(part.length)
          done()
          if (--this.pending === 0) for (const w of this.sentWaiters.splice(0)) w()
        })
      }
    }
    await this.checkUnchanged()
    if (!gone()) out.end()
  }

  override _read(): void {
    if (this.mode === 'direct') return
    this.mode = 'stream'
    this.next()
      .then(
        async (c) => {
          if (!c) {
            return this.checkUnchanged().then(() => {
              this.push(null)
            })
          }
          if (this.pos >= this.size && this.tap) {
            try {
              await this.tap.beforeEnd()
            } catch (e) {
              this.ring.release(c.slot)
              throw e
            }
          }
          const view = this.ring.slot(c.slot).subarray(0, c.n)
          const copy = Buffer.from(view)
          this.hasher.update(view).then(
            () => this.ring.release(c.slot),
            (e: unknown) => this.destroy(e as Error),
          )
          this.count(c.n)
          this.push(copy)
        },
        (e: unknown) => this.destroy(e as Error),
      )
      .catch((e: unknown) => this.destroy(e as Error))
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (err) this.hasher.destroy(err)
    this.closeDirect()
    const fh = this.ownsFile ? this.fh : null
    this.fh = null
    if (fh)
      fh.close().then(
        () => cb(err),
        () => cb(err),
      )
    else cb(err)
  }

  private file(): Promise<FileHandle> {
    if (this.fh) return Promise.resolve(this.fh)
    this.opening ??= open(this.path, 'r').then(
      (fh) => {
        if (this.destroyed) {
          void fh.close()
          throw new Error('closed')
        }
        this.fh = fh
        return fh
      },
      (e: unknown) => {
        throw new AppError({ code: 'FILE', message: `Cannot read ${this.path}: ${(e as Error).message}` }, { cause: e })
      },
    )
    return this.opening
  }

  /** The O_DIRECT descriptor of the file, opened once (null: buffered reads). */
  private directHandle(fh: FileHandle): Promise<FileHandle | null> {
    this.direct ??= this.ring.aligned ? openDirect(this.path, fh, 'read') : Promise.resolve(null)
    return this.direct
  }

  private closeDirect(): void {
    const d = this.direct
    this.direct = Promise.resolve(null)
    void d?.then((h) => h?.close()).catch(() => {})
  }

  /** Reads into `buf` at `off` from file position `pos`, up to `len` bytes: O_DIRECT when it can, else buffered. */
  private async readAt(fh: FileHandle, buf: Buffer, off: number, len: number, pos: number): Promise<number> {
    const d = off % DIRECT_ALIGN === 0 && pos % DIRECT_ALIGN === 0 ? await this.directHandle(fh) : null
    if (d) {
      // O_DIRECT takes whole blocks: the last chunk's length rounded up (the slot has room; a read at the end of the
      // file returns what is there), and never more counted than asked for (a file that grew is caught by its size)
      const want = Math.min(buf.length - off, Math.ceil(len / DIRECT_ALIGN) * DIRECT_ALIGN)
      try {
        const { bytesRead } = await d.read(buf, off, want, pos)
        const n = Math.min(bytesRead, len)
        this.directBytes += n
        return n
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e
        this.closeDirect() // this file system takes O_DIRECT at open but not at read: buffered from now on
      }
    }
    const { bytesRead } = await fh.read(buf, off, len, pos)
    return bytesRead
  }

  /** The next chunk in a slot (the caller releases it), or null at the end. */
  private async next(): Promise<{ slot: number; n: number } | null> {
    if (this.pos >= this.size) return null
    const fh = await this.file()
    const slot = await this.ring.acquire()
    const len = Math.min(this.ring.size, this.size - this.pos)
    const buf = this.ring.slot(slot)
    let n = 0
    try {
      while (n < len) {
        const bytesRead = await this.readAt(fh, buf, n, len - n, this.pos + n)
        if (!bytesRead) break
        n += bytesRead
      }
    } catch (e) {
      this.ring.release(slot)
      throw new AppError({ code: 'FILE', message: `Reading ${this.path} failed: ${(e as Error).message}` }, { cause: e })
    }
    if (n < len) {
      this.ring.release(slot)
      throw this.changed(this.pos + n)
    }
    this.tap?.chunk(this.pos, buf.subarray(0, n))
    this.pos += n
    if (this.pos >= this.size) this.closeDirect()
    return { slot, n }
  }

  private async checkUnchanged(): Promise<void> {
    const fh = await this.file()
    const now = (await fh.stat()).size
    if (now !== this.size) throw this.changed(now)
  }

  private changed(now: number): AppError {
    return new AppError({
      code: 'FILE',
      message: `${this.path} changed during the upload (${this.size} bytes expected, ${now} found).`,
      retryable: true,
    })
  }
}
