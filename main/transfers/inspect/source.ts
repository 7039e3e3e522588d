/**
 * The inspector reads through a `ByteSource`: bounded positional reads, so the SAME code inspects
 * - a file (positional reads on a file handle: a 64 GiB sparse file costs a few small reads), and
 * - the bytes of an upload as they are streamed: `StreamCapture` keeps only the regions the inspector read when the
 *   attempt started (a `RecordingSource` lists them), filled from the very chunks that are sent; the inspector is then
 *   run again over those captured bytes. A read outside the captured regions means the streamed bytes led the
 *   inspector somewhere else than the file did: `NotCaptured`, i.e. the verdict differs.
 *
 *   source            | read(pos, len) returns
 *   ------------------|--------------------------------------------------------------------------------
 *   handleSource      | the file's bytes (fewer at the end of the file)
 *   RecordingSource   | the inner source's bytes; remembers [pos, pos + len) clamped to the size
 *   StreamCapture     | the streamed bytes of a captured region; NotCaptured for anything else
 */
import type { FileHandle } from 'node:fs/promises'

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number
  /** Up to `len` bytes at `pos` (fewer at the end, none past it). */
  read(pos: number, len: number): Promise<Buffer>
}

/** What the inspector may keep of a stream in total (the largest single region is a 1 MiB vmdk descriptor). */
export const MAX_CAPTURE = 4 * 1024 * 1024

export function handleSource(fh: FileHandle, size: number): ByteSource {
  return {
    size,
    async read(pos, len) {
      const n = Math.max(0, Math.min(len, size - pos))
      const buf = Buffer.alloc(n)
      let got = 0
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, pos + got)
        if (!bytesRead) break
        got += bytesRead
      }
      return buf.subarray(0, got)
    },
  }
}

/** An in-memory source (tests, and small buffers). */
export function bufferSource(b: Buffer): ByteSource {
  return { size: b.length, read: (pos, len) => Promise.resolve(b.subarray(Math.min(pos, b.length), Math.min(b.length, pos + len))) }
}

export type Region = readonly [start: number, end: number]

/** Merges overlapping or touching [start, end) regions, sorted. */
export function mergeRegions(rs: Region[]): Region[] {
  const sorted = [...rs].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0])
  const out: [number, number][] = []
  for (const [a, b] of sorted) {
    const last = out[out.length - 1]
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else out.push([a, b])
  }
  return out
}

export class RecordingSource implements ByteSource {
  private readonly seen: Region[] = []
  constructor(private readonly inner: ByteSource) {}
  get size(): number {
    return this.inner.size
  }
  read(pos: number, len: number): Promise<Buffer> {
    this.seen.push([Math.max(0, pos), Math.min(this.inner.size, pos + len)])
    return this.inner.read(pos, len)
  }
  regions(): Region[] {
    return mergeRegions(this.seen)
  }
}

export class NotCaptured extends Error {
  constructor(
    readonly pos: number,
    readonly len: number,
  ) {
    super(`bytes ${pos}..${pos + len} were not captured from the stream`)
  }
}

/** Keeps the bytes of `regions` as chunks stream past (`feed`), and serves them back as a ByteSource. */
export class StreamCapture implements ByteSource {
  private readonly parts: { start: number; end: number; data: Buffer; filled: number }[]
  constructor(
    regions: Region[],
    readonly size: number,
  ) {
    const merged = mergeRegions(regions.map(([a, b]) => [a, Math.min(b, size)] as const))
    const total = merged.reduce((n, [a, b]) => n + (b - a), 0)
    if (total > MAX_CAPTURE) throw new Error(`inspection regions too large to capture (${total} bytes)`)
    this.parts = merged.map(([start, end]) => ({ start, end, data: Buffer.alloc(end - start), filled: 0 }))
  }

  /** Bytes kept. */
  get bytes(): number {
    return this.parts.reduce((n, p) => n + p.data.length, 0)
  }

  /** A chunk of the stream that starts at `pos`. */
  feed(pos: number, chunk: Uint8Array): void {
    const end = pos + chunk.length
    for (const p of this.parts) {
      if (p.end <= pos || p.start >= end) continue
      const a = Math.max(p.start, pos)
      const b = Math.min(p.end, end)
      p.data.set(chunk.subarray(a - pos, b - pos), a - p.start)
      p.filled += b - a
    }
  }

  read(pos: number, len: number): Promise<Buffer> {
    const n = Math.max(0, Math.min(len, this.size - pos))
    if (n === 0) return Promise.resolve(Buffer.alloc(0))
    const p = this.parts.find((q) => q.start <= pos && pos + n <= q.end)
    if (!p || p.filled < p.data.length) return Promise.reject(new NotCaptured(pos, n))
    return Promise.resolve(p.data.subarray(pos - p.start, pos - p.start + n))
  }
}
