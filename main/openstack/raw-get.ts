/**
 * A GET whose response body is read by the socket straight into memory the consumer provides (net/tls `onread`),
 * for image downloads (issue 16). Hand-written, and kept to what it must do, because nothing maintained does this:
 * node:http's parser copies every body chunk into a new Buffer (llhttp on_body -> Buffer::Copy, ~9% of a 1 GiB
 * download's CPU in perf, plus a 64 KiB allocation, page faults and a trip through the stream machinery per chunk),
 * and undici measured slower than node:http here (bench/RESULTS.md). With `onread` each read(2) lands in the
 * download's own page-aligned write slots (direct-write.ts), up to a slot at a time: the bytes are copied once, by
 * the kernel, then hashed and written from where they landed.
 *
 * Scope: one request, `Connection: close`, no proxy (the caller checks), http or https with the caller's TLS options.
 * It parses the status line and headers of one response and takes only a body framed by Content-Length:
 *   - 200/206 with a Content-Length: `kind: 'body'`, the body as a RawBody (a Readable, or `readInto` a sink);
 *   - any other status with a Content-Length up to `maxErrorBody`: `kind: 'error'`, its text (the caller maps it);
 *   - anything else (chunked, no length, 1xx, a head it cannot parse strictly, or larger than 64 KiB):
 *     `kind: 'unsupported'`, nothing handed out, the connection closed: the caller asks again through node:http,
 *     which answers or fails exactly as it always did.
 * Transport failures before the head reject with the caller's mapping (the same errors node:http would give).
 */
import http, { type IncomingHttpHeaders } from 'node:http'
import net from 'node:net'
import tls from 'node:tls'
import { Readable } from 'node:stream'
import type { AppError } from '../../preload/api'
import { abortErr } from './http-errors'

/** Memory a body is read into: its consumer says where the next bytes go, and takes them as they come. */
export interface BodySink {
  /** Where the next read lands (a non-empty view), or null: the body puts them elsewhere and `data` copies them. */
  buffer(): Uint8Array | null
  /**
   * `view`: bytes of the body, in order; `inPlace`: they landed at the start of the view `buffer()` last returned
   * (else they are elsewhere and must be copied before this returns). False: pause until `RawBody.more()`.
   */
  data(view: Uint8Array, inPlace: boolean): boolean
  /** The whole body arrived (no `err`), or it stopped with `err`. Called once. */
  end(err?: Error): void
}

export interface RawGetOptions {
  url: URL
  /** Request headers (lower-case names); host and connection are set here. */
  headers: Record<string, string | number>
  /** For https: the caller's TLS options (trust, verification); servername is set from the URL's host name. */
  tls?: tls.ConnectionOptions
  connectMs: number
  idleMs: number
  signal?: AbortSignal
  maxErrorBody: number
  /** A transport failure (errno, TLS, abort) as the caller reports it. */
  mapError(e: unknown): AppError
  connectTimeout(): AppError
  idleTimeout(): AppError
}

export type RawGetResult =
  | { kind: 'body'; status: number; headers: IncomingHttpHeaders; body: RawBody }
  | { kind: 'error'; status: number; headers: IncomingHttpHeaders; text: string }
  | { kind: 'unsupported' }

/** The head must fit here (node:http's own limit is 16 KiB). */
const HEAD_MAX = 64 * 1024
/** Reads of a body that has no sink (a Readable consumer) land in slabs of this size, each handed out in views. */
const SLAB = 256 * 1024
const SLAB_MIN_READ = 64 * 1024
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// eslint-disable-next-line no-control-regex
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/
/** As node:http: a repeat of one of these is dropped (set-cookie is a list; every other repeat is joined with ", "). */
const SINGLE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
])

interface Head {
  status: number
  headers: IncomingHttpHeaders
  /** The body's length; undefined: not framed by one valid Content-Length. */
  length: number | undefined
  chunked: boolean
}

