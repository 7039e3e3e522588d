/**
 * The body of a streamed copy: the source Glance's download response written into the target Glance's upload
 * request as it arrives (no temporary file), md5 + sha512 computed on the way by the transfer engine's hashing
 * worker (main/transfers/hash-workers.ts: one thread, off the I/O thread).
 *
 * Memory is bounded whatever the size: the socket chunks are written to the request as they are (no copy) and
 * copied once into a ring of shared slots that the worker hashes in place (no second copy, one message per 4 MiB);
 * the source is paused while more than COPY_INFLIGHT bytes wait for the target's socket or while every slot waits
 * for the hasher. So the slower of the two Glances sets the pace and nothing piles up.
 *
 * Two ways to consume it, as HashedFileBody (main/transfers/hashed-source.ts): `writeInto(out)` (the HTTP layer's
 * DirectBody path) or as an ordinary Readable (pipe, test doubles).
 */
import { Readable, type Writable } from 'node:stream'
import { reasonError } from '../../preload/rules/messages'
import { SlotRing, WorkerHasher, type PartialDigests } from '../transfers/hash-workers'

/** Bytes written to the target and not yet taken by its socket before the source is paused. */
export const COPY_INFLIGHT = 8 * 1024 * 1024
const SLOT = 4 * 1024 * 1024
const SLOTS = 3

export class HashedStreamBody extends Readable {
  readonly hasher = new WorkerHasher(['md5', 'sha512'])
  private readonly ring = new SlotRing(SLOTS, SLOT)
  private slot = -1
  private fill = 0
  private waitingSlot = false
  private inflight = 0
  /** Bytes received from the source. */
  received = 0
  private mode: 'none' | 'stream' | 'direct' = 'none'
  private out: Writable | null = null
  private srcEnded = false

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

  /** The digests of everything received (after the end). */
  async digests(): Promise<PartialDigests> {
    return this.hasher.digest()
  }

  dispose(): void {
    this.hasher.destroy()
    if (!this.src.destroyed) this.src.destroy()
    if (!this.destroyed) this.destroy()
  }

  /** DirectBody: writes the source into `out` and ends it. */
  writeInto(out: Writable): void {
    if (this.mode !== 'none') throw new Error('HashedStreamBody: consumed twice')
    this.mode = 'direct'
    this.out = out
    this.src.on('data', (b: Buffer) => this.chunk(b))
    this.src.on('end', () => void this.end())
    this.src.resume()
  }

  override _read(): void {
    if (this.mode === 'direct') return
    if (this.mode === 'none') {
      this.mode = 'stream'
      this.src.on('data', (b: Buffer) => this.chunk(b))
      this.src.on('end', () => void this.end())
    }
    this.wanted = true
    this.maybeResume()
  }

  /** Stream mode: the consumer asked for more (`_read`) and no push was refused since. */
  private wanted = false

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (err) this.hasher.destroy(err)
    if (!this.src.destroyed) this.src.destroy()
    cb(err)
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
    // 1. to the target, as it is
    this.inflight += b.length
    if (this.mode === 'direct') {
      this.out!.write(b, (err) => {
        this.inflight -= b.length
        if (!err) this.onBytes(b.length)
        this.maybeResume()
      })
    } else {
      this.inflight -= b.length
      this.onBytes(b.length)
      if (!this.push(b)) {
        this.wanted = false
        this.src.pause()
      }
    }
    // 2. into the hashing slots
    this.hashPart(b)
    if (this.inflight >= COPY_INFLIGHT) this.src.pause()
  }

  /** Chunks that wait (in order) for a free slot. */
  private held: Buffer[] = []

  private hashPart(b: Buffer): void {
    if (this.waitingSlot) {
      this.held.push(b)
      return
    }
    const taken = this.copyIn(b)
    if (taken === b.length) return
    // every slot is being hashed: the rest waits until one is free, and the source pauses
    this.waitingSlot = true
    this.src.pause()
    this.held.unshift(b.subarray(taken))
    void this.ring.acquire().then((s) => {
      this.slot = s
      this.fill = 0
      this.waitingSlot = false
      for (const x of this.held.splice(0)) this.hashPart(x)
      if (this.waitingSlot) return
      if (this.srcEnded) void this.end()
      else this.maybeResume()
    })
  }

  /** Copies as much of `b` as fits into the current slot; submits the slot when full. Returns the bytes taken. */
  private copyIn(b: Buffer): number {
    let off = 0
    while (off < b.length) {
      if (this.slot < 0) {
        const s = this.ring.tryAcquire()
        if (s === undefined) return off
        this.slot = s
        this.fill = 0
      }
      const n = Math.min(SLOT - this.fill, b.length - off)
      b.copy(this.ring.slot(this.slot), this.fill, off, off + n)
      this.fill += n
      off += n
      if (this.fill === SLOT) this.submit()
    }
    return off
  }

  private submit(): void {
    if (this.slot < 0 || this.fill === 0) return
    const i = this.slot
    const view = this.ring.slot(i).subarray(0, this.fill)
    this.slot = -1
    this.fill = 0
    this.hasher.update(view).then(
      () => {
        this.ring.release(i)
        this.maybeResume()
      },
      (e: unknown) => this.fail(e),
    )
  }

  private maybeResume(): void {
    if (this.destroyed || this.srcEnded || this.waitingSlot) return
    if (this.inflight < COPY_INFLIGHT && this.src.isPaused() && (this.mode === 'direct' || this.wanted)) this.src.resume()
  }

  private async end(): Promise<void> {
    this.srcEnded = true
    if (this.waitingSlot || this.destroyed) return
    if (this.received !== this.size) {
      this.fail(
        reasonError('NETWORK', 'copyShortRead', { received: this.received, size: this.size }, `The source sent ${this.received} of ${this.size} bytes.`, {
          retryable: true,
        }),
      )
      return
    }
    this.submit()
    if (this.mode === 'direct') this.out!.end()
    else this.push(null)
  }
}
