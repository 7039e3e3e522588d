/**
 * Hashing off the I/O thread: one worker thread per algorithm (md5 and sha512 run in parallel on separate cores),
 * fed in order with views of the caller's buffers. Views over a SharedArrayBuffer are shared with the workers (no
 * copy); any other view is copied into the message. Each `update()` resolves once every worker has hashed the bytes,
 * which is when the caller may reuse the memory. Messages on a port are delivered in order, so the digests equal a
 * one-pass hash of the concatenated chunks.
 *
 * The worker is created from a code string (`eval: true`): no separate file to build, so it works the same in the
 * Electron main bundle, the CLI and harness bundles (vite) and under vitest.
 */
import { open } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'

export type HashAlgo = 'md5' | 'sha512'

export interface PartialDigests {
  md5?: string
  sha512?: string
  bytes: number
}

// CommonJS: an eval worker is a script with `require`. Messages: [seq, buffer, offset, length] to hash, 'digest' to end.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const hs = workerData.algos.map((a) => createHash(a))
parentPort.on('message', (m) => {
  if (m === 'digest') {
    parentPort.postMessage({ digest: hs.map((h) => h.digest('hex')) })
    return
  }
  const v = new Uint8Array(m[1], m[2], m[3])
  for (const h of hs) h.update(v)
  parentPort.postMessage(m[0])
})
`

interface Pending {
  left: number
  resolve: () => void
  reject: (e: Error) => void
}

export class WorkerHasher {
  private readonly workers: { algos: HashAlgo[]; worker: Worker }[] = []
  private readonly pending = new Map<number, Pending>()
  private seq = 0
  private failure: Error | null = null
  private finished = false
  /** Bytes submitted so far. */
  bytes = 0

  /**
   * `threads`: 'per-algo' (default: md5 and sha512 on two cores) or 'one' (all algorithms in one worker: fewer runnable
   * threads, which leaves more CPU to a server on the same machine).
   */
  constructor(
    readonly algos: readonly HashAlgo[] = ['md5', 'sha512'],
    threads: 'per-algo' | 'one' = (process.env.GD_HASH_THREADS as 'one' | undefined) ?? 'per-algo',
  ) {
    if (!algos.length) throw new Error('WorkerHasher: no algorithm')
    const groups = threads === 'one' ? [[...algos]] : algos.map((a) => [a])
    for (const group of groups) {
      const algo = group.join('+')
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algos: group } })
      // Referenced only while work is outstanding: an idle hasher that was never destroyed cannot hold the process.
      worker.unref()
      worker.on('message', (m: unknown) => {
        if (typeof m === 'number') this.ack(m)
      })
      worker.on('error', (e) => this.fail(e instanceof Error ? e : new Error(String(e))))
      worker.on('exit', (code) => {
        if (!this.finished) this.fail(new Error(`The ${algo} hashing worker stopped (exit code ${code}).`))
      })
      this.workers.push({ algos: group, worker })
    }
  }

  /** The first failure (a worker crashed or was stopped), if any. */
  get error(): Error | null {
    return this.failure
  }

  /**
   * Hashes `view` after everything submitted before it. Resolves when every worker is done with it (then the
   * memory may be reused); rejects when a worker fails.
   */
  update(view: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (this.finished) return Promise.reject(new Error('WorkerHasher: update after digest'))
    const seq = ++this.seq
    this.bytes += view.byteLength
    const shared = view.buffer instanceof SharedArrayBuffer
    const msg = shared ? [seq, view.buffer, view.byteOffset, view.byteLength] : null
    return (this.last = new Promise<void>((resolve, reject) => {
      this.pending.set(seq, { left: this.workers.length, resolve, reject })
      this.setRef(true)
      for (const { worker } of this.workers) {
        if (msg) worker.postMessage(msg)
        else {
          // a copy per worker (Buffer#slice would share, and transferring would detach, the caller's memory)
          const copy = new Uint8Array(view.byteLength)
          copy.set(view)
          worker.postMessage([seq, copy.buffer, 0, view.byteLength], [copy.buffer])
        }
      }
    }))
  }

  private last: Promise<void> = Promise.resolve()

  /** Resolves when everything submitted so far was hashed (or the hasher failed: see `error`). */
  drained(): Promise<void> {
    return this.last.catch(() => {})
  }

  /** The digests of everything submitted (hex); the workers are stopped afterwards. */
  async digest(): Promise<PartialDigests> {
    if (this.failure) throw this.failure
    if (this.finished || this.digesting) throw new Error('WorkerHasher: digest called twice')
    this.digesting = true
    this.setRef(true)
    const results = await Promise.all(
      this.workers.map(
        ({ worker }) =>
          new Promise<string[]>((resolve, reject) => {
            const onMessage = (m: unknown): void => {
              if (m && typeof m === 'object' && 'digest' in m) {
                worker.off('message', onMessage)
                resolve((m as { digest: string[] }).digest)
              }
            }
            worker.on('message', onMessage)
            this.onFail.push(reject)
            worker.postMessage('digest')
          }),
      ),
    )
    this.finished = true
    this.terminate()
    const out: PartialDigests = { bytes: this.bytes }
    this.workers.forEach(({ algos }, i) => algos.forEach((a, j) => (out[a] = results[i]![j]!)))
    return out
  }

  /** Stops the workers (cancel); pending and later calls reject. Safe to call more than once. */
  destroy(reason: Error = new Error('Hashing was stopped.')): void {
    if (!this.finished) this.fail(reason)
    this.finished = true
    this.terminate()
  }

  /** Whether the workers were asked to stop (for tests). */
  get stopped(): boolean {
    return this.terminated
  }

  private terminated = false
  private digesting = false
  private referenced = false

  private setRef(on: boolean): void {
    if (on === this.referenced || this.terminated) return
    this.referenced = on
    for (const { worker } of this.workers) {
      if (on) worker.ref()
      else worker.unref()
    }
  }
  private readonly onFail: ((e: Error) => void)[] = []

  private terminate(): void {
    if (this.terminated) return
    this.terminated = true
    for (const { worker } of this.workers) void worker.terminate()
  }

  private ack(seq: number): void {
    const p = this.pending.get(seq)
    if (!p) return
    if (--p.left === 0) {
      this.pending.delete(seq)
      if (!this.pending.size && !this.digesting) this.setRef(false)
      p.resolve()
    }
  }

  private fail(e: Error): void {
    if (this.failure) return
    this.failure = e
    for (const p of this.pending.values()) p.reject(e)
    this.pending.clear()
    for (const r of this.onFail.splice(0)) r(e)
    this.terminate()
  }
}

/**
 * A fixed set of equal slots in one SharedArrayBuffer: the memory a transfer reads into, hands to the hashing
 * workers and to the socket or file, and reuses once all of them are done. `acquire()` waits for a free slot: that
 * wait is the back-pressure, and memory stays at `count * size` whatever the file size.
 */
export class SlotRing {
  private readonly sab: SharedArrayBuffer
  private readonly free: number[] = []
  private readonly waiters: ((i: number) => void)[] = []

  constructor(
    readonly count: number,
    readonly size: number,
  ) {
    this.sab = new SharedArrayBuffer(count * size)
    for (let i = 0; i < count; i++) this.free.push(i)
  }

  /** A Buffer over slot `i` (shared memory). */
  slot(i: number): Buffer {
    return Buffer.from(this.sab, i * this.size, this.size)
  }

  get available(): number {
    return this.free.length
  }

  /** A free slot now, or undefined. */
  tryAcquire(): number | undefined {
    return this.free.pop()
  }

  acquire(): Promise<number> {
    const i = this.free.pop()
    if (i !== undefined) return Promise.resolve(i)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  release(i: number): void {
    const w = this.waiters.shift()
    if (w) w(i)
    else this.free.push(i)
  }
}

/**
 * Feeds a file (or its first `limit` bytes) to `hasher`, read in `slotSize` chunks into a small shared ring (a
 * resumed download's existing prefix, a draft's precomputed hash).
 */
export async function hashFileInto(
  hasher: WorkerHasher,
  path: string,
  opts: { limit?: number; signal?: AbortSignal; onBytes?: (n: number) => void; slotSize?: number } = {},
): Promise<void> {
  const ring = new SlotRing(3, opts.slotSize ?? 4 * 1024 * 1024)
  const fh = await open(path, 'r')
  try {
    const limit = opts.limit ?? (await fh.stat()).size
    let pos = 0
    while (pos < limit) {
      opts.signal?.throwIfAborted()
      if (hasher.error) throw hasher.error
      const i = await ring.acquire()
      const buf = ring.slot(i)
      const { bytesRead } = await fh.read(buf, 0, Math.min(ring.size, limit - pos), pos)
      if (!bytesRead) {
        ring.release(i)
        break
      }
      pos += bytesRead
      opts.onBytes?.(bytesRead)
      hasher.update(buf.subarray(0, bytesRead)).then(
        () => ring.release(i),
        () => ring.release(i),
      )
    }
    await hasher.drained()
    if (hasher.error) throw hasher.error
  } finally {
    await fh.close()
  }
}