/** The head's text (latin1, without the blank line), or null when it is not one this module takes. */
export function parseHead(text: string): Head | null {
  const lines = text.split('\r\n')
  const m = /^HTTP\/1\.[01] ([1-9]\d\d)(?: [^\r\n]*)?$/.exec(lines[0] ?? '')
  if (!m) return null
  const headers: IncomingHttpHeaders = {}
  const lengths = new Set<string>()
  let chunked = false
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon <= 0) return null
    const name = line.slice(0, colon)
    if (!TOKEN.test(name)) return null // also a folded line (leading space) or a space before the colon
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')
    if (BAD_VALUE.test(value)) return null
    const key = name.toLowerCase()
    if (key === 'content-length') lengths.add(value)
    if (key === 'transfer-encoding') chunked = true
    const had = headers[key]
    if (key === 'set-cookie') headers['set-cookie'] = [...(headers['set-cookie'] ?? []), value]
    else if (had === undefined) headers[key] = value
    else if (!SINGLE.has(key)) headers[key] = `${had as string}, ${value}`
  }
  let length: number | undefined
  if (lengths.size === 1) {
    const v = [...lengths][0]!
    if (/^\d{1,16}$/.test(v) && Number(v) <= Number.MAX_SAFE_INTEGER) length = Number(v)
  }
  return { status: Number(m[1]), headers, length, chunked }
}

/**
 * Sends the GET and reads the head. Rejects with `mapError` (or a timeout) when the connection fails before a head
 * arrived; resolves `unsupported` when the head is not one this module takes (see the module comment).
 */
