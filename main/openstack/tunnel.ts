/** Agents' TLS trust (a per-profile CA bundle on top of the system store) and CONNECT tunnels through a proxy for https. */
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import type { Duplex } from 'node:stream'
import { readCaBundleSync } from '../files/ca-bundle'

type ConnCallback = (err: Error | null, stream: Duplex) => void

/**
 * Where a failure through a proxy happened, on the error object (http.ts words it, naming the proxy):
 * `connect`: reaching the proxy itself failed (refused, DNS, TLS to an https:// proxy); `tunnel`: the proxy answered
 * the CONNECT with a status other than 200 (`proxyStatus`); `timeout`: no CONNECT answer in time.
 */
export type ProxyStage = 'connect' | 'tunnel' | 'timeout'
export type ProxyFailure = NodeJS.ErrnoException & { proxyStage?: ProxyStage; proxyStatus?: number }

/** The Proxy-Authorization header of a proxy URL with user:password (system proxies only: a profile's has none). */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined
  const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
  return `Basic ${Buffer.from(cred).toString('base64')}`
}

/** TLS options for talking to an https:// proxy itself: the trust (CA bundle, insecure switch) of the profile. */
export type ProxyTls = Pick<tls.ConnectionOptions, 'ca' | 'rejectUnauthorized'>

/**
 * A raw socket to host:port through an HTTP CONNECT tunnel (hand-written over node:http: the maintained agents,
 * https-proxy-agent and undici's ProxyAgent, are not dependencies here, and this is ~40 lines the tests cover).
 * Rejects with a ProxyFailure.
 */
export function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number, proxyTls: ProxyTls = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `${host}:${port}` }
    const auth = proxyAuthorization(proxy)
    if (auth) headers['proxy-authorization'] = auth
    const secure = proxy.protocol === 'https:'
    const opts: https.RequestOptions = {
      host: proxy.hostname,
      port: Number(proxy.port) || (secure ? 443 : 80),
      method: 'CONNECT',
      path: `${host}:${port}`,
      headers,
      agent: false,
    }
    if (secure) {
      Object.assign(opts, proxyTls)
      if (!net.isIP(proxy.hostname)) opts.servername = proxy.hostname
    }
    const req = (secure ? https : http).request(opts)
    let done = false
    const finish = (err: ProxyFailure | null, sock?: net.Socket) => {
      if (done) {
        sock?.destroy()
        return
      }
      done = true
      clearTimeout(timer)
      if (err) reject(err)
      else resolve(sock!)
    }
    const timer = setTimeout(() => {
      const e: ProxyFailure = Object.assign(new Error(`Proxy CONNECT to ${host}:${port} timed out`), { code: 'ETIMEDOUT', proxyStage: 'timeout' as const })
      finish(e)
      req.destroy(e)
    }, timeoutMs)
    req.once('connect', (res: IncomingMessage, socket: net.Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy()
        finish(
          Object.assign(new Error(`Proxy refused CONNECT to ${host}:${port}: HTTP ${res.statusCode}`), {
            code: 'ECONNREFUSED',
            proxyStage: 'tunnel' as const,
            proxyStatus: res.statusCode ?? 0,
          }),
        )
        return
      }
      finish(null, socket)
    })
    req.on('error', (e: ProxyFailure) => finish(Object.assign(e, { proxyStage: e.proxyStage ?? ('connect' as const) })))
    req.end()
  })
}

/** An https.Agent that reaches its targets through an HTTP CONNECT tunnel, then speaks TLS inside it. */
export class TunnelAgent extends https.Agent {
  private readonly proxyTls: ProxyTls

  constructor(
    private readonly proxy: URL,
    private readonly connectTimeoutMs: number,
    options: https.AgentOptions,
  ) {
    super(options)
    this.proxyTls = {}
    if (options.ca) this.proxyTls.ca = options.ca
    if (options.rejectUnauthorized !== undefined) this.proxyTls.rejectUnauthorized = options.rejectUnauthorized
  }

  override createConnection(opts: http.ClientRequestArgs, cb?: ConnCallback): undefined {
    const options = opts as tls.ConnectionOptions & { host?: string; port?: number }
    const host = options.host ?? 'localhost'
    const port = Number(options.port ?? 443)
    openTunnel(this.proxy, host, port, this.connectTimeoutMs, this.proxyTls).then(
      (socket) => cb?.(null, tls.connect({ ...options, socket, servername: options.servername ?? (net.isIP(host) ? undefined : host) })),
      (err: Error) => cb?.(err, undefined as unknown as Duplex),
    )
    return undefined
  }
}

export function readCa(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined
  // FILE/caUnreadable, caNotRegular, caTooLarge or TLS/caNoPem, with params.path (main/files/ca-bundle.ts)
  return [...tls.rootCertificates, readCaBundleSync(caFile).toString('utf8')]
}
