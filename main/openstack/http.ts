/**
 * The HTTP layer every OpenStack call goes through: node:http/https with keep-alive agents, streams with
 * back-pressure, connect + idle timeouts (never a total timeout: transfers may take hours), per-profile CA bundle on
 * top of the system trust store, an explicit insecure switch, HTTP(S)_PROXY / NO_PROXY (CONNECT tunnels for https),
 * AbortSignal cancellation, and one mapping from every failure to an AppError that keeps the service's message,
 * HTTP status, method, URL and x-openstack-request-id.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ClientRequest } from 'node:http'
import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import { Readable, type Writable } from 'node:stream'
import { AppError } from '../../preload/api'
import {
  abortErr,
  hostOf,
  httpError,
  proxyAuthError,
  proxyTimeoutError,
  proxyTransportError,
  stripUserinfo,
  stripHtml,
  timeoutError,
  transportError,
  type HttpErrorInput,
} from './http-errors'
import { proxyFor } from './proxy'
import { rawGet, type RawGetResult } from './raw-get'
import { TunnelAgent, proxyAuthorization, readCa } from './tunnel'

// The pieces live in files of their own (issue 11); this module stays the one import for callers.
export { codeForStatus, extractMessage, httpError, isTlsErrorCode, stripUserinfo, stripHtml, transportError, type HttpErrorInput } from './http-errors'
export { proxyEnvFor, proxyFor } from './proxy'

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000
/** The largest JSON/text body buffered by default (BAD_RESPONSE tooLarge past it, counted while it arrives). */
export const MAX_JSON_BODY = 1024 * 1024
/** List pages (`maxBodyBytes: MAX_LIST_BODY`): many images with their properties. */
export const MAX_LIST_BODY = 16 * 1024 * 1024
/** The part of an error response read for its message; the rest is not read (the connection is dropped). */
export const MAX_ERROR_BODY = 64 * 1024
/** The total deadline of a call that moves no stream (transfers have none: they may take hours). */
export const DEFAULT_DEADLINE_MS = 90_000

export interface HttpClientOptions {
  /** PEM CA bundle added to the system trust store (tls.rootCertificates). */
  caFile?: string
  /** Skip certificate verification (explicit user choice). */
  insecure?: boolean
  connectTimeoutMs?: number
  idleTimeoutMs?: number
  userAgent?: string
  /** Where to read HTTPS_PROXY/HTTP_PROXY/NO_PROXY from (default process.env; a profile's: proxyEnvFor). */
  env?: Record<string, string | undefined>
  /** Sockets kept per host (default 16). */
  maxSockets?: number
}

export type ResponseType = 'json' | 'text' | 'stream' | 'none'

export interface HttpRequest {
  method: string
  url: string
  headers?: Record<string, string | number>
  /** A JSON body (serialised once; replayable). */
  json?: unknown
  /** A raw body. Buffers and strings are replayable, streams are not. */
  body?: Buffer | string | Readable
  /** Content-Length for a stream body (sent chunked when omitted). */
  contentLength?: number
  contentType?: string
  /** How to read a successful response (default json). Error responses are always read and mapped. */
  responseType?: ResponseType
  signal?: AbortSignal
  connectTimeoutMs?: number
  idleTimeoutMs?: number
  /** The largest successful JSON/text body accepted (default MAX_JSON_BODY). */
  maxBodyBytes?: number
  /**
   * The whole exchange must end within this (default DEFAULT_DEADLINE_MS when neither the body nor the response is a
   * stream; none for transfers): then a retryable TIMEOUT.
   */
  deadlineMs?: number
  /**
   * GET/HEAD only: follow up to this many redirects (3xx with a Location), each hop choosing its own proxy (NO_PROXY
   * applies per host); more is BAD_RESPONSE tooManyRedirects. Default 0: a 3xx is an error, as before.
   */
  maxRedirects?: number
  /**
   * A GET with `responseType: 'stream'` whose body its consumer may read into its own memory (raw-get.ts: no copy
   * by node:http's parser). Taken when no proxy applies and the answer is framed by a Content-Length; otherwise the
   * request goes through node:http as any other.
   */
  rawBody?: boolean
}

