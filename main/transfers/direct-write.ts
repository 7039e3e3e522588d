/**
 * The download's writes without the page cache (Linux, O_DIRECT), issue 16. Measured on the dev VM (bench/RESULTS.md,
 * run 7, 2026-12-02): copying 1 GiB into fresh page-cache pages cost 2.4-4 CPU s (kernel
 * `copy_folio_from_iter_atomic`, ~28% of a download's profile, as much as the sha512), the same bytes written with
 * O_DIRECT from reused, page-aligned buffers 0.3 s. The page cache gains nothing here: the part file is written once,
 * fsynced and renamed; it is not read back (a resumed download's kept prefix is, and that read works either way).
 *
 * How: each socket chunk is copied into one of DIRECT_SLOTS page-aligned slots of DOWNLOAD_WRITE bytes (views of a
 * WebAssembly.Memory, whose backing store is page-aligned), a full slot is written at its file offset through a
 * second descriptor of the same file opened with O_DIRECT, in order, one write at a time, on libuv's pool. What
 * O_DIRECT cannot take (a resumed part file's unaligned end, the last partial block) is written through the job's own
 * buffered descriptor (O_APPEND: at the end of the file, where it belongs since the writes are in order). Any refusal
 * (a file system without O_DIRECT, e.g. tmpfs; another platform; a misaligned buffer) falls back to that buffered
 * descriptor, silently: the same bytes, at the old cost.
 *
 * A response read by raw-get.ts (RawBody) skips the first copy too: the socket reads into the current slot itself
 * (`readInto`), and only a read that landed elsewhere (before the slots were offered, or while one was full) is
 * copied. Measured on 1 GiB (bench/RESULTS.md run 12): 3.5-3.8 -> 2.4-2.7 CPU s for the whole CLI download.
 */
import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { AppError } from '../../preload/api'
import type { EngineHooks } from './engine'
import type { ReceiveHasher } from './hash-receive'
import type { BodySink } from '../openstack/raw-get'
import { DIRECT_ALIGN, DIRECT_SLOTS, DOWNLOAD_DIRECT_IO, DOWNLOAD_WRITE, UPLOAD_DIRECT_IO } from './tuning'

const O_DIRECT: number | undefined = (constants as Record<string, number | undefined>).O_DIRECT
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0

/** Whether this platform and build write downloads with O_DIRECT at all (then openDirect may still refuse). */
export function directWrites(): boolean {
  return DOWNLOAD_DIRECT_IO && O_DIRECT !== undefined && process.platform === 'linux'
}

/** Whether this platform and build read uploads with O_DIRECT at all (then openDirect may still refuse). */
export function directReads(): boolean {
  return UPLOAD_DIRECT_IO && O_DIRECT !== undefined && process.platform === 'linux'
}

/**
 * A second, O_DIRECT descriptor of the file `fh` holds (same device and inode: a name swapped meanwhile is not
 * written or read), or null where O_DIRECT is not available (then the buffered path is used). `access`: 'write' (the
 * download's part file) or 'read' (the upload's source).
 */
export async function openDirect(path: string, fh: FileHandle, access: 'write' | 'read' = 'write'): Promise<FileHandle | null> {
  const flag = O_DIRECT
  if (!(access === 'write' ? directWrites() : directReads()) || flag === undefined) return null
  let d: FileHandle
  try {
    // the part file is ours (no link followed); a source may be reached through a link: the same-inode check below
    d = await open(path, access === 'write' ? constants.O_WRONLY | flag | O_NOFOLLOW : constants.O_RDONLY | flag)
  } catch {
    return null
  }
  try {
    const [a, b] = await Promise.all([fh.stat(), d.stat()])
    if (a.dev === b.dev && a.ino === b.ino && b.isFile()) return d
  } catch {
    // fall through: not usable
  }
  await d.close().catch(() => {})
  return null
}

/** The one WebAssembly API used (the node lib has no WebAssembly types): a fixed-size memory, page-aligned. */
interface WasmMemoryCtor {
  new (d: { initial: number; maximum: number }): { buffer: ArrayBuffer }
}
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryCtor } }).WebAssembly.Memory

/** `n` page-aligned buffers of `size` bytes (size a multiple of 64 KiB): views of one WebAssembly.Memory. */
export function alignedSlots(n: number, size: number): Buffer[] {
  const pages = (n * size) / 65536
  const mem = new WasmMemory({ initial: pages, maximum: pages })
  return Array.from({ length: n }, (_, i) => Buffer.from(mem.buffer, i * size, size))
}

/** A response body that reads itself into memory it is given (raw-get.ts RawBody). */
interface SlotSource {
  readInto(sink: BodySink): void
  more(): void
}

function isSlotSource(x: Readable): x is Readable & SlotSource {
  return typeof (x as Partial<SlotSource>).readInto === 'function' && typeof (x as Partial<SlotSource>).more === 'function'
}

interface Job {
  slot: number
  n: number
  /** Through the O_DIRECT descriptor (its aligned part); false: all through the buffered one. */
  direct: boolean
}

/**
 * Writes the response into the part file from `start` (the bytes already in it) as writeAll in download.ts does,
 * with the same contract: the response is paused while every slot is taken, every byte received is on disk before
 * an error propagates, the hasher is told after each write how far the file goes.
 */
