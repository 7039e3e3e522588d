/**
 * A tiny FORWARD proxy on loopback for the proxy tests (issue 14): what a corporate HTTP proxy does, over node:http.
 * No npm proxy package is installed here (`proxy`, `http-proxy` are not in node_modules), so this is written out:
 *
 *   - absolute-URI requests (`GET http://127.0.0.1:9292/v2/images HTTP/1.1`): forwarded to that host, bodies streamed
 *     both ways (uploads and downloads of image data), hop-by-hop headers dropped;
 *   - CONNECT host:port: a TCP tunnel to the target (https:// targets; the TLS inside is the client's and the target's);
 *   - every request is recorded ({ method, host, path }) so that a test can say what went through it;
 *   - optionally served over TLS (an https:// proxy), or answering CONNECT / every request with a fixed status.
 *
 * It forwards to the REAL services the URL names (Keystone, Glance): it imitates nothing.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import https from 'node:https'
import net, { type AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'

export interface Seen {
  method: string
  /** host:port of the target. */
  host: string
  /** The path (absolute-URI requests); '' for CONNECT. */
  path: string
}

export interface ForwardProxyOptions {
  /** Serve the proxy over TLS (an https:// proxy). */
  tls?: { key: Buffer; cert: Buffer }
  /** Answer every request and CONNECT with this status instead of forwarding (e.g. 403, 407). */
  answer?: number
}

export interface ForwardProxy {
  /** http://127.0.0.1:PORT (or https://). */
  url: string
  port: number
  seen: Seen[]
  /** The recorded requests to a target host:port. */
  to(host: string): Seen[]
  close(): Promise<void>
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {}
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v
  return out
}

export async function startForwardProxy(opts: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const seen: Seen[] = []
  const sockets = new Set<Duplex>()
  const upstream = new http.Agent({ keepAlive: true })

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end('absolute URI required')
      return
    }
    seen.push({ method: req.method ?? '', host: target.host, path: `${target.pathname}${target.search}` })
    if (opts.answer) {
      res.writeHead(opts.answer, { 'content-type': 'text/plain', ...(opts.answer === 407 ? { 'proxy-authenticate': 'Basic realm="test"' } : {}) })
      res.end(`proxy answers ${opts.answer}`)
      return
    }
    const up = http.request(
      {
        host: target.hostname,
        port: Number(target.port) || 80,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: { ...endToEnd(req.headers), host: target.host },
        agent: upstream,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, endToEnd(r.headers))
        r.pipe(res)
        r.on('error', () => res.destroy())
      },
    )
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway')
      else res.destroy()
    })
    req.on('error', () => up.destroy())
    req.pipe(up)
  }

  const onConnect = (req: IncomingMessage, client: Duplex, head: Buffer): void => {
    const authority = req.url ?? ''
    seen.push({ method: 'CONNECT', host: authority, path: '' })
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => client.destroy())
    if (opts.answer) {
      client.end(`HTTP/1.1 ${opts.answer} Refused\r\ncontent-length: 0\r\n\r\n`)
      return
    }
    const i = authority.lastIndexOf(':')
    const up = net.connect(Number(authority.slice(i + 1)), authority.slice(0, i).replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) up.write(head)
      up.pipe(client)
      client.pipe(up)
    })
    sockets.add(up)
    up.on('close', () => sockets.delete(up))
    up.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n')
      client.destroy()
    })
    client.on('close', () => up.destroy())
  }

  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest) : http.createServer(onRequest)
  server.on('connect', onConnect)
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    seen,
    to: (host) => seen.filter((s) => s.host === host),
    async close() {
      for (const s of sockets) s.destroy()
      upstream.destroy()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

/** A loopback port nothing listens on (bound, then closed): a proxy that refuses. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as AddressInfo).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}