/**
 * A stream body that writes itself into the request (`out.write(chunk, cb)` with its own bounded buffering, then
 * `out.end()`) instead of being piped: the transfer engine's upload body, which reuses its buffers once written.
 * Failures are emitted as 'error' on the Readable, as with any stream body.
 */
export interface DirectBody {
  writeInto(out: Writable): void
}

function isDirectBody(x: Readable): x is Readable & DirectBody {
  return typeof (x as Partial<DirectBody>).writeInto === 'function'
}

export interface HttpResponse<T = unknown> {
  status: number
  headers: IncomingHttpHeaders
  requestId?: string
  /** Parsed JSON (json), text (text), undefined (none/stream). */
  body: T
  /** The live response stream (responseType 'stream' only): an IncomingMessage, or a RawBody (`rawBody`). */
  stream?: Readable
}

// ---------------------------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------------------------

export class HttpClient {
  private readonly connectTimeoutMs: number
  private readonly idleTimeoutMs: number
  private readonly env: Record<string, string | undefined>
  private readonly agents = new Map<string, http.Agent>()
  private tlsOptions: https.AgentOptions | undefined

  constructor(private readonly options: HttpClientOptions = {}) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
    this.env = options.env ?? process.env
  }

  private tlsOpts(): https.AgentOptions {
    if (!this.tlsOptions) {
      const o: https.AgentOptions = { rejectUnauthorized: !this.options.insecure }
      const ca = readCa(this.options.caFile)
      if (ca) o.ca = ca
      this.tlsOptions = o
    }
    return this.tlsOptions
  }

  private agentFor(u: URL, proxy: URL | null): http.Agent {
    const key = `${u.protocol}|${proxy ? proxy.href : ''}`
    let a = this.agents.get(key)
    if (a) return a
    const base = { keepAlive: true, keepAliveMsecs: 15_000, maxSockets: this.options.maxSockets ?? 16, scheduling: 'lifo' as const }
    if (u.protocol === 'https:') {
      a = proxy ? new TunnelAgent(proxy, this.connectTimeoutMs, { ...base, ...this.tlsOpts() }) : new https.Agent({ ...base, ...this.tlsOpts() })
    } else if (proxy?.protocol === 'https:') {
      // an http:// target sent to an https:// proxy: TLS to the proxy, with the profile's trust
      a = new https.Agent({ ...base, ...this.tlsOpts() })
    } else {
      a = new http.Agent(base)
    }
    this.agents.set(key, a)
    return a
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    for (const a of this.agents.values()) a.destroy()
    this.agents.clear()
  }

  /**
   * Sends one request. Resolves with the response for 2xx (following redirects of a GET/HEAD when `maxRedirects`
   * asks); rejects with a mapped AppError for every other status and every transport failure.
   */
  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method.toUpperCase()
    const max = method === 'GET' || method === 'HEAD' ? (req.maxRedirects ?? 0) : 0
    if (max <= 0) return this.send<T>(req, false)
    let current = req
    for (let hop = 0; ; hop++) {
      const res = await this.send<T>(current, true)
      const location = res.headers.location
      if (res.status < 300 || res.status >= 400 || !location) return res
      const host = hostOf(current.url)
      if (hop >= max) {
        throw new AppError({
          code: 'BAD_RESPONSE',
          message: `${host} redirected more than ${max} times.`,
          status: res.status,
          method,
          url: stripUserinfo(current.url),
          details: { reason: 'tooManyRedirects', params: { host, count: max } },
        })
      }
      current = { ...current, url: new URL(location, current.url).href }
    }
  }

  /** One exchange; `redirects`: a 3xx with a Location resolves (drained, no body) instead of rejecting. */
  private send<T>(req: HttpRequest, redirects: boolean): Promise<HttpResponse<T>> {
    const method = req.method.toUpperCase()
    let u: URL
    try {
      u = new URL(req.url)
    } catch {
      return Promise.reject(
        new AppError({ code: 'VALIDATION', message: `Not a URL: ${req.url}`, details: { reason: 'notUrl', params: { url: stripUserinfo(req.url) } } }),
      )
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return Promise.reject(
        new AppError({ code: 'VALIDATION', message: `Unsupported URL scheme ${u.protocol}`, details: { reason: 'urlScheme', params: { scheme: u.protocol } } }),
      )
    }
    if (req.signal?.aborted) return Promise.reject(transportError(abortErr(), method, req.url))

    const headers: Record<string, string | number> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'glance-desktop',
    }
    if (req.headers) for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v

    let payload: Buffer | Readable | undefined
    if (req.json !== undefined) {
      payload = Buffer.from(JSON.stringify(req.json))
      headers['content-type'] = req.contentType ?? headers['content-type'] ?? 'application/json'
    } else if (req.body !== undefined) {
      payload = typeof req.body === 'string' ? Buffer.from(req.body) : req.body
      if (req.contentType) headers['content-type'] = req.contentType
    }
    if (Buffer.isBuffer(payload)) headers['content-length'] = payload.length
    else if (payload && req.contentLength !== undefined) headers['content-length'] = req.contentLength
    else if (!payload && (method === 'POST' || method === 'PUT' || method === 'PATCH')) headers['content-length'] = 0

    let proxy: URL | null
    let agent: http.Agent
    try {
      proxy = proxyFor(u, this.env)
      agent = this.agentFor(u, proxy)
    } catch (e) {
      return Promise.reject(transportError(e, method, req.url))
    }
    // an http:// target through a proxy: the request goes to the proxy with the absolute URI (https:// ones: CONNECT)
    const viaPlainProxy = proxy !== null && u.protocol === 'http:'
    const tlsToProxy = viaPlainProxy && proxy!.protocol === 'https:'
    const opts: http.RequestOptions = {
      method,
      headers,
      agent,
      host: viaPlainProxy ? proxy!.hostname : u.hostname,
      port: viaPlainProxy ? Number(proxy!.port) || (tlsToProxy ? 443 : 80) : Number(u.port) || (u.protocol === 'https:' ? 443 : 80),
      path: viaPlainProxy ? u.href : `${u.pathname}${u.search}`,
    }
    if (viaPlainProxy) {
      headers.host = u.host
      const auth = proxyAuthorization(proxy!)
      if (auth) headers['proxy-authorization'] = auth
    }
    if (tlsToProxy && !net.isIP(proxy!.hostname)) (opts as https.RequestOptions).servername = proxy!.hostname
    else if (u.protocol === 'https:' && !viaPlainProxy && !net.isIP(u.hostname)) (opts as https.RequestOptions).servername = u.hostname
    const connectMs = req.connectTimeoutMs ?? this.connectTimeoutMs
    const idleMs = req.idleTimeoutMs ?? this.idleTimeoutMs
    const responseType = req.responseType ?? 'json'
    const maxBody = req.maxBodyBytes ?? MAX_JSON_BODY
    const moves = payload instanceof Readable || responseType === 'stream'
    const deadlineMs = req.deadlineMs ?? (moves ? undefined : DEFAULT_DEADLINE_MS)
    const mod = (u.protocol === 'https:' && !viaPlainProxy) || tlsToProxy ? https : http
    /** A transport failure as an AppError: the proxy's own failures name the proxy (http-errors.ts proxyTransportError). */
    const mapError = (e: unknown): AppError => (proxy && proxyTransportError(e, proxy, method, req.url, viaPlainProxy)) || transportError(e, method, req.url)
    const ctx: SendContext = { method, redirects, payload, proxy, opts, viaPlainProxy, connectMs, idleMs, responseType, maxBody, deadlineMs, mod, mapError }

    if (req.rawBody && method === 'GET' && responseType === 'stream' && !payload && !proxy && !redirects) {
      let sent: Promise<RawGetResult>
      try {
        sent = rawGet({
          url: u,
          headers,
          ...(u.protocol === 'https:' ? { tls: this.tlsOpts() as tls.ConnectionOptions } : {}),
          connectMs,
          idleMs,
          ...(req.signal ? { signal: req.signal } : {}),
          maxErrorBody: MAX_ERROR_BODY,
          mapError,
          connectTimeout: () => timeoutError('connect', connectMs, method, req.url),
          idleTimeout: () => timeoutError('idle', idleMs, method, req.url),
        })
      } catch (e) {
        return Promise.reject(mapError(e))
      }
      return sent.then((r) => {
        if (r.kind === 'unsupported') return this.viaNode<T>(req, ctx)
        const rid = pickRequestId(r.headers)
        if (r.kind === 'error') {
          const input: HttpErrorInput = { status: r.status, method, url: req.url, bodyText: r.text }
          if (rid) input.requestId = rid
          throw httpError(input)
        }
        // as the node:http stream below: a failure while nobody listens yet (the part file being opened) is not a crash
        r.body.once('error', () => {})
        const out: HttpResponse<T> = { status: r.status, headers: r.headers, body: undefined as T, stream: r.body }
        if (rid) out.requestId = rid
        return out
      })
    }
    return this.viaNode<T>(req, ctx)
  }

  /** The exchange through node:http (`send` prepared it). */
  private viaNode<T>(req: HttpRequest, ctx: SendContext): Promise<HttpResponse<T>> {
    const { method, redirects, payload, proxy, opts, viaPlainProxy, connectMs, idleMs, responseType, maxBody, deadlineMs, mod, mapError } = ctx
    return new Promise<HttpResponse<T>>((resolve, reject) => {
      let settled = false
      let res: IncomingMessage | undefined
      let connectTimer: NodeJS.Timeout | undefined
      const signal = req.signal

      let deadlineTimer: NodeJS.Timeout | undefined
      const cleanup = () => {
        if (connectTimer) clearTimeout(connectTimer)
        connectTimer = undefined
        if (deadlineTimer) clearTimeout(deadlineTimer)
        deadlineTimer = undefined
        signal?.removeEventListener('abort', onAbort)
      }
      const fail = (e: unknown) => {
        const err = mapError(e)
        if (!settled) {
          settled = true
          cleanup()
          reject(err)
        } else if (res && !res.destroyed) {
          // A stream was handed out: make its consumer see the mapped error.
          res.destroy(err)
          cleanup()
        } else cleanup()
      }
      /** Ends the exchange with `err`: the caller (or the stream consumer) sees exactly this error. */
      const abortWith = (err: AppError) => {
        fail(err)
        if (payload instanceof Readable) payload.unpipe(creq)
        creq.destroy(err)
      }
      const onAbort = () => abortWith(mapError(abortErr()))

      let creq: ClientRequest
      try {
        creq = mod.request(opts)
      } catch (e) {
        reject(mapError(e))
        return
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      if (deadlineMs !== undefined) {
        deadlineTimer = setTimeout(() => {
          const host = hostOf(req.url)
          const seconds = Math.round(deadlineMs / 1000)
          abortWith(
            new AppError({
              code: 'TIMEOUT',
              message: `${host} did not answer within ${seconds} s.`,
              method,
              url: stripUserinfo(req.url),
              retryable: true,
              details: { reason: 'deadline', params: { host, seconds } },
            }),
          )
        }, deadlineMs)
      }

      creq.on('socket', (socket: net.Socket) => {
        if ((socket as net.Socket & { connecting?: boolean }).connecting) {
          const timeout = () => (viaPlainProxy ? proxyTimeoutError(proxy!, connectMs, method, req.url) : timeoutError('connect', connectMs, method, req.url))
          connectTimer = setTimeout(() => abortWith(timeout()), connectMs)
          const ev = socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect'
          socket.once(ev, () => {
            if (connectTimer) clearTimeout(connectTimer)
            connectTimer = undefined
          })
        }
      })
      creq.setTimeout(idleMs, () => abortWith(timeoutError('idle', idleMs, method, req.url)))
      creq.on('error', (e) => {
        // After an error status arrived, a write error (the server closed early, e.g. 413) is not the story.
        if (res && !settled) return
        fail(e)
      })

      creq.on('response', (r: IncomingMessage) => {
        res = r
        if (connectTimer) clearTimeout(connectTimer)
        connectTimer = undefined
        const status = r.statusCode ?? 0
        const rid = pickRequestId(r.headers)
        const ok = status >= 200 && status < 300
        if (redirects && status >= 300 && status < 400 && r.headers.location) {
          settled = true
          cleanup()
          r.resume()
          resolve({ status, headers: r.headers, body: undefined as T })
          return
        }
        if (ok && responseType === 'stream') {
          settled = true
          r.once('close', cleanup)
          r.once('error', () => cleanup())
          const out: HttpResponse<T> = { status, headers: r.headers, body: undefined as T, stream: r }
          if (rid) out.requestId = rid
          resolve(out)
          return
        }
        if (ok && responseType === 'none') {
          r.resume()
          r.once('end', () => {
            if (settled) return
            settled = true
            cleanup()
            const out: HttpResponse<T> = { status, headers: r.headers, body: undefined as T }
            if (rid) out.requestId = rid
            resolve(out)
          })
          r.once('error', fail)
          return
        }
        const chunks: Buffer[] = []
        let total = 0
        const limit = ok ? maxBody : MAX_ERROR_BODY
        const done = () => {
          if (settled) return
          settled = true
          cleanup()
          const text = Buffer.concat(chunks).toString('utf8')
          if (!ok && viaPlainProxy && status === 407) {
            if (payload instanceof Readable && !payload.readableEnded) {
              payload.unpipe(creq)
              creq.destroy()
            }
            reject(proxyAuthError(proxy!, method, req.url))
            return
          }
          if (!ok) {
            // The service refused while we may still be sending (413 mid-upload): stop feeding the socket.
            if (payload instanceof Readable && !payload.readableEnded) {
              payload.unpipe(creq)
              creq.destroy()
            }
            const input: HttpErrorInput = { status, method, url: req.url, bodyText: text }
            if (rid) input.requestId = rid
            reject(httpError(input))
            return
          }
          let body: unknown = text
          if (responseType === 'json') {
            if (text.trim() === '') body = undefined
            else {
              try {
                body = JSON.parse(text)
              } catch {
                const e = new AppError({
                  code: 'BAD_RESPONSE',
                  message: `Expected JSON from ${hostOf(req.url)}, got: ${stripHtml(text.slice(0, 4096)).slice(0, 200)}`,
                  status,
                  method,
                  url: stripUserinfo(req.url),
                  details: { reason: 'notJson', params: { host: hostOf(req.url), server: stripHtml(text.slice(0, 4096)).slice(0, 200) } },
                })
                reject(rid ? new AppError({ ...e.toJSON(), requestId: rid }) : e)
                return
              }
            }
          }
          const out: HttpResponse<T> = { status, headers: r.headers, body: body as T }
          if (rid) out.requestId = rid
          resolve(out)
        }
        r.on('data', (c: Buffer) => {
          if (settled) return
          total += c.length
          if (total > limit) {
            if (!ok) {
              // enough of an error page for its message: the rest is never read
              chunks.push(c.subarray(0, c.length - (total - limit)))
              done()
              r.destroy()
              creq.destroy()
              return
            }
            const host = hostOf(req.url)
            r.destroy(
              new AppError({
                code: 'BAD_RESPONSE',
                message: `The answer of ${host} is larger than ${limit} bytes.`,
                status,
                method,
                url: stripUserinfo(req.url),
                details: { reason: 'tooLarge', params: { host, limit } },
              }),
            )
            return
          }
          chunks.push(c)
        })
        r.once('error', fail)
        r.once('end', done)
      })

      if (payload instanceof Readable) {
        payload.once('error', (e) => {
          const err =
            e instanceof AppError
              ? e
              : new AppError({ code: 'FILE', message: `Reading the request body failed: ${e.message}`, method, url: stripUserinfo(req.url) }, { cause: e })
          abortWith(err)
        })
        if (isDirectBody(payload)) payload.writeInto(creq)
        else payload.pipe(creq)
      } else {
        creq.end(payload)
      }
    })
  }
}

/** What `send` worked out for one exchange, handed to `viaNode`. */
interface SendContext {
  method: string
  redirects: boolean
  payload: Buffer | Readable | undefined
  proxy: URL | null
  opts: http.RequestOptions
  viaPlainProxy: boolean
  connectMs: number
  idleMs: number
  responseType: ResponseType
  maxBody: number
  deadlineMs: number | undefined
  mod: typeof http | typeof https
  mapError: (e: unknown) => AppError
}

export function pickRequestId(h: IncomingHttpHeaders): string | undefined {
  const v = h['x-openstack-request-id'] ?? h['x-compute-request-id'] ?? h['openstack-request-id']
  return Array.isArray(v) ? v[0] : v
}
