/**
 * HTTP failures as AppErrors (pure): the service's own message out of an error body (HTML stripped), the status ->
 * code table, transport failures (NETWORK, TLS, TIMEOUT, CANCELLED) and URL redaction. Used by http.ts.
 */
import { AppError, type ErrorCode } from '../../preload/api'

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" }

/** Elements whose content is not text (dropped with their tags). */
const SKIPPED = new Set(['head', 'script', 'style', 'title'])

/**
 * Plain text from an HTML (or HTML-sprinkled) message: no tags, entities decoded, whitespace collapsed. One pass over
 * the text (hand-written: a regex over an unclosed `<script` repeated is quadratic, and a service's error page is
 * hostile input): each `<` is matched with the next `>` once, and the scan continues after it.
 *   | input                               | output                                          |
 *   |-------------------------------------|-------------------------------------------------|
 *   | `<p>a</p><br/>b`                    | `a b`                                           |
 *   | `<script>x</script>y`               | `y` (head, script, style, title: content gone)  |
 *   | `<script>x` (never closed)          | `` (the rest is inside the element)             |
 *   | `a < b` (no `>` after)              | `a < b`                                         |
 *   | `&amp; &#39; &#x41; &nbsp;`         | `& ' A`                                         |
 */
export function stripHtml(s: string): string {
  const parts: string[] = []
  let skip: string | null = null
  let i = 0
  while (i < s.length) {
    const lt = s.indexOf('<', i)
    if (lt < 0) {
      if (!skip) parts.push(s.slice(i))
      break
    }
    if (!skip && lt > i) parts.push(s.slice(i, lt))
    const gt = s.indexOf('>', lt + 1)
    if (gt < 0) {
      if (!skip) parts.push(s.slice(lt))
      break
    }
    const m = /^(\/?)([a-zA-Z][a-zA-Z0-9]*)/.exec(s.slice(lt + 1, Math.min(gt, lt + 16)))
    const name = m?.[2]?.toLowerCase()
    if (skip) {
      if (m?.[1] === '/' && name === skip) skip = null
    } else {
      if (m && m[1] === '' && name && SKIPPED.has(name) && s[gt - 1] !== '/') skip = name
      parts.push(' ')
    }
    i = gt + 1
  }
  return parts
    .join('')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{1,10}\d?);/gi, (m, e: string) => {
      const k = e.toLowerCase()
      try {
        if (k.startsWith('#x')) return String.fromCodePoint(parseInt(k.slice(2), 16))
        if (k.startsWith('#') && k !== '#39') return String.fromCodePoint(parseInt(k.slice(1), 10))
      } catch {
        return m
      }
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
    url: stripUserinfo(input.url),
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
  const base = { method, url: stripUserinfo(url) }
  if (err?.name === 'AbortError' || code === 'ABORT_ERR') {
    return new AppError({ code: 'CANCELLED', message: 'Cancelled.', ...base }, { cause: e })
  }
  if (isTlsErrorCode(code, err?.message)) {
    return new AppError(
      { code: 'TLS', message: `TLS error talking to ${hostOf(url)}: ${err.message}`, ...base, retryable: false, details: why('untrusted', url, err.message) },
      { cause: e },
    )
  }
  if (code === 'ETIMEDOUT') {
    return new AppError(
      { code: 'TIMEOUT', message: `Timed out talking to ${hostOf(url)}.`, ...base, retryable: true, details: why('transport', url) },
      { cause: e },
    )
  }
  if ((code && NETWORK_CODES.has(code)) || /socket hang up|aborted/i.test(err?.message ?? '')) {
    return new AppError(
      {
        code: 'NETWORK',
        message: `Network error talking to ${hostOf(url)}: ${err.message}`,
        ...base,
        retryable: true,
        details: why('transport', url, err.message),
      },
      { cause: e },
    )
  }
  return new AppError(
    {
      code: 'NETWORK',
      message: `Request to ${hostOf(url)} failed: ${err?.message ?? String(e)}`,
      ...base,
      retryable: true,
      details: why('transport', url, err?.message ?? String(e)),
    },
    { cause: e },
  )
}

