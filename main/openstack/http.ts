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
import { readFileSync } from 'node:fs'
import { Readable, type Duplex, type Writable } from 'node:stream'
import { AppError, type ErrorCode } from '../../preload/api'

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000
/** The largest JSON/text body we buffer; anything larger is a BAD_RESPONSE. */
const MAX_BUFFERED_BODY = 64 * 1024 * 1024

export interface HttpClientOptions {
  /** PEM CA bundle added to the system trust store (tls.rootCertificates). */
  caFile?: string
  /** Skip certificate verification (explicit user choice). */
  insecure?: boolean
  connectTimeoutMs?: number
  idleTimeoutMs?: number
  userAgent?: string
  /** Where to read HTTPS_PROXY/HTTP_PROXY/NO_PROXY from (default process.env). */
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
  /** The live response stream (responseType 'stream' only). */
  stream?: IncomingMessage
}

// ---------------------------------------------------------------------------------------------------------------
// Pure helpers: HTML stripping, message extraction, error mapping, proxy choice
// ---------------------------------------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" }

/** Plain text from an HTML (or HTML-sprinkled) message: no tags, entities decoded, whitespace collapsed. */
export function stripHtml(s: string): string {
  return s
    .replace(/<(head|script|style|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, e: string) => {
      const k = e.toLowerCase()
      if (k.startsWith('#x')) return String.fromCodePoint(parseInt(k.slice(2), 16))
      if (k.startsWith('#') && k !== '#39') return String.fromCodePoint(parseInt(k.slice(1), 10))
      return ENTITIES[k] ?? m
    })
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * The service's own message from an error body: Glance `{message,code,title}`, Keystone `{error:{message}}`,
 * Cinder/Nova `{badRequest:{message}}`, HTML pages, or plain text.
 */
export function extractMessage(bodyText: string): string {
  const t = bodyText.trim()
  if (!t) return ''
  if (t.startsWith('{')) {
    try {
      const j = JSON.parse(t) as unknown
      const m = findMessage(j)
      if (m) return stripHtml(m)
    } catch {
      /* fall through to text */
    }
  }
  return stripHtml(t).slice(0, 2000)
}

function findMessage(j: unknown, depth = 0): string | undefined {
  if (!j || typeof j !== 'object' || depth > 2) return undefined
  const o = j as Record<string, unknown>
  for (const k of ['message', 'detail', 'explanation', 'faultstring']) {
    if (typeof o[k] === 'string' && o[k]) return o[k] as string
  }
  if (typeof o.title === 'string' && o.title) return o.title
  for (const v of Object.values(o)) {
    const m = findMessage(v, depth + 1)
    if (m) return m
  }
  return undefined
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication failed',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported media type',
  500: 'Server error',
  503: 'Service unavailable',
}

export interface HttpErrorInput {
  status: number
  method: string
  url: string
  bodyText?: string
  requestId?: string
}

/** Maps an HTTP error response to an AppError code (pure; see the table in the module comment). */
export function codeForStatus(status: number, message: string): { code: ErrorCode; retryable: boolean } {
  if (status === 401) return { code: 'AUTH_FAILED', retryable: false }
  if (status === 403) {
    if (/\bprotected\b/i.test(message)) return { code: 'PROTECTED', retryable: false }
    if (/quota/i.test(message)) return { code: 'QUOTA', retryable: false }
    return { code: 'FORBIDDEN', retryable: false }
  }
  if (status === 404) return { code: 'NOT_FOUND', retryable: false }
  if (status === 409) return { code: 'CONFLICT', retryable: false }
  if (status === 413) return { code: /quota/i.test(message) ? 'QUOTA' : 'TOO_LARGE', retryable: false }
  if (status === 415) return { code: 'UNSUPPORTED_FORMAT', retryable: false }
  if (status === 408 || status === 504) return { code: 'TIMEOUT', retryable: true }
  if (status === 429) return { code: 'SERVER', retryable: true }
  if (status === 400 || status === 416 || status === 422) return { code: 'VALIDATION', retryable: false }
  if (status >= 500) return { code: 'SERVER', retryable: status !== 501 }
  return { code: 'BAD_RESPONSE', retryable: false }
}

/** An AppError for an HTTP error response, carrying the service's message (HTML stripped), status, method, URL, request id. */
export function httpError(input: HttpErrorInput): AppError {
  const msg = extractMessage(input.bodyText ?? '')
  const { code, retryable } = codeForStatus(input.status, msg)
  const message = msg || STATUS_TEXT[input.status] || `HTTP ${input.status}`
  const data: ConstructorParameters<typeof AppError>[0] = {
    code,
    message,
    status: input.status,
    method: input.method,
    url: redactUrl(input.url),
    retryable,
  }
  if (input.requestId) data.requestId = input.requestId
  return new AppError(data)
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
])

