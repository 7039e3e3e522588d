/**
 * The body of a streamed copy: the source Glance's download response written into the target Glance's upload
 * request as it arrives (no temporary file), md5 + sha512 updated on the same socket chunks, in this thread.
 *
 * Why in this thread and not on the transfer engine's hashing worker (main/transfers/hash-workers.ts): a worker
 * needs every chunk copied into memory it can see (the socket's buffers cannot be shared or transferred: Node still
 * holds them), an isolate of its own and a ring of slots. Measured on the loopback copy (bench/RESULTS.md, copy
 * section of 2026-12-02): the worker version spent as much CPU per GiB plus the copy and ~24 MiB more peak RSS (the
 * isolate ~12 MiB, 3 x 4 MiB slots), and on a 2-core machine where both Glances run, total CPU, not parallelism,
 * sets the pace. One 64 KiB chunk costs ~0.2 ms of md5 + sha512, so the event loop keeps answering between chunks.
 *
 * Memory is bounded whatever the size: the chunks are written to the request as they are (no copy, no buffer of
 * ours) and the source is paused while more than COPY_INFLIGHT bytes wait for the target's socket (or, piped, while
 * the consumer refuses more). So the slower of the two Glances sets the pace and nothing piles up.
 *
 * Two ways to consume it, as HashedFileBody (main/transfers/hashed-source.ts): `writeInto(out)` (the HTTP layer's
 * DirectBody path) or as an ordinary Readable (pipe, test doubles).
 */
import { createHash, type Hash } from 'node:crypto'
import { Readable, type Writable } from 'node:stream'
import { reasonError } from '../../preload/rules/messages'
import type { PartialDigests } from '../transfers/hash-workers'

/**
 * Bytes written to the target and not yet taken by its socket before the source is paused. Small on purpose: the
 * kernel's socket buffers already absorb the target's jitter, and a chunk that waits here long enough to survive
 * two scavenges is promoted with its 64 KiB off-heap buffer, which then only a full mark-compact frees. Measured
 * (256 MiB, GET -> this body -> PUT on the loopback cloud, --trace-gc): 4 MiB in flight, 19 mark-compacts and
 * 6.9 CPU s/GiB; 1 MiB, 1 mark-compact and 4.8-5.5 CPU s/GiB; 256 KiB, as few GCs but more pause/resume
 * (5.9-6.0).
 */
export const COPY_INFLIGHT = 1024 * 1024

export class HashedStreamBody extends Readable {
  private readonly md5: Hash = createHash('md5')
  private readonly sha512: Hash = createHash('sha512')
  private result: PartialDigests | null = null
  private inflight = 0
  /** Bytes received from the source. */
  received = 0
  private mode: 'none' | 'stream' | 'direct' = 'none'
  private out: Writable | null = null
  private srcEnded = false
  /** Stream mode: the consumer asked for more (`_read`) and no push was refused since. */
  private wanted = false
  /** Direct mode: the sizes of the writes not yet taken (a Writable calls back in order: one callback for all). */
  private readonly lengths: number[] = []

  constructor(
    private readonly src: Readable,
    readonly size: number,
    private readonly onBytes: (n: number) => void = () => {},
  ) {
    super({ highWaterMark: 1 })
    src.pause()
    src.on('error', (e) => this.fail(e))
    src.on('close', () => {
      if (!this.srcEnded)
        this.fail(reasonError('NETWORK', 'copySourceStopped', {}, 'The source stopped sending before the end of the image.', { retryable: true }))
    })
  }

  private readonly written = (err?: Error | null): void => {
    const n = this.lengths.shift() ?? 0
    this.inflight -= n
    if (!err) this.onBytes(n)
    this.maybeResume()
  }

  /** The digests of everything received (after the end). */
  async digests(): Promise<PartialDigests> {
    if (!this.result) throw new Error('HashedStreamBody: digests before the end of the source')
    return this.result
  }

  dispose(): void {
    if (!this.src.destroyed) this.src.destroy()
    if (!this.destroyed) this.destroy()
  }

  /** DirectBody: writes the source into `out` and ends it. */
  writeInto(out: Writable): void {
    if (this.mode !== 'none') throw new Error('HashedStreamBody: consumed twice')
    this.mode = 'direct'
    this.out = out
    this.listen()
    this.src.resume()
  }

  override _read(): void {
    if (this.mode === 'direct') return
    if (this.mode === 'none') {
      this.mode = 'stream'
      this.listen()
    }
    this.wanted = true
    this.maybeResume()
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.src.destroyed) this.src.destroy()
    cb(err)
  }

  private listen(): void {
    this.src.on('data', (b: Buffer) => this.chunk(b))
    this.src.on('end', () => this.end())
  }

  private fail(e: unknown): void {
    if (this.destroyed) return
    this.destroy(e instanceof Error ? e : new Error(String(e)))
  }

  private chunk(b: Buffer): void {
    if (this.destroyed) return
    this.received += b.length
    if (this.received > this.size) {
      this.fail(
        reasonError('HASH_MISMATCH', 'copyTooLong', { size: this.size }, `The source sent more than the image's ${this.size} bytes.`, { retryable: false }),
      )
      return
    }
    // 1. to the target, as it is (the socket copies it; hashing below reads the same memory)
    if (this.mode === 'direct') {
      this.inflight += b.length
      this.lengths.push(b.length)
      this.out!.write(b, this.written)
      if (this.inflight >= COPY_INFLIGHT) this.src.pause()
    } else {
      this.onBytes(b.length)
      if (!this.push(b)) {
        this.wanted = false
        this.src.pause()
      }
    }
    // 2. the hashes, on the same chunk
    this.md5.update(b)
    this.sha512.update(b)
  }

  private maybeResume(): void {
    if (this.destroyed || this.srcEnded) return
    if (this.inflight < COPY_INFLIGHT && this.src.isPaused() && (this.mode === 'direct' || this.wanted)) this.src.resume()
  }

  private end(): void {
    this.srcEnded = true
    if (this.destroyed) return
    if (this.received !== this.size) {
      this.fail(
        reasonError('NETWORK', 'copyShortRead', { received: this.received, size: this.size }, `The source sent ${this.received} of ${this.size} bytes.`, {
          retryable: true,
        }),
      )
      return
    }
    this.result = { md5: this.md5.digest('hex'), sha512: this.sha512.digest('hex'), bytes: this.received }
    if (this.mode === 'direct') this.out!.end()
    else this.push(null)
  }
}