/** C2: the reason + params of a transport failure (errorReason.<CODE>.<reason>; Node's own text as `server`, the detail). */
function why(reason: string, url: string, server?: string): { reason: string; params: Record<string, string> } {
  const params: Record<string, string> = { host: hostOf(url) }
  if (server) params.server = server
  return { reason, params }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** The URL without user:password (proxy URLs may carry them). */
export function stripUserinfo(url: string): string {
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

export function timeoutError(kind: 'connect' | 'idle', ms: number, method: string, url: string): AppError {
  const what = kind === 'connect' ? 'Connecting' : 'No data moved'
  const seconds = Math.round(ms / 1000)
  return new AppError({
    code: 'TIMEOUT',
    message: `${what} to ${hostOf(url)} for ${seconds} s (${kind} timeout).`,
    method,
    url: stripUserinfo(url),
    retryable: true,
    details: { reason: kind, params: { host: hostOf(url), seconds } },
  })
}

export function abortErr(): Error {
  const e = new Error('The operation was aborted')
  e.name = 'AbortError'
  return e
}

// ---------------------------------------------------------------------------------------------------------------
// Issue 14: failures of the proxy itself, named (host:port, never user:password), with what to check
// ---------------------------------------------------------------------------------------------------------------

/** The proxy as messages name it: host:port (the default port spelled out), never user:password. */
export function proxyName(proxy: URL): string {
  return `${proxy.hostname}:${proxy.port || (proxy.protocol === 'https:' ? '443' : '80')}`
}

const CHECK_PROXY = 'Check the proxy of the profile (or HTTPS_PROXY / HTTP_PROXY when it uses the system proxy), or choose no proxy.'
const PROXY_DNS = new Set(['ENOTFOUND', 'EAI_AGAIN'])
const PROXY_UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'])

/**
 * A failure of the proxy as an AppError that names it, or null when it is not the proxy's (the target's TLS inside a
 * tunnel, a reset mid-transfer, a cancel: transportError words those). `sentToProxy`: the request itself went to the
 * proxy (an http:// target), so failing to connect is the proxy's failure; through a CONNECT tunnel (https:// targets)
 * only what tunnel.ts marked (`proxyStage`) is.
 *
 *   failure                                        code     reason (params: proxy, host + ...)
 *   ECONNREFUSED                                   NETWORK  proxyRefused
 *   ENOTFOUND / EAI_AGAIN                          NETWORK  proxyDns
 *   EHOSTUNREACH / ENETUNREACH / ...               NETWORK  proxyUnreachable (os)
 *   ETIMEDOUT, or no CONNECT answer in time        TIMEOUT  proxyConnect
 *   the certificate of an https:// proxy           TLS      proxyTls (os)
 *   CONNECT (or an http:// request) answered 407   NETWORK  proxyAuth (httpStatus)
 *   CONNECT answered another status                NETWORK  proxyTunnel (httpStatus)
 *   anything else while reaching the proxy         NETWORK  proxyUnreachable (os)
 */
export function proxyTransportError(e: unknown, proxy: URL, method: string, url: string, sentToProxy: boolean): AppError | null {
  if (e instanceof AppError || !e || typeof e !== 'object') return null
  const err = e as NodeJS.ErrnoException & { proxyStage?: 'connect' | 'tunnel' | 'timeout'; proxyStatus?: number }
  if (err.name === 'AbortError' || err.code === 'ABORT_ERR') return null
  const code = err.code
  // sent to the proxy: only what can fail while connecting is the proxy's (a reset mid-transfer may be the target's)
  const connecting = !!code && (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || PROXY_DNS.has(code) || PROXY_UNREACHABLE.has(code) || isTlsErrorCode(code))
  const stage = err.proxyStage ?? (sentToProxy && connecting ? 'connect' : undefined)
  if (!stage) return null
  const p = proxyName(proxy)
  const host = hostOf(url)
  const base = { method, url: stripUserinfo(url) }
  const make = (code: ErrorCode, reason: string, message: string, params: Record<string, string | number> = {}, retryable = true): AppError =>
    new AppError({ code, message, ...base, retryable, details: { reason, params: { proxy: p, host, ...params } } }, { cause: e })
  if (stage === 'tunnel') {
    const status = err.proxyStatus ?? 0
    if (status === 407) return proxyAuthError(proxy, method, url, e)
    return make(
      'NETWORK',
      'proxyTunnel',
      `The proxy ${p} refused to connect to ${host} (HTTP ${status}). Check that the proxy allows it, or list the host under “no proxy”.`,
      { httpStatus: status },
      status >= 500,
    )
  }
  if (stage === 'timeout' || code === 'ETIMEDOUT') return make('TIMEOUT', 'proxyConnect', `Could not connect to the proxy ${p} in time. ${CHECK_PROXY}`)
  if (code === 'ECONNREFUSED') return make('NETWORK', 'proxyRefused', `The proxy ${p} refused the connection (nothing listens there). ${CHECK_PROXY}`)
  if (code && PROXY_DNS.has(code)) return make('NETWORK', 'proxyDns', `The proxy host ${p} could not be resolved. ${CHECK_PROXY}`)
  if (isTlsErrorCode(code, err.message)) {
    return make(
      'TLS',
      'proxyTls',
      `The certificate of the proxy ${p} is not trusted (${err.message}). Add its CA to the profile's CA file.`,
      { os: err.message },
      false,
    )
  }
  const os = code && PROXY_UNREACHABLE.has(code) ? code : (code ?? err.message)
  return make('NETWORK', 'proxyUnreachable', `Cannot reach the proxy ${p} (${os}). ${CHECK_PROXY}`, { os })
}

/** The proxy asked for credentials (HTTP 407): proxy authentication is not supported yet. */
export function proxyAuthError(proxy: URL, method: string, url: string, cause?: unknown): AppError {
  const p = proxyName(proxy)
  const host = hostOf(url)
  return new AppError(
    {
      code: 'NETWORK',
      message: `The proxy ${p} asks for authentication (HTTP 407), which is not supported yet. Use a proxy that needs none, or list ${host} under “no proxy”.`,
      method,
      url: stripUserinfo(url),
      status: 407,
      retryable: false,
      details: { reason: 'proxyAuth', params: { proxy: p, host, httpStatus: 407 } },
    },
    cause === undefined ? undefined : { cause },
  )
}

/** No connection to the proxy within the connect timeout (an http:// target sent to the proxy). */
export function proxyTimeoutError(proxy: URL, ms: number, method: string, url: string): AppError {
  const p = proxyName(proxy)
  const seconds = Math.round(ms / 1000)
  return new AppError({
    code: 'TIMEOUT',
    message: `Could not connect to the proxy ${p} within ${seconds} s. ${CHECK_PROXY}`,
    method,
    url: stripUserinfo(url),
    retryable: true,
    details: { reason: 'proxyConnect', params: { proxy: p, host: hostOf(url), seconds } },
  })
}