/** Whether a Node error code is a TLS/certificate failure. */
export function isTlsErrorCode(code: string | undefined, message = ''): boolean {
  if (!code) return /certificate|SSL|TLS/i.test(message) && !/socket hang up/i.test(message)
  return (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('CERT_') ||
    code.includes('_CERT') ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code === 'EPROTO'
  )
}

/** A transport failure (no HTTP response) -> AppError: NETWORK, TLS, TIMEOUT, CANCELLED. AppErrors pass through. */
export function transportError(e: unknown, method: string, url: string): AppError {
  if (e instanceof AppError) return e
  const err = e as NodeJS.ErrnoException
  const code = err?.code
  const base = { method, url: redactUrl(url) }
  if (err?.name === 'AbortError' || code === 'ABORT_ERR') {
    return new AppError({ code: 'CANCELLED', message: 'Cancelled.', ...base }, { cause: e })
  }
  if (isTlsErrorCode(code, err?.message)) {
    return new AppError(
      { code: 'TLS', message: `TLS error talking to ${hostOf(url)}: ${err.message}`, ...base, retryable: false },
      { cause: e },
    )
  }
  if (code === 'ETIMEDOUT') {
    return new AppError({ code: 'TIMEOUT', message: `Timed out talking to ${hostOf(url)}.`, ...base, retryable: true }, { cause: e })
  }
  if ((code && NETWORK_CODES.has(code)) || /socket hang up|aborted/i.test(err?.message ?? '')) {
    return new AppError(
      { code: 'NETWORK', message: `Network error talking to ${hostOf(url)}: ${err.message}`, ...base, retryable: true },
      { cause: e },
    )
  }
  return new AppError(
    { code: 'NETWORK', message: `Request to ${hostOf(url)} failed: ${err?.message ?? String(e)}`, ...base, retryable: true },
    { cause: e },
  )
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** The URL without user:password (proxy URLs may carry them). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.username || u.password) {
      u.username = ''
      u.password = ''
    }
    return u.toString()
  } catch {
    return url
  }
}

