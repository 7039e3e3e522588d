/** Agents' TLS trust (a per-profile CA bundle on top of the system store) and CONNECT tunnels through a proxy for https. */
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import type { Duplex } from 'node:stream'
import { readCaBundleSync } from '../files/ca-bundle'

type ConnCallback = (err: Error | null, stream: Duplex) => void

/** An https.Agent that reaches its targets through an HTTP CONNECT tunnel, then speaks TLS inside it. */
export class TunnelAgent extends https.Agent {
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

export function readCa(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined
  // FILE/caUnreadable, caNotRegular, caTooLarge or TLS/caNoPem, with params.path (main/files/ca-bundle.ts)
  return [...tls.rootCertificates, readCaBundleSync(caFile).toString('utf8')]
}
