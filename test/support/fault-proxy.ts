/**
 * Fault-injection proxy for tests: sits between a client and a REAL service (Glance, Keystone, Cinder) on loopback and
 * misbehaves on command. No dependencies beyond node:http / node:net.
 *
 * It is HTTP-aware (node:http parses requests and responses, so keep-alive, chunked bodies and `Expect: 100-continue`
 * work as with the real service) and works on the TCP connection when a fault needs it: a reset is a real RST
 * (`socket.resetAndDestroy()`), lies about Content-Length are written raw to the socket.
 *
 *     const glance = await startFaultProxy({ target: 'http://127.0.0.1:9292' })
 *     glance.addRule({ method: 'GET', path: /\/file$/, action: { kind: 'reset', direction: 'response', afterBytes: 1 << 20 } })
 *     glance.addRule({ path: /^\/v2\/images/, times: 3, action: { kind: 'status', status: 503 } })   // a burst, then pass
 *     ... point the client at glance.url ...
 *     glance.stats.faults.reset   // what it did
 *     await glance.close()        // closes every socket, timer and stall
 *
 * Getting the client to use the proxy. Keystone tokens carry the catalog with the REAL Glance URLs, so either
 *  1. set the profile's endpoint override: SessionOptions.endpointOverrides = { image: glance.url } (main/openstack/types.ts;
 *     keys are a service type or `REGION/type`), and keep authUrl pointing at Keystone (or at a Keystone proxy); or
 *  2. put a proxy in front of Keystone that rewrites the catalog URLs in its JSON responses:
 *        const ks = await startFaultProxy({ target: 'http://127.0.0.1:5000', rewrite: { 'http://127.0.0.1:9292': glance.url } })
 *     and use `${ks.url}/v3` as the auth URL: every token's catalog then names the Glance proxy.
 *
 * Rules are tried in order for each request; the first one that matches (method, path regexp against the request URL
 * with its query) and still has a turn (skip/nth/times) decides the request's fault; no rule = pass-through. Rules can be
 * added, removed and replaced while requests are in flight. A single request can also carry its fault in an
 * `X-Fault-Proxy: {"kind":"reset","afterBytes":10}` header (JSON FaultAction; removed before forwarding).
 *
 * Byte counts (`afterBytes`) count BODY bytes in the given direction. In the response direction `afterBytes: 0` acts
 * before the status line and headers are sent (a reset then looks like "socket hang up"); with afterBytes > 0 the
 * headers and that many body bytes are delivered first.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type Direction = 'request' | 'response'

export type FaultAction =
  /** Forward unchanged. */
  | { kind: 'pass' }
  /** Forward, then after `afterBytes` body bytes in `direction` (default response) reset both connections (RST). */
  | { kind: 'reset'; direction?: Direction; afterBytes?: number }
  /** Forward, hold the data after `afterBytes` for `ms` (default: until releaseStalls() or close()). */
  | { kind: 'stall'; direction?: Direction; afterBytes?: number; ms?: number }
  /** Forward at `bytesPerSecond` (after `afterBytes` at full speed). */
  | { kind: 'trickle'; direction?: Direction; bytesPerSecond: number; afterBytes?: number }
  /** Answer without forwarding: `status` (default 503) with a JSON error body like Glance's, or `body`. */
  | { kind: 'status'; status?: number; body?: string; contentType?: string; headers?: Record<string, string>; retryAfter?: number }
  /** Answer without forwarding: an HTML error page (default 502, as a load balancer in front of the API would). */
  | { kind: 'html'; status?: number; body?: string }
  /** Forward, then deliver only the first `keepBytes` (default half) of the response body, with a matching Content-Length. */
  | { kind: 'truncateJson'; keepBytes?: number }
  /** Forward (the request takes effect upstream), then replace the response body by invalid JSON (status kept). */
  | { kind: 'invalidJson'; body?: string }
  /**
   * Forward, then declare Content-Length = real length + `delta`. delta > 0: fewer bytes than declared arrive and the
   * connection closes (a truncated body); delta < 0: the whole body is sent although less was declared.
   */
  | { kind: 'lieLength'; delta: number }

export type FaultKind = FaultAction['kind']