/** The proxy for a target URL from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (either case), or null for a direct connection. */
export function proxyFor(target: string | URL, env: Record<string, string | undefined> = process.env): URL | null {
  const u = typeof target === 'string' ? new URL(target) : target
  const isHttps = u.protocol === 'https:'
  const raw = isHttps
    ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.ALL_PROXY ?? env.all_proxy)
    : (env.HTTP_PROXY ?? env.http_proxy ?? env.ALL_PROXY ?? env.all_proxy)
  if (!raw) return null
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').trim()
  if (noProxy && matchesNoProxy(u, noProxy)) return null
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`)
  } catch {
    return null
  }
}

function matchesNoProxy(u: URL, noProxy: string): boolean {
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const port = u.port || (u.protocol === 'https:' ? '443' : '80')
  for (let entry of noProxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') return true
    let entryPort: string | undefined
    const m = /^(.*):(\d+)$/.exec(entry)
    if (m && !entry.startsWith('[') && (m[1]!.includes('.') || !m[1]!.includes(':'))) {
      entry = m[1]!
      entryPort = m[2]
    }
    entry = entry.replace(/^\[|\]$/g, '')
    if (entryPort && entryPort !== port) continue
    if (entry.startsWith('*.')) entry = entry.slice(1)
    if (entry.startsWith('.')) {
      if (host.endsWith(entry) || host === entry.slice(1)) return true
    } else if (host === entry || host.endsWith(`.${entry}`)) return true
    else if (entry.includes('/') && net.isIP(host) === 4 && inCidr(host, entry)) return true
  }
  return false
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsS] = cidr.split('/')
  const bits = Number(bitsS)
  if (!base || net.isIP(base) !== 4 || !(bits >= 0 && bits <= 32)) return false
  const toInt = (a: string) => a.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
  return (toInt(ip) & mask) === (toInt(base) & mask)
}

// ---------------------------------------------------------------------------------------------------------------
// Agents: keep-alive, TLS trust, proxy tunnels
// ---------------------------------------------------------------------------------------------------------------

type ConnCallback = (err: Error | null, stream: Duplex) => void

/** An https.Agent that reaches its targets through an HTTP CONNECT tunnel, then speaks TLS inside it. */
class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    private readonly connectTimeoutMs: number,
    options: https.AgentOptions,
  ) {
    super(options)
  }

  override createConnection(opts: http.ClientRequestArgs, cb?: ConnCallback): undefined {
    const options = opts as tls.ConnectionOptions & { host?: string; port?: number }
    const host = options.host ?? 'localhost'
    const port = Number(options.port ?? 443)
    const headers: Record<string, string> = { host: `${host}:${port}` }
    if (this.proxy.username) {
      const cred = `${decodeURIComponent(this.proxy.username)}:${decodeURIComponent(this.proxy.password)}`
      headers['proxy-authorization'] = `Basic ${Buffer.from(cred).toString('base64')}`
    }
    const mod = this.proxy.protocol === 'https:' ? https : http
    const req = mod.request({
      host: this.proxy.hostname,
      port: Number(this.proxy.port) || (this.proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: `${host}:${port}`,
      headers,
      agent: false,
    })
    let done = false
    const finish = (err: Error | null, sock?: net.Socket) => {
      if (done) return
      done = true
      clearTimeout(timer)
      cb?.(err, sock as Duplex)
    }
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`Proxy CONNECT to ${host}:${port} timed out`), { code: 'ETIMEDOUT' }))
    }, this.connectTimeoutMs)
    req.once('connect', (res: IncomingMessage, socket: net.Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy()
        finish(Object.assign(new Error(`Proxy refused CONNECT to ${host}:${port}: HTTP ${res.statusCode}`), { code: 'ECONNREFUSED' }))
        return
      }
      const secure = tls.connect({ ...options, socket, servername: options.servername ?? (net.isIP(host) ? undefined : host) })
      finish(null, secure)
    })
    req.once('error', (e) => finish(e))
    req.end()
    return undefined
  }
}

function readCa(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined
  let pem: string
  try {
    pem = readFileSync(caFile, 'utf8')
  } catch (e) {
    throw new AppError({ code: 'FILE', message: `Cannot read the CA bundle ${caFile}: ${(e as Error).message}` }, { cause: e })
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new AppError({ code: 'TLS', message: `The CA bundle ${caFile} holds no PEM certificate.` })
  }
  return [...tls.rootCertificates, pem]
}

// ---------------------------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------------------------

function timeoutError(kind: 'connect' | 'idle', ms: number, method: string, url: string): AppError {
  const what = kind === 'connect' ? 'Connecting' : 'No data moved'
  return new AppError({
    code: 'TIMEOUT',
    message: `${what} to ${hostOf(url)} for ${Math.round(ms / 1000)} s (${kind} timeout).`,
    method,
    url: redactUrl(url),
    retryable: true,
  })
}

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
   * Sends one request. Resolves with the response for 2xx (and 3xx when asked through `responseType: 'none'`... no:
   * only 2xx); rejects with a mapped AppError for every other status and every transport failure.
   */
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method.toUpperCase()
    let u: URL
    try {
      u = new URL(req.url)
    } catch {
      return Promise.reject(new AppError({ code: 'VALIDATION', message: `Not a URL: ${req.url}` }))
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return Promise.reject(new AppError({ code: 'VALIDATION', message: `Unsupported URL scheme ${u.protocol}` }))
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
    const viaPlainProxy = proxy !== null && u.protocol === 'http:'
    const opts: http.RequestOptions = {
      method,
      headers,
      agent,
      host: viaPlainProxy ? proxy!.hostname : u.hostname,
      port: viaPlainProxy ? Number(proxy!.port) || 80 : Number(u.port) || (u.protocol === 'https:' ? 443 : 80),
      path: viaPlainProxy ? u.href : `${u.pathname}${u.search}`,
    }
    if (viaPlainProxy) {
      headers.host = u.host
      if (proxy!.username) {
        const cred = `${decodeURIComponent(proxy!.username)}:${decodeURIComponent(proxy!.password)}`
        headers['proxy-authorization'] = `Basic ${Buffer.from(cred).toString('base64')}`
      }
    }
    if (u.protocol === 'https:' && !net.isIP(u.hostname)) (opts as https.RequestOptions).servername = u.hostname
    const connectMs = req.connectTimeoutMs ?? this.connectTimeoutMs
    const idleMs = req.idleTimeoutMs ?? this.idleTimeoutMs
    const responseType = req.responseType ?? 'json'
    const mod = u.protocol === 'https:' && !viaPlainProxy ? https : http

    return new Promise<HttpResponse<T>>((resolve, reject) => {
      let settled = false
      let res: IncomingMessage | undefined
      let connectTimer: NodeJS.Timeout | undefined
      const signal = req.signal

      const cleanup = () => {
        if (connectTimer) clearTimeout(connectTimer)
        connectTimer = undefined
        signal?.removeEventListener('abort', onAbort)
      }
      const fail = (e: unknown) => {
        const err = transportError(e, method, req.url)
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
      const onAbort = () => abortWith(transportError(abortErr(), method, req.url))

      let creq: ClientRequest
      try {
        creq = mod.request(opts)
      } catch (e) {
        reject(transportError(e, method, req.url))
        return
      }
      signal?.addEventListener('abort', onAbort, { once: true })

      creq.on('socket', (socket: net.Socket) => {
        if ((socket as net.Socket & { connecting?: boolean }).connecting) {
          connectTimer = setTimeout(() => abortWith(timeoutError('connect', connectMs, method, req.url)), connectMs)
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
        r.on('data', (c: Buffer) => {
          total += c.length
          if (total > MAX_BUFFERED_BODY) {
            r.destroy(new AppError({ code: 'BAD_RESPONSE', message: 'The response body is too large.', status, method, url: redactUrl(req.url) }))
            return
          }
          chunks.push(c)
        })
        r.once('error', fail)
        r.once('end', () => {
          if (settled) return
          settled = true
          cleanup()
          const text = Buffer.concat(chunks).toString('utf8')
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
                  message: `Expected JSON from ${hostOf(req.url)}, got: ${stripHtml(text).slice(0, 200)}`,
                  status,
                  method,
                  url: redactUrl(req.url),
                })
                reject(rid ? new AppError({ ...e.toJSON(), requestId: rid }) : e)
                return
              }
            }
          }
          const out: HttpResponse<T> = { status, headers: r.headers, body: body as T }
          if (rid) out.requestId = rid
          resolve(out)
        })
      })

      if (payload instanceof Readable) {
        payload.once('error', (e) => {
          const err =
            e instanceof AppError
              ? e
              : new AppError({ code: 'FILE', message: `Reading the request body failed: ${e.message}`, method, url: redactUrl(req.url) }, { cause: e })
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

function abortErr(): Error {
  const e = new Error('The operation was aborted')
  e.name = 'AbortError'
  return e
}

export function pickRequestId(h: IncomingHttpHeaders): string | undefined {
  const v = h['x-openstack-request-id'] ?? h['x-compute-request-id'] ?? h['openstack-request-id']
  return Array.isArray(v) ? v[0] : v
}
