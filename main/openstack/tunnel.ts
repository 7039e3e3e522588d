/** Agents' TLS trust (a per-profile CA bundle on top of the system store) and CONNECT tunnels through a proxy for https. */
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import type { Duplex } from 'node:stream'
import { AppError } from '../../preload/api'

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

/** A CA bundle is small: a larger "bundle" (or /dev/zero) is refused, not read into memory. */
const MAX_CA_BYTES = 1024 * 1024

/**
 * Reads a regular file of at most MAX_CA_BYTES. Opened with O_NONBLOCK and checked on the descriptor, so a FIFO
 * (which would block the main process forever) or a device is refused without waiting (B1).
 */
function readSmallRegularFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0))
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new Error('not a regular file')
    if (st.size > MAX_CA_BYTES) throw new Error(`larger than ${MAX_CA_BYTES} bytes`)
    const buf = Buffer.alloc(st.size + 1)
    let got = 0
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got)
      if (n === 0) break
      got += n
    }
    if (got > st.size) throw new Error(`larger than ${MAX_CA_BYTES} bytes`)
    return buf.subarray(0, got).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

export function readCa(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined
  let pem: string
  try {
    pem = readSmallRegularFile(caFile)
  } catch (e) {
    throw new AppError({ code: 'FILE', message: `Cannot read the CA bundle ${caFile}: ${(e as Error).message}`, details: { reason: 'caUnreadable', params: { path: caFile } } }, { cause: e })
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new AppError({ code: 'TLS', message: `The CA bundle ${caFile} holds no PEM certificate.` })
  }
  return [...tls.rootCertificates, pem]
}