export interface FaultRule {
  name?: string
  /** HTTP method, case-insensitive (default: any). */
  method?: string
  /** RegExp tested against the request URL (path + query), or a string the path must start with (default: any). */
  path?: RegExp | string
  /** Let this many matching requests pass before faulting. */
  skip?: number
  /** Fault only the nth matching request (1-based); same as skip = nth - 1, times = 1. */
  nth?: number
  /** Fault this many matching requests, then the rule is spent (a burst). Default: every one. */
  times?: number
  action: FaultAction
}

/** A rule as installed: live counters and remove(). */
export interface RuleHandle {
  readonly rule: FaultRule
  readonly name: string
  /** Requests that matched method and path. */
  matched: number
  /** Requests this rule faulted. */
  applied: number
  /** True when `times` faults were applied. */
  readonly spent: boolean
  remove(): void
}

export interface FaultEvent {
  seq: number
  method: string
  url: string
  rule?: string
  kind: FaultKind
  /** What happened, e.g. 'reset after 100 response bytes'. */
  detail?: string
  at: number
}

export interface FaultStats {
  connections: number
  requests: number
  /** Requests sent on to the real service. */
  forwarded: number
  /** Requests that got no fault. */
  passed: number
  faults: Record<FaultKind, number>
  /** Body bytes client -> service and service -> client. */
  bytesUp: number
  bytesDown: number
  /** Upstream connection errors (the real service down), answered 502. */
  upstreamErrors: number
}

export interface FaultProxyOptions {
  /** The real service, e.g. http://127.0.0.1:9292 (http only). */
  target: string
  host?: string
  /** 0 (default) = a free port. */
  port?: number
  rules?: FaultRule[]
  /** Replace these URLs (keys) by the values in JSON response bodies (Keystone catalogs, version documents). */
  rewrite?: Record<string, string>
  /** Honour an `X-Fault-Proxy` request header (default true). */
  headerFaults?: boolean
}

const FAULT_HEADER = 'x-fault-proxy'
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer', FAULT_HEADER])
const MAX_BUFFER = 256 * 1024 * 1024

const REASONS: Record<number, string> = http.STATUS_CODES as Record<number, string>

class Aborted extends Error {
  constructor() {
    super('fault-proxy: aborted')
  }
}