export function rawGet(o: RawGetOptions): Promise<RawGetResult> {
  // node:http's own checks, so that a bad value fails as it would there (ERR_INVALID_HTTP_TOKEN, ERR_INVALID_CHAR)
  let request = `GET ${o.url.pathname}${o.url.search} HTTP/1.1\r\nhost: ${o.url.host}\r\n`
  for (const [k, v] of Object.entries(o.headers)) {
    if (k === 'host' || k === 'connection') continue
    http.validateHeaderName(k)
    http.validateHeaderValue(k, String(v))
    request += `${k}: ${v}\r\n`
  }
  request += 'connection: close\r\n\r\n'

  return new Promise<RawGetResult>((resolve, reject) => {
    const headBuf = Buffer.allocUnsafe(HEAD_MAX)
    let headLen = 0
    let phase: 'head' | 'error' | 'body' | 'over' = 'head'
    let body: RawBody | null = null
    let failed: { status: number; headers: IncomingHttpHeaders; want: number; got: Buffer[]; n: number } | null = null
    const errBuf = Buffer.allocUnsafe(16 * 1024)
    const https = o.url.protocol === 'https:'
    const port = Number(o.url.port) || (https ? 443 : 80)
    const host = o.url.hostname.replace(/^\[|\]$/g, '')
    const onread = {
      buffer: (): Uint8Array => (phase === 'body' ? body!.nextBuffer() : phase === 'error' ? errBuf : headBuf.subarray(headLen)),
      callback: (n: number, buf: Uint8Array): boolean =>
        phase === 'body' ? body!.landed(n, buf) : phase === 'error' ? onErrorBody(n) : phase === 'head' ? onHead(n) : false,
    }
    const socket: net.Socket = https
      ? tls.connect({ ...o.tls, host, port, ...(net.isIP(host) ? {} : { servername: host }), onread } as tls.ConnectionOptions)
      : net.connect({ host, port, onread })
    let connectTimer: NodeJS.Timeout | undefined = setTimeout(() => fail(o.connectTimeout()), o.connectMs)
    socket.once(https ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer)
      connectTimer = undefined
    })
    socket.setTimeout(o.idleMs, () => fail(o.idleTimeout()))
    const onAbort = () => fail(o.mapError(abortErr()))
    o.signal?.addEventListener('abort', onAbort, { once: true })
    const done = () => {
      clearTimeout(connectTimer)
      o.signal?.removeEventListener('abort', onAbort)
    }
    /** Before a result: the promise rejects; after: the body fails (its consumer sees `e`). */
    function fail(e: AppError): void {
      if (phase === 'body') {
        body!.fail(e)
        return
      }
      done()
      socket.destroy()
      if (phase === 'over') return
      phase = 'over'
      reject(e)
    }
    function give(r: RawGetResult): void {
      if (r.kind !== 'body') {
        done()
        socket.destroy()
        phase = 'over'
      }
      resolve(r)
    }
    socket.on('error', (e) => fail(o.mapError(e)))
    socket.on('close', () => {
      if (phase === 'body') body!.connectionClosed(o.mapError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })))
      else fail(o.mapError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })))
    })
    if (o.signal?.aborted) {
      onAbort()
      return
    }
    socket.write(request)

    /** Bytes of the head arrived; false stops reading. */
    function onHead(n: number): boolean {
      const from = Math.max(0, headLen - 3)
      headLen += n
      const end = headBuf.subarray(0, headLen).indexOf('\r\n\r\n', from, 'latin1')
      if (end < 0) {
        if (headLen < HEAD_MAX) return true
        give({ kind: 'unsupported' })
        return false
      }
      const head = parseHead(headBuf.toString('latin1', 0, end))
      const rest = headBuf.subarray(end + 4, headLen)
      if (!head || head.chunked || head.length === undefined || head.status < 200) {
        give({ kind: 'unsupported' })
        return false
      }
      if (head.status !== 200 && head.status !== 206) {
        const want = Math.min(head.length, o.maxErrorBody)
        failed = { status: head.status, headers: head.headers, want, got: [Buffer.from(rest.subarray(0, want))], n: Math.min(rest.length, want) }
        phase = 'error'
        if (failed.n < want) return true
        give({ kind: 'error', status: failed.status, headers: failed.headers, text: Buffer.concat(failed.got).toString('utf8') })
        return false
      }
      phase = 'body'
      body = new RawBody(socket, head.length, Buffer.from(rest.subarray(0, head.length)), done)
      give({ kind: 'body', status: head.status, headers: head.headers, body })
      // until the consumer takes it (readInto or read), nothing more is read
      return body.landedNothing()
    }
    /** Bytes of an error's body arrived (in errBuf). */
    function onErrorBody(n: number): boolean {
      const f = failed!
      const take = Math.min(n, f.want - f.n)
      f.got.push(Buffer.from(errBuf.subarray(0, take)))
      f.n += take
      if (f.n < f.want) return true
      give({ kind: 'error', status: f.status, headers: f.headers, text: Buffer.concat(f.got).toString('utf8') })
      return false
    }
  })
}

/**
 * The body of a 200/206: exactly Content-Length bytes (what comes after is not read), then the connection closes.
 * Read it as a Readable (views of slabs the socket reads into, never reused), or call `readInto(sink)` before
 * reading: then the socket reads into the sink's memory and the Readable side stays silent (destroy() still stops it,
 * and the sink's `end` then gets the reason).
 */
export class RawBody extends Readable {
  private mode: 'wait' | 'stream' | 'sink' = 'wait'
  private sink: BodySink | null = null
  /** The view the socket reads into now (as last handed out), and whether it is the sink's. */
  private target: Uint8Array | null = null
  private targetIsSink = false
  private slab: Buffer | null = null
  private slabOff = 0
  private paused = true
  private failure: Error | null = null
  private finished = false
  /** Body bytes that landed straight in the sink's memory (tests, diagnostics). */
  inPlaceBytes = 0

  constructor(
    private readonly socket: net.Socket,
    /** Body bytes still to come from the socket. */
    private remaining: number,
    /** Body bytes that came with the head (delivered first). */
    private leftover: Buffer,
    private readonly onDone: () => void,
  ) {
    super({ highWaterMark: 1024 * 1024 })
    this.remaining -= leftover.length
  }

