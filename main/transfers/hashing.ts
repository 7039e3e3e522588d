/**
 * Hashing while streaming: a pass-through Transform that feeds every chunk to md5 and sha512 (Glance's `checksum`
 * and default `os_hash_value`) and counts bytes, in the same read pass as the transfer. It also checks an abort
 * signal on every chunk (rclone-style accounting reader).
 */
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'

import { HASH_CHUNK as CHUNK } from './tuning'

export { HASH_CHUNK as CHUNK } from './tuning'

export interface Digests {
  md5: string
  sha512: string
  bytes: number
}

export class HashTap extends Transform {
  private readonly md5: Hash = createHash('md5')
  private readonly sha512: Hash = createHash('sha512')
  bytes = 0

  constructor(private readonly onBytes?: (n: number) => void) {
    super({ readableHighWaterMark: CHUNK, writableHighWaterMark: CHUNK })
  }

  /** Hash bytes that are not streamed through (a resumed download's existing prefix). */
  feed(chunk: Buffer): void {
    this.md5.update(chunk)
    this.sha512.update(chunk)
    this.bytes += chunk.length
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.md5.update(chunk)
    this.sha512.update(chunk)
    this.bytes += chunk.length
    this.onBytes?.(chunk.length)
    cb(null, chunk)
  }

  digests(): Digests {
    return { md5: this.md5.digest('hex'), sha512: this.sha512.digest('hex'), bytes: this.bytes }
  }
}

/**
 * Hashes a file (or its first `limit` bytes) into `tap` without streaming it anywhere. With `file`, that open handle is
 * read from its start (and left open), not `path`: the very file that was sent, whatever the path names now.
 */
export async function hashFileInto(
  path: string,
  tap: HashTap,
  opts: { limit?: number; signal?: AbortSignal; onBytes?: (n: number) => void; file?: FileHandle } = {},
): Promise<void> {
  const range = { highWaterMark: CHUNK, ...(opts.limit !== undefined ? { end: opts.limit - 1 } : {}) }
  const src = opts.file ? opts.file.createReadStream({ ...range, start: 0, autoClose: false }) : createReadStream(path, range)
  if (opts.limit === 0) {
    src.destroy()
    return
  }
  await pipeline(
    src,
    new Writable({
      highWaterMark: CHUNK,
      write(chunk: Buffer, _e, cb) {
        tap.feed(chunk)
        opts.onBytes?.(chunk.length)
        cb()
      },
    }),
    opts.signal ? { signal: opts.signal } : {},
  )
}

export async function hashFile(path: string, opts: { signal?: AbortSignal; onBytes?: (n: number) => void; file?: FileHandle } = {}): Promise<Digests> {
  const tap = new HashTap()
  await hashFileInto(path, tap, opts)
  return tap.digests()
}