export function writeAllDirect(
  src: Readable,
  fh: FileHandle,
  /** The O_DIRECT descriptor, or its opening (null: refused, all buffered): awaited by the first write, so that the
   * response is listened to at once (data, error and close are not missed while the descriptor opens). */
  dfhOrOpening: FileHandle | Promise<FileHandle | null>,
  start: number,
  h: ReceiveHasher,
  hooks: EngineHooks,
  slotSize = DOWNLOAD_WRITE,
  nSlots = DIRECT_SLOTS,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const A = DIRECT_ALIGN
    const slots = alignedSlots(nSlots, slotSize)
    const inUse = slots.map(() => false)
    const jobs: Job[] = []
    const pending: Buffer[] = []
    let pendOff = 0
    let cur = 0
    let fill = 0
    // a resumed part file that ends off a block boundary: its first bytes up to the boundary go the buffered way
    const head = (A - (start % A)) % A
    let cap = head || slotSize
    let capDirect = head === 0
    let direct = true
    /** The file's size: every byte written so far. */
    let pos = start
    let writing = false
    let ended = false
    /** The source may go on (it was paused while every slot was taken). */
    let wake = (): void => {}
    let streamError: unknown = null
    let writeError: unknown = null
    let settled = false

    const settle = (): void => {
      if (settled || writing) return
      if (!writeError && !(ended && !pending.length && fill === 0 && !jobs.length)) return
      settled = true
      hooks.signal.removeEventListener('abort', onAbort)
      const e = writeError ?? streamError
      if (e) reject(e)
      else if (hooks.signal.aborted) reject(hooks.signal.reason ?? new Error('aborted'))
      else resolve()
    }
    const seal = (): void => {
      jobs.push({ slot: cur, n: fill, direct: capDirect })
      inUse[cur] = true
      cur = (cur + 1) % slots.length
      fill = 0
      cap = slotSize
      capDirect = true
    }
    /** Copies what waits into free slots; after the end, the last partial slot is sealed too. */
    const drain = (): void => {
      while (pending.length && !inUse[cur] && !writeError) {
        const b = pending[0]!
        const n = Math.min(b.length - pendOff, cap - fill)
        b.copy(slots[cur]!, fill, pendOff, pendOff + n)
        fill += n
        pendOff += n
        if (pendOff === b.length) {
          pending.shift()
          pendOff = 0
        }
        if (fill === cap) seal()
      }
      if (ended && !pending.length && fill > 0 && !inUse[cur]) seal()
      if (!pending.length && !ended && !writeError) wake()
    }
    const pump = (): void => {
      drain()
      if (writing) return
      const j = writeError ? undefined : jobs.shift()
      if (!j) return settle()
      writing = true
      runJob(j).then(
        () => {
          writing = false
          inUse[j.slot] = false
          h.wrote(j.n)
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
    const runJob = async (j: Job): Promise<void> => {
      const buf = slots[j.slot]!
      let done = 0
      const dfh = await dfhOrOpening
      if (!dfh) direct = false
      if (j.direct && direct && dfh) {
        const m = j.n - (j.n % A)
        try {
          while (done < m) {
            const { bytesWritten } = await dfh.write(buf, done, m - done, pos + done)
            if (bytesWritten <= 0) break
            done += bytesWritten
          }
        } catch (e) {
          // refused before any byte (EINVAL: alignment or a file system without it): the buffered way from now on
          if (done > 0 || (e as NodeJS.ErrnoException).code !== 'EINVAL') throw e
          direct = false
          hooks.log?.('O_DIRECT refused: buffered writes', { error: String(e) })
        }
      }
      // the rest (the unaligned tail, or all of it) at the end of the file (O_APPEND)
      while (done < j.n) {
        const { bytesWritten } = await fh.write(buf, done, j.n - done)
        if (bytesWritten <= 0) throw new Error(`writing the download made no progress (${done} of ${j.n} bytes)`)
        done += bytesWritten
      }
      pos += j.n
    }
    const onAbort = (): void => {
      streamError ??= hooks.signal.reason ?? new Error('aborted')
      src.destroy()
    }
    hooks.signal.addEventListener('abort', onAbort, { once: true })

    if (isSlotSource(src)) {
      // the socket reads into the current slot (raw-get.ts): no copy unless a read landed elsewhere
      let waiting = false
      wake = () => {
        if (!waiting) return
        waiting = false
        src.more()
      }
      src.readInto({
        buffer: () => (!pending.length && !inUse[cur] && !writeError && !ended ? slots[cur]!.subarray(fill, cap) : null),
        data: (view, inPlace) => {
          if (writeError || ended) return false
          hooks.bytes(view.byteLength)
          h.take(view)
          if (inPlace) {
            fill += view.byteLength
            if (fill === cap) seal()
          } else {
            pending.push(Buffer.from(view.buffer, view.byteOffset, view.byteLength))
            drain()
          }
          pump()
          // every slot taken: wait for a write (drain wakes the source)
          waiting = pending.length > 0 || inUse[cur]!
          return !waiting
        },
        end: (err) => {
          if (ended) return
          ended = true
          if (err) streamError ??= err
          pump()
        },
      })
      if (hooks.signal.aborted) onAbort()
      return
    }
    wake = () => {
      if (src.isPaused()) src.resume()
    }
    src.on('data', (b: Buffer) => {
      if (writeError) return
      hooks.bytes(b.length)
      h.take(b)
      pending.push(b)
      drain()
      // every slot taken: wait for a write
      if (pending.length) src.pause()
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