  /** Reads the body into `sink` (before any byte was read through the Readable side). */
  readInto(sink: BodySink): void {
    if (this.mode !== 'wait') throw new Error('RawBody: already being read')
    this.mode = 'sink'
    this.sink = sink
    if (this.failure) {
      this.endSink(this.failure)
      return
    }
    const lead = this.leftover
    this.leftover = Buffer.alloc(0)
    const go = lead.length ? sink.data(lead, false) : true
    if (this.remaining === 0) this.complete()
    else if (go) this.more()
  }

  /** The sink can take more (after its `data` returned false). */
  more(): void {
    if (this.finished || this.failure || !this.paused) return
    this.paused = false
    this.socket.resume()
  }

  // ---- called by rawGet's socket callbacks

  /** Where the socket's next read lands. */
  nextBuffer(): Uint8Array {
    const own = this.mode === 'sink' && this.sink ? this.sink.buffer() : null
    if (own && own.byteLength > 0) {
      this.targetIsSink = true
      return (this.target = own)
    }
    // a slab of our own: for the Readable side (views handed out are never written again), or a sink without room
    if (!this.slab || this.slab.length - this.slabOff < SLAB_MIN_READ) {
      this.slab = Buffer.allocUnsafe(SLAB)
      this.slabOff = 0
    }
    this.targetIsSink = false
    return (this.target = this.slab.subarray(this.slabOff))
  }

  /** After the head: the socket stops until the body is taken. */
  landedNothing(): boolean {
    this.paused = true
    return false
  }

  /** `n` bytes landed at the start of `buf`; false pauses the socket. */
  landed(n: number, buf: Uint8Array): boolean {
    if (this.finished || this.failure) return false
    const take = Math.min(n, this.remaining)
    this.remaining -= take
    const ours = buf === this.target
    const inPlace = ours && this.targetIsSink
    if (ours && !this.targetIsSink) this.slabOff += take
    if (inPlace) this.inPlaceBytes += take
    const view = buf.subarray(0, take)
    const go = this.mode === 'sink' ? this.sink!.data(view, inPlace) : this.push(view)
    if (this.remaining === 0) {
      this.complete()
      return false
    }
    if (!go) this.paused = true
    return go
  }

  /** The connection closed (`e`: what that means if the body is not complete). */
  connectionClosed(e: Error): void {
    if (!this.finished) this.fail(e)
  }

  /** Stops the body with `e` (the consumer sees it). */
  fail(e: Error): void {
    if (this.finished || this.failure) return
    this.failure = e
    this.onDone()
    this.socket.destroy()
    if (this.mode === 'sink') this.endSink(e)
    else this.destroy(e)
  }

  override _read(): void {
    if (this.mode === 'sink') return
    if (this.mode === 'wait') {
      this.mode = 'stream'
      const lead = this.leftover
      this.leftover = Buffer.alloc(0)
      if (lead.length) this.push(lead)
      if (this.remaining === 0) {
        this.complete()
        return
      }
    }
    if (this.paused && !this.finished && !this.failure) {
      this.paused = false
      this.socket.resume()
    }
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.finished && !this.failure) {
      this.failure = err ?? new Error('The download was stopped.')
      this.onDone()
    }
    this.socket.destroy()
    if (this.sink) {
      const s = this.sink
      this.sink = null
      s.end(this.finished ? undefined : this.failure!)
    }
    cb(err)
  }

  private complete(): void {
    if (this.finished) return
    this.finished = true
    this.onDone()
    this.socket.destroy()
    if (this.mode === 'sink') this.endSink()
    else this.push(null)
  }

  private endSink(err?: Error): void {
    const s = this.sink
    this.sink = null
    s?.end(err)
    // the Readable side closes too (its consumer, if any, is the sink's owner)
    if (!this.destroyed) this.destroy()
  }
}
