/**
 * A download's hash, computed on the thread that holds the bytes: each chunk is hashed as it arrives from the socket,
 * before it is queued for the disk, so no byte is read back from the file and none crosses threads (issue 16: the
 * worker that re-read the `.part` behind the writes cost a second pass over every byte, ~0.3-0.5 CPU s per GiB, plus
 * a thread woken per write).
 *
 * A resumed download's kept prefix is the exception: it is read back from the part file first (in order, 1 MiB at a
 * time, without blocking the data that keeps arriving), and so is whatever arrives while the prefix is being hashed
 * (it is in the file by then, or soon: `wrote()` says how far the file goes). Once the hash has caught up with every
 * byte received, it goes on with the chunks themselves. The digest is the hash of the file's bytes in file order.
 */
import { createHash, type Hash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import type { HashAlgo, PartialDigests } from './hash-workers'
import { TAIL_HASH_CHUNK } from './tuning'

export class ReceiveHasher {
  private readonly hashes: Hash[]
  /** Bytes of the file so far: the kept prefix plus every chunk taken. */
  private received: number
  /** Bytes known to be in the file. */
  private onDisk: number
  /** Bytes hashed (a prefix of the file). */
  private pos = 0
  private reading = false
  private buf: Buffer | null = null
  private failure: Error | null = null
  private finishing = false
  private done: Promise<PartialDigests> | null = null
  private settle: { resolve: (d: PartialDigests) => void; reject: (e: Error) => void } | null = null

  /**
   * `fh`: the part file, readable when `start` > 0 (its first `start` bytes are hashed from it); `start`: the bytes
   * already in it.
   */
  constructor(
    private readonly fh: FileHandle,
    readonly algos: readonly HashAlgo[],
    start = 0,
    private readonly chunk = TAIL_HASH_CHUNK,
  ) {
    if (!algos.length) throw new Error('ReceiveHasher: no algorithm')
    this.hashes = algos.map((a) => createHash(a))
    this.received = start
    this.onDisk = start
    this.kick()
  }

  /** Bytes hashed so far. */
  get hashed(): number {
    return this.pos
  }

  /** A chunk received, to be appended to the file after everything taken before it. */
  take(b: Uint8Array): void {
    if (this.failure || this.finishing) return
    const caughtUp = this.pos === this.received
    this.received += b.byteLength
    if (caughtUp) {
      for (const h of this.hashes) h.update(b)
      this.pos += b.byteLength
    }
  }

  /** `n` more bytes are in the file. */
  wrote(n: number): void {
    if (n <= 0) return
    this.onDisk += n
    this.kick()
  }

  /**
   * Nothing more will be taken; every byte taken is in the file (`wrote`). Resolves with the digests of the whole
   * file once the hash has caught up (at once when it had).
   */
  finish(): Promise<PartialDigests> {
    this.finishing = true
    this.done ??= new Promise<PartialDigests>((resolve, reject) => {
      this.settle = { resolve, reject }
    })
    this.kick()
    return this.done
  }

  /** Stops (cancel, error): a pending or later finish() rejects. Safe to call more than once and after finish(). */
  destroy(reason: Error = new Error('Hashing was stopped.')): void {
    this.fail(reason)
  }

  private kick(): void {
    if (this.reading || this.failure) return
    if (this.pos < this.onDisk && this.pos < this.received) {
      this.readBack()
      return
    }
    if (!this.finishing || !this.settle) return
    if (this.pos < this.received) {
      this.fail(new Error(`the part file holds ${this.onDisk} of the ${this.received} bytes received`))
      return
    }
    const out: PartialDigests = { bytes: this.pos }
    this.algos.forEach((a, i) => (out[a] = this.hashes[i]!.digest('hex')))
    const { resolve } = this.settle
    this.settle = null
    this.failure = new Error('ReceiveHasher: finished')
    resolve(out)
  }

  /** Hashes the next stretch of the file that is on disk but not hashed yet (the kept prefix, or what came meanwhile). */
  private readBack(): void {
    this.reading = true
    const buf = (this.buf ??= Buffer.allocUnsafe(this.chunk))
    const want = Math.min(buf.length, this.onDisk - this.pos, this.received - this.pos)
    this.fh.read(buf, 0, want, this.pos).then(
      ({ bytesRead }) => {
        this.reading = false
        if (this.failure) return
        if (bytesRead <= 0) {
          this.fail(new Error(`the file is shorter (${this.pos} bytes) than what was written (${this.onDisk})`))
          return
        }
        const v = buf.subarray(0, bytesRead)
        for (const h of this.hashes) h.update(v)
        this.pos += bytesRead
        if (this.pos >= this.received) this.buf = null // caught up: the chunks are hashed as they come now
        this.kick()
      },
      (e: unknown) => {
        this.reading = false
        this.fail(e instanceof Error ? e : new Error(String(e)))
      },
    )
  }

  private fail(e: Error): void {
    if (this.failure) return
    this.failure = e
    this.buf = null
    const s = this.settle
    this.settle = null
    if (s) s.reject(e)
    else if (!this.done) {
      // finish() not called yet: it will reject with this
      this.done = Promise.reject(e)
      this.done.catch(() => {})
    }
  }
}