function emptyFaults(): Record<FaultKind, number> {
  return { pass: 0, reset: 0, stall: 0, trickle: 0, status: 0, html: 0, truncateJson: 0, invalidJson: 0, lieLength: 0 }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

export class FaultProxy {
  readonly target: URL
  readonly stats: FaultStats = {
    connections: 0,
    requests: 0,
    forwarded: 0,
    passed: 0,
    faults: emptyFaults(),
    bytesUp: 0,
    bytesDown: 0,
    upstreamErrors: 0,
  }
  readonly events: FaultEvent[] = []
  private rules: RuleHandle[] = []
  private readonly server: http.Server
  private readonly agent = new http.Agent({ keepAlive: true })
  private readonly sockets = new Set<Socket>()
  private readonly pending = new Set<AbortController>()
  private stallWaiters = new Set<() => void>()
  private rewrites: Array<[RegExp, string]> = []
  private readonly headerFaults: boolean
  private closed = false
  private address: AddressInfo | null = null

  constructor(private readonly opts: FaultProxyOptions) {
    this.target = new URL(opts.target)
    if (this.target.protocol !== 'http:') throw new Error(`fault-proxy: only http targets (${opts.target})`)
    this.headerFaults = opts.headerFaults ?? true
    if (opts.rewrite) this.setRewrite(opts.rewrite)
    for (const r of opts.rules ?? []) this.addRule(r)
    this.server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 })
    this.server.on('connection', (s: Socket) => {
      this.stats.connections++
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    this.server.on('request', (req, res) => {
      const sock = req.socket // captured: a consumed IncomingMessage drops its socket reference
      this.handle(req, res, sock).catch((err: unknown) => {
        if (!(err instanceof Aborted)) this.log(`handler error: ${String(err)}`)
        sock.destroy()
      })
    })
  }

  /** Listens; resolves to itself. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    this.address = this.server.address() as AddressInfo
    return this
  }

  get port(): number {
    if (!this.address) throw new Error('fault-proxy: not listening')
    return this.address.port
  }
  /** http://127.0.0.1:PORT (no trailing slash). */
  get url(): string {
    return `http://${this.opts.host ?? '127.0.0.1'}:${this.port}`
  }

  // ---------------------------------------------------------------- rules --

  addRule(rule: FaultRule): RuleHandle {
    const remove = (): void => {
      this.rules = this.rules.filter((h) => h !== handle)
    }
    const handle: RuleHandle = {
      rule,
      name: rule.name ?? `${rule.action.kind}#${this.rules.length + 1}`,
      matched: 0,
      applied: 0,
      get spent() {
        const times = rule.nth !== undefined ? 1 : rule.times
        return times !== undefined && this.applied >= times
      },
      remove,
    }
    this.rules.push(handle)
    return handle
  }
  /** Replaces all rules. */
  setRules(rules: FaultRule[]): RuleHandle[] {
    this.rules = []
    return rules.map((r) => this.addRule(r))
  }
  clearRules(): void {
    this.rules = []
  }
  /** Shorthand: fault the next matching request only. */
  once(action: FaultAction, match: Omit<FaultRule, 'action' | 'times' | 'nth' | 'skip'> = {}): RuleHandle {
    return this.addRule({ ...match, action, times: 1 })
  }
  /** Replaces the URL rewrites applied to JSON response bodies. */
  setRewrite(map: Record<string, string>): void {
    this.rewrites = Object.entries(map).flatMap(([from, to]) => {
      const f = from.replace(/\/+$/, '')
      const t = to.replace(/\/+$/, '')
      // plain and JSON-escaped (`http:\/\/...`) forms; never inside a longer port number
      return [
        [new RegExp(`${escapeRegExp(f)}(?![0-9])`, 'g'), t] as [RegExp, string],
        [new RegExp(`${escapeRegExp(f.replace(/\//g, '\\/'))}(?![0-9])`, 'g'), t.replace(/\//g, '\\/')] as [RegExp, string],
      ]
    })
  }
  /** Lets every stall without `ms` go on. */
  releaseStalls(): void {
    const w = [...this.stallWaiters]
    this.stallWaiters.clear()
    for (const f of w) f()
  }
  resetStats(): void {
    Object.assign(this.stats, { connections: 0, requests: 0, forwarded: 0, passed: 0, bytesUp: 0, bytesDown: 0, upstreamErrors: 0 })
    this.stats.faults = emptyFaults()
    this.events.length = 0
  }
  /** Number of client connections open right now. */
  get openConnections(): number {
    return this.sockets.size
  }

  /** Stops listening and destroys every connection, upstream request, timer and stall. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.rules = []
    for (const c of this.pending) c.abort()
    this.pending.clear()
    this.releaseStalls()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    this.server.closeAllConnections()
    this.agent.destroy()
    if (this.address) await closed
  }

  // ------------------------------------------------------------- internals --

  private log(msg: string): void {
    if (process.env.FAULT_PROXY_DEBUG) process.stderr.write(`[fault-proxy ${this.opts.target}] ${msg}\n`)
  }

  private pick(req: http.IncomingMessage): { action: FaultAction; rule?: string } {
    if (this.headerFaults) {
      const h = req.headers[FAULT_HEADER]
      if (typeof h === 'string' && h) {
        try {
          return { action: JSON.parse(h) as FaultAction, rule: 'header' }
        } catch {
          /* ignore a malformed header: pass */
        }
      }
    }
    const method = (req.method ?? 'GET').toUpperCase()
    const url = req.url ?? '/'
    for (const h of this.rules) {
      const r = h.rule
      if (r.method && r.method.toUpperCase() !== method) continue
      if (r.path !== undefined) {
        if (typeof r.path === 'string' ? !url.startsWith(r.path) : !new RegExp(r.path.source, r.path.flags.replace('g', '')).test(url)) continue
      }
      h.matched++
      const skip = r.nth !== undefined ? r.nth - 1 : (r.skip ?? 0)
      if (h.matched <= skip || h.spent) continue
      h.applied++
      return { action: r.action, rule: h.name }
    }
    return { action: { kind: 'pass' } }
  }

  private record(seq: number, req: http.IncomingMessage, kind: FaultKind, rule?: string, detail?: string): void {
    this.events.push({ seq, method: req.method ?? '', url: req.url ?? '', kind, ...(rule ? { rule } : {}), ...(detail ? { detail } : {}), at: Date.now() })
    this.log(`#${seq} ${req.method} ${req.url} -> ${kind}${detail ? ` (${detail})` : ''}`)
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Aborted())
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = (): void => {
        clearTimeout(t)
        reject(new Aborted())
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  private stall(ms: number | undefined, signal: AbortSignal): Promise<void> {
    if (ms !== undefined) return this.sleep(ms, signal)
    return new Promise((resolve, reject) => {
      if (signal.aborted || this.closed) return reject(new Aborted())
      const done = (): void => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        this.stallWaiters.delete(done)
        reject(new Aborted())
      }
      this.stallWaiters.add(done)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  /**
   * Copies src to write() applying a shaping action; returns 'reset' when a reset point was reached (the caller resets),
   * 'done' at the end of src.
   */
  private async shapedCopy(
    src: AsyncIterable<Buffer>,
    write: (b: Buffer) => Promise<void>,
    action: FaultAction | undefined,
    signal: AbortSignal,
    count: (n: number) => void,
  ): Promise<'done' | 'reset'> {
    let sent = 0
    let stalled = false
    const after = action && 'afterBytes' in action ? (action.afterBytes ?? 0) : 0
    const emit = async (b: Buffer): Promise<void> => {
      if (signal.aborted) throw new Aborted()
      if (b.length === 0) return
      await write(b)
      sent += b.length
      count(b.length)
    }
    if (action?.kind === 'reset' && after === 0) return 'reset'
    for await (const chunk of src) {
      let buf = chunk
      if (action?.kind === 'reset') {
        if (sent + buf.length >= after) {
          await emit(buf.subarray(0, after - sent))
          return 'reset'
        }
      } else if (action?.kind === 'stall' && !stalled) {
        if (sent + buf.length >= after) {
          const head = buf.subarray(0, after - sent)
          await emit(head)
          buf = buf.subarray(head.length)
          stalled = true
          await this.stall(action.ms, signal)
        }
      } else if (action?.kind === 'trickle') {
        if (sent < after) {
          const head = buf.subarray(0, after - sent)
          await emit(head)
          buf = buf.subarray(head.length)
        }
        const slice = Math.max(1, Math.floor(action.bytesPerSecond / 20))
        while (buf.length > 0) {
          const part = buf.subarray(0, slice)
          buf = buf.subarray(part.length)
          await emit(part)
          await this.sleep((part.length * 1000) / action.bytesPerSecond, signal)
        }
        continue
      }
      await emit(buf)
    }
    if (action?.kind === 'reset') return 'reset' // body shorter than afterBytes: reset at its end
    if (action?.kind === 'stall' && !stalled) await this.stall(action.ms, signal) // e.g. a GET: hold the request
    return 'done'
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, sock: Socket): Promise<void> {
    const seq = ++this.stats.requests
    const { action, rule } = this.pick(req)
    const ac = new AbortController()
    this.pending.add(ac)
    const onClose = (): void => ac.abort()
    sock.once('close', onClose)
    res.sendDate = false
    try {
      await this.dispatch(seq, req, res, sock, action, rule, ac.signal)
    } finally {
      sock.off('close', onClose)
      this.pending.delete(ac)
    }
  }

  private async dispatch(
    seq: number,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    sock: Socket,
    action: FaultAction,
    rule: string | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const kind = action.kind
    if (kind === 'pass') this.stats.passed++
    else this.stats.faults[kind]++

    // ---- answered here, never forwarded
    if (kind === 'status' || kind === 'html') {
      const status = action.status ?? (kind === 'status' ? 503 : 502)
      const reason = REASONS[status] ?? 'Error'
      let body: string
      let type: string
      if (kind === 'html') {
        body =
          action.body ??
          `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>fault-proxy</center>\r\n</body>\r\n</html>\r\n`
        type = 'text/html; charset=UTF-8'
      } else {
        body = action.body ?? JSON.stringify({ message: `fault-proxy: injected ${status}`, code: status, title: reason })
        type = action.contentType ?? 'application/json'
      }
      const headers: Record<string, string | number> = { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }
      if (kind === 'status' && action.retryAfter !== undefined) headers['Retry-After'] = action.retryAfter
      if (kind === 'status') Object.assign(headers, action.headers ?? {})
      this.record(seq, req, kind, rule, `answered ${status} without forwarding`)
      req.resume() // drain a request body so that keep-alive goes on
      res.writeHead(status, reason, headers)
      res.end(body)
      return
    }

    // ---- forwarded
    const dir: Direction | undefined = kind === 'reset' || kind === 'stall' || kind === 'trickle' ? (action.direction ?? 'response') : undefined
    const headers: http.OutgoingHttpHeaders = {}
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v
    this.stats.forwarded++
    const upReq = http.request({
      host: this.target.hostname,
      port: this.target.port || 80,
      method: req.method,
      path: req.url,
      headers,
      agent: this.agent,
    })
    const abortUp = (): void => {
      upReq.destroy()
    }
    signal.addEventListener('abort', abortUp, { once: true })

    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      upReq.once('response', resolve)
      upReq.once('error', reject)
    })
    response.catch(() => {}) // handled below

    // request body: client -> service
    const requestDone = (async (): Promise<'done' | 'reset'> => {
      const r = await this.shapedCopy(
        req,
        (b) =>
          new Promise<void>((resolve) => {
            if (upReq.write(b)) resolve()
            else upReq.once('drain', resolve)
          }),
        dir === 'request' ? action : undefined,
        signal,
        (n) => (this.stats.bytesUp += n),
      )
      if (r === 'done') upReq.end()
      return r
    })()

    const resetRequest = (): void => {
      this.record(seq, req, kind, rule, `reset after ${'afterBytes' in action ? (action.afterBytes ?? 0) : 0} request bytes`)
      upReq.destroy()
      if (!sock.destroyed) sock.resetAndDestroy()
    }
    const reqResult = await Promise.race([
      requestDone,
      response.then(
        () => 'response' as const,
        () => 'error' as const,
      ),
    ])
    if (reqResult === 'reset') return resetRequest()
    // the service may answer before the whole request body was read (413, 401...): the body keeps flowing (or resets)
    requestDone.then(
      (r) => r === 'reset' && resetRequest(),
      () => {},
    )

    let upRes: http.IncomingMessage
    try {
      upRes = await response
    } catch (err) {
      if (signal.aborted) throw new Aborted()
      this.stats.upstreamErrors++
      this.record(seq, req, kind, rule, `upstream error ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
      if (!res.headersSent) {
        const body = JSON.stringify({ message: `fault-proxy: upstream ${this.opts.target} unreachable`, code: 502, title: 'Bad Gateway' })
        res.writeHead(502, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' })
        res.end(body)
      } else sock.destroy()
      return
    }

    const status = upRes.statusCode ?? 502
    const reason = upRes.statusMessage || REASONS[status] || ''
    const rawHeaders = (drop: string[]): string[] => {
      const out: string[] = []
      const skip = new Set([...drop, 'keep-alive'])
      for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
        const k = upRes.rawHeaders[i]!
        if (!skip.has(k.toLowerCase())) out.push(k, upRes.rawHeaders[i + 1]!)
      }
      return out
    }
    const isJson = /json/i.test(String(upRes.headers['content-type'] ?? ''))
    const bodyKinds = kind === 'truncateJson' || kind === 'invalidJson' || kind === 'lieLength'
    const rewrite = this.rewrites.length > 0 && isJson && !bodyKinds

    if (bodyKinds || rewrite) {
      // buffered: the body is changed as a whole
      const chunks: Buffer[] = []
      let size = 0
      for await (const c of upRes as AsyncIterable<Buffer>) {
        chunks.push(c)
        size += c.length
        if (size > MAX_BUFFER) throw new Error('fault-proxy: body too large to rewrite')
      }
      let body = Buffer.concat(chunks)
      if (this.rewrites.length > 0 && isJson) {
        let text = body.toString('utf8')
        for (const [re, to] of this.rewrites) text = text.replace(re, to)
        body = Buffer.from(text, 'utf8')
      }
      if (kind === 'lieLength') {
        const declared = Math.max(0, body.length + action.delta)
        this.record(seq, req, kind, rule, `declared ${declared}, sent ${body.length}`)
        const lines = [`HTTP/1.1 ${status} ${reason}`]
        const kept = rawHeaders(['content-length', 'transfer-encoding', 'connection'])
        for (let i = 0; i < kept.length; i += 2) lines.push(`${kept[i]}: ${kept[i + 1]}`)
        lines.push(`Content-Length: ${declared}`, 'Connection: close', '', '')
        const head = lines.join('\r\n')
        // the declared part first; the rest (if more was sent than declared) once the client has taken its response
        const first = body.subarray(0, Math.min(body.length, declared))
        const rest = body.subarray(first.length)
        sock.on('error', () => {}) // the client may close before the excess arrives (EPIPE)
        this.stats.bytesDown += first.length
        await new Promise<void>((resolve) => sock.write(Buffer.concat([Buffer.from(head, 'latin1'), first]), () => resolve()))
        if (rest.length > 0 && !sock.destroyed) {
          await this.sleep(50, signal).catch(() => {})
          if (!sock.destroyed) {
            this.stats.bytesDown += rest.length
            sock.write(rest)
          }
        }
        sock.end()
        return
      }
      if (kind === 'truncateJson') {
        const keep = Math.min(Math.max(0, action.keepBytes ?? Math.floor(body.length / 2)), Math.max(0, body.length - 1))
        body = body.subarray(0, keep)
        this.record(seq, req, kind, rule, `body cut to ${keep} bytes`)
      } else if (kind === 'invalidJson') {
        body = Buffer.from(action.body ?? `{"fault-proxy": invalid json, 'single': [1, 2,], }`, 'utf8')
        this.record(seq, req, kind, rule, `body replaced (upstream ${status})`)
      } else this.record(seq, req, 'pass', rule, 'catalog/URL rewrite')
      const h = rawHeaders(['content-length', 'transfer-encoding'])
      h.push('Content-Length', String(body.length))
      res.writeHead(status, reason, h)
      this.stats.bytesDown += body.length
      res.end(body)
      return
    }

    // streamed: client <- service, shaped
    let headSent = false
    const sendHead = (): void => {
      if (headSent) return
      headSent = true
      res.writeHead(status, reason, rawHeaders([]))
    }
    const resAction = dir === 'response' ? action : undefined
    const after = resAction && 'afterBytes' in resAction ? (resAction.afterBytes ?? 0) : 0
    if (resAction?.kind === 'stall' && after === 0) {
      this.record(seq, req, kind, rule, `stall before the response head${resAction.ms !== undefined ? ` for ${resAction.ms} ms` : ''}`)
      await this.stall(resAction.ms, signal)
    } else if (resAction && !(resAction.kind === 'reset' && after === 0)) {
      sendHead()
      res.flushHeaders()
    }
    const result = await this.shapedCopy(
      upRes,
      (b) =>
        new Promise<void>((resolve) => {
          sendHead()
          if (res.write(b)) resolve()
          else res.once('drain', resolve)
        }),
      resAction?.kind === 'stall' && after === 0 ? undefined : resAction,
      signal,
      (n) => (this.stats.bytesDown += n),
    )
    if (result === 'reset') {
      this.record(seq, req, kind, rule, `reset after ${after} response bytes`)
      // let the bytes already written reach the client, then RST
      for (let i = 0; i < 100 && sock.writableLength > 0 && !sock.destroyed; i++) await new Promise((r) => setTimeout(r, 5))
      upRes.destroy()
      upReq.destroy()
      if (!sock.destroyed) sock.resetAndDestroy()
      return
    }
    if (kind !== 'pass' && !this.events.some((e) => e.seq === seq)) {
      this.record(seq, req, kind, rule, kind === 'trickle' ? `${action.bytesPerSecond} B/s ${dir}` : `${dir}`)
    }
    sendHead()
    res.end()
  }
}

/** Starts a fault proxy in front of `target` and waits until it listens. */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  return new FaultProxy(opts).listen()
}
