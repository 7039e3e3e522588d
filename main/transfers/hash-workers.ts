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
import { Worker } from 'node:worker_threads'

export type HashAlgo = 'md5' | 'sha512'

export interface PartialDigests {
  md5?: string
  sha512?: string
  bytes: number
}

// Worker code: on Linux a thread's own priority can be lowered (setpriority on its thread id); `workerData.nice`.
const LOWER_PRIORITY = `if (workerData.nice) {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop())
    require('node:os').setPriority(tid, workerData.nice)
  } catch {}
}`

// CommonJS: an eval worker is a script with `require`. Messages: [seq, buffer, offset, length] to hash, 'digest' to end.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const hs = workerData.algos.map((a) => createHash(a))
${LOWER_PRIORITY}
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
   * `threads`: 'one' (default: all algorithms in one worker) or 'per-algo' (md5 and sha512 on two cores; env
   * `GD_HASH_THREADS=per-algo`). One thread hashes md5+sha512 at ~340 MiB/s, as fast as Glance itself can take an
   * upload (it computes the same two hashes in one Python thread), and leaves the other core free: measured against
   * the loopback Glance on 2 cores, 'one' finished uploads ~12% sooner (median 6.2 s vs 7.0 s per GiB, curl 6.0 s).
   * 'per-algo' only pays off against a server that ingests faster than that (bench: the discard sink). Uploads now
   * hash sha512 alone (upload.ts STREAM_ALGOS), so the choice only matters to a caller that asks for two algorithms.
   */
  constructor(
    readonly algos: readonly HashAlgo[] = ['md5', 'sha512'],
    threads: 'per-algo' | 'one' = (process.env.GD_HASH_THREADS as 'per-algo' | undefined) ?? 'one',
  ) {
    if (!algos.length) throw new Error('WorkerHasher: no algorithm')
    const groups = threads === 'one' ? [[...algos]] : algos.map((a) => [a])
    for (const group of groups) {
      const algo = group.join('+')
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algos: group, nice: hashNice() } })
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

/** The one WebAssembly API used (the node lib has no WebAssembly types): a shared, fixed-size memory. */
interface SharedWasmMemoryCtor {
  new (d: { initial: number; maximum: number; shared: true }): { buffer: SharedArrayBuffer }
}
const WASM_PAGE = 65536
/** The alignment O_DIRECT needs of buffers (as DIRECT_ALIGN in tuning.ts). */
const PAGE = 4096

/**
 * `bytes` of shared memory, page-aligned when `bytes` is a multiple of 64 KiB: a shared WebAssembly.Memory is a
 * SharedArrayBuffer whose backing store is mapped pages (a plain SharedArrayBuffer's comes from malloc, 16 bytes past
 * a page boundary), so that O_DIRECT can read into it (hashed-source.ts).
 */
function sharedMemory(bytes: number): { sab: SharedArrayBuffer; aligned: boolean } {
  if (bytes > 0 && bytes % WASM_PAGE === 0) {
    try {
      const Memory = (globalThis as unknown as { WebAssembly: { Memory: SharedWasmMemoryCtor } }).WebAssembly.Memory
      const pages = bytes / WASM_PAGE
      return { sab: new Memory({ initial: pages, maximum: pages, shared: true }).buffer, aligned: true }
    } catch {
      // no shared wasm memory here: the plain kind (buffered reads)
    }
  }
  return { sab: new SharedArrayBuffer(bytes), aligned: false }
}

/**
 * A fixed set of equal slots in one SharedArrayBuffer: the memory a transfer reads into, hands to the hashing
 * workers and to the socket or file, and reuses once all of them are done. `acquire()` waits for a free slot: that
 * wait is the back-pressure, and memory stays at `count * size` whatever the file size.
 */
export class SlotRing {
  private readonly sab: SharedArrayBuffer
  /** Every slot starts on a page boundary (O_DIRECT can read into it). */
  readonly aligned: boolean
  private readonly free: number[] = []
  private readonly waiters: ((i: number) => void)[] = []

  constructor(
    readonly count: number,
    readonly size: number,
  ) {
    const m = sharedMemory(count * size)
    this.sab = m.sab
    this.aligned = m.aligned && size % PAGE === 0
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
 * The scheduling priority of hashing threads (Linux `nice`, 0-19; `GD_HASH_NICE`, default 0). Raising it makes
 * hashing yield to other work on a busy machine (for instance a Glance on the same host) at the price of
 * finishing later when the machine is loaded.
 */
export function hashNice(): number {
  const n = Number(process.env.GD_HASH_NICE ?? 0)
  return Number.isInteger(n) && n > 0 && n < 20 ? n : 0
}
