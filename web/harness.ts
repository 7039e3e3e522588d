/**
 * The browser harness: plain Node (never imports electron). Builds the same services as the app over a web
 * Platform, serves the built renderer (out/renderer) on 127.0.0.1 with the app's CSP, and binds the very same
 * HandlerMap over a loopback WebSocket, so a browser (a developer's, or Playwright's Chromium) drives the real
 * renderer against the real main-process services.
 *
 * Security: a per-run random secret. The first page load carries it (`/?token=SECRET`) and gets it back as an
 * HttpOnly SameSite=Strict cookie; every other request needs the cookie, the `token` query or an
 * `X-Harness-Token` header (401 otherwise); the WebSocket upgrade needs the secret AND `Origin` equal to the
 * harness's own origin (403 otherwise); the Host header must be the harness's own (DNS rebinding).
 *
 *   npm run build && npm run web      # prints: Glance Desktop harness: http://127.0.0.1:PORT/?token=...
 *   PORT=5174 GLANCE_DESKTOP_DATA_DIR=/tmp/gd npm run web
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer, WebSocket, type RawData } from 'ws'
import { createServices, type Services } from '../main/services'
import { dispatch } from '../main/ipc/dispatch'
import type { Logger } from '../main/log'
import { contentSecurityPolicy, securityHeaders } from '../main/serve/csp'
import { loadStatic, resolveStaticPath } from '../main/serve/static'
import { createWebPlatform, type CipherMode, type WebPlatform } from './platform'
import { decodeRequest, type WireEvent, type WireResponse } from './wire'

export interface HarnessOptions {
  /** TCP port on 127.0.0.1; 0 (default, or PORT) picks a free one. */
  port?: number
  /** Settings, secrets, queue and logs; default GLANCE_DESKTOP_DATA_DIR or a fresh temp folder. */
  dataDir?: string
  /** What the services see as the environment (OS_* become a ready profile). Default process.env. */
  env?: NodeJS.ProcessEnv
  cipher?: CipherMode
  /** The built renderer; default out/renderer. */
  rendererDir?: string
  /** The built browser bridge; default out/web/bridge.js. */
  bridgeFile?: string
  /** The per-run secret; random by default (tests may fix it). */
  token?: string
  /** Start the transfer queue (default true). */
  startQueue?: boolean
  /** Issue 16.4: sign in with the last listed profile at once, as the app does (default true). */
  warmStart?: boolean
  logger?: Logger
  /** Diagnostic lines (dialogs, shell, refused requests); default silent. */
  log?: (line: string) => void
}

export interface Harness {
  /** The URL to open, with the secret. */
  url: string
  /** http://127.0.0.1:PORT */
  origin: string
  port: number
  token: string
  dataDir: string
  platform: WebPlatform
  services: Services
  close(): Promise<void>
}

export const COOKIE_PREFIX = 'glance_harness_'
const WS_PATH = '/__harness/ws'
const BRIDGE_PATH = '/__harness/bridge.js'
const DIALOG_PATH = '/__harness/dialog'
const STATE_PATH = '/__harness/state'

const here = dirname(fileURLToPath(import.meta.url))

/** Built layout: out/web/harness.js next to out/renderer; source layout (vitest): web/harness.ts, build in out/. */
const builtLayout = fileURLToPath(import.meta.url).endsWith('.js')
const OUT = builtLayout ? resolve(here, '..') : resolve(here, '../out')

function readVersion(): string {
  for (const p of [resolve(here, '../package.json'), resolve(here, '../../package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'glance-desktop' && pkg.version) return pkg.version
    } catch {
      /* next */
    }
  }
  return '0.0.0'
}

function sameSecret(given: string | null | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const i = part.indexOf('=')
    if (i > 0 && part.slice(0, i).trim() === name) {
      // A malformed escape (`name=%`) is a wrong secret, not a crash (decodeURIComponent throws URIError).
      try {
        return decodeURIComponent(part.slice(i + 1).trim())
      } catch {
        return null
      }
    }
  }
  return null
}

/** Inserts the bridge before the first script of index.html, so window.api exists before the app starts. */
export function injectBridge(html: string, src = BRIDGE_PATH): string {
  const tag = `<script type="module" src="${src}"></script>`
  const i = html.search(/<script\b/i)
  if (i >= 0) return `${html.slice(0, i)}${tag}\n    ${html.slice(i)}`
  return html.replace(/<\/head>/i, `  ${tag}\n  </head>`)
}

async function readJsonBody(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new Error('body too large')
    chunks.push(chunk as Buffer)
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const env = opts.env ?? process.env
  const log = opts.log ?? (() => {})
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const rendererDir = opts.rendererDir ?? resolve(OUT, 'renderer')
  const bridgeFile = opts.bridgeFile ?? resolve(OUT, 'web/bridge.js')
  if (!existsSync(resolve(rendererDir, 'index.html'))) {
    throw new Error(`No built renderer at ${rendererDir}: run \`npm run build\` first.`)
  }
  if (!existsSync(bridgeFile)) throw new Error(`No built bridge at ${bridgeFile}: run \`npm run build\` first.`)

  const platform = createWebPlatform({
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
    ...(opts.cipher !== undefined ? { cipher: opts.cipher } : {}),
    env,
    version: readVersion(),
    log,
  })
  const services = await createServices(platform, {
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.startQueue !== undefined ? { startQueue: opts.startQueue } : {}),
    warmStart: opts.warmStart ?? true,
  })

  // Filled in once listening (the port is needed for the CSP, cookie name and origin checks).
  let origin = ''
  let host = ''
  let cookieName = ''
  let csp = ''

  const authorized = (req: IncomingMessage, url: URL): boolean =>
    sameSecret(url.searchParams.get('token'), token) ||
    sameSecret(cookieValue(req.headers.cookie, cookieName), token) ||
    sameSecret(typeof req.headers['x-harness-token'] === 'string' ? req.headers['x-harness-token'] : null, token)

  const send = (res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { ...securityHeaders(csp), 'Content-Type': type, 'Cache-Control': 'no-store', ...extra })
    res.end(body)
  }
  const json = (res: ServerResponse, status: number, value: unknown): void => send(res, status, JSON.stringify(value), 'application/json; charset=utf-8')

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Refuse traversal on the raw path, before the URL parser normalises `%2e%2e` segments away.
    const raw = resolveStaticPath(rendererDir, (req.url ?? '/').split('?')[0] ?? '/')
    if (!raw.ok) return send(res, raw.status, raw.status === 403 ? 'Forbidden' : 'Bad request', 'text/plain; charset=utf-8')
    const url = new URL(req.url ?? '/', origin)
    if (req.headers.host !== host) {
      log(`refused host ${String(req.headers.host)}`)
      return send(res, 403, 'Forbidden: wrong Host', 'text/plain; charset=utf-8')
    }
    if (!authorized(req, url)) {
      log(`refused ${req.method} ${url.pathname} without the secret`)
      return send(res, 401, 'Unauthorized: open the URL printed by `npm run web` (it carries the secret).', 'text/plain; charset=utf-8')
    }
    const cookie = `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`

    if (url.pathname === DIALOG_PATH) {
      if (req.method !== 'POST') return json(res, 405, { error: 'POST {"path": "..."}, {"path": null} or {"confirm": true|false}' })
      if (!String(req.headers['content-type']).startsWith('application/json')) return json(res, 415, { error: 'JSON only' })
      let body: unknown
      try {
        body = await readJsonBody(req)
      } catch {
        return json(res, 400, { error: 'bad JSON' })
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) return json(res, 400, { error: 'a JSON object' })
      const b = body as { path?: unknown; paths?: unknown; clear?: unknown; confirm?: unknown; confirms?: unknown }
      if (b.clear === true) platform.dialogs.clear()
      const answers = Array.isArray(b.paths) ? b.paths : 'path' in b ? [b.path] : []
      if (!answers.every((a) => a === null || (typeof a === 'string' && a.length > 0 && a.length <= 4096))) {
        return json(res, 400, { error: 'path must be a non-empty string or null' })
      }
      // The answers of main-process confirmations (a secret going somewhere new, a public image, a manifest's file).
      const confirms = Array.isArray(b.confirms) ? b.confirms : 'confirm' in b ? [b.confirm] : []
      if (!confirms.every((a) => typeof a === 'boolean')) return json(res, 400, { error: 'confirm must be true or false' })
      for (const a of answers) platform.dialogs.queue(a as string | null)
      for (const a of confirms) platform.dialogs.queueConfirm(a as boolean)
      log(`dialog answers queued: ${answers.length}, confirmations: ${confirms.length}`)
      return json(res, 200, { pending: platform.dialogs.pending(), confirmsPending: platform.dialogs.pendingConfirms() })
    }
    if (url.pathname === STATE_PATH) {
      return json(res, 200, {
        dialogsPending: platform.dialogs.pending(),
        confirmsPending: platform.dialogs.pendingConfirms(),
        dialogsAsked: platform.dialogs.asked,
        opened: platform.shell.opened,
        notifications: platform.shell.notifications,
        progress: platform.shell.progress,
        clients: wss.clients.size,
      })
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed', 'text/plain; charset=utf-8')
    if (url.pathname === BRIDGE_PATH) {
      return send(res, 200, await readFile(bridgeFile), 'text/javascript; charset=utf-8')
    }
    const file = await loadStatic(rendererDir, url.pathname)
    if (file.status === 200 && file.type.startsWith('text/html')) {
      return send(res, 200, injectBridge(file.body.toString()), file.type, { 'Set-Cookie': cookie })
    }
    return send(res, file.status, file.body, file.type)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`error ${String(e)}`)
      if (!res.headersSent) send(res, 500, 'Internal error', 'text/plain; charset=utf-8')
      else res.destroy()
    })
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 })
  const refuse = (socket: Socket, status: 401 | 403 | 404, why: string): void => {
    log(`refused WebSocket: ${why}`)
    socket.end(
      `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    )
    socket.destroy()
  }
  server.on('upgrade', (req, socket: Socket, head) => {
    const url = new URL(req.url ?? '/', origin)
    if (url.pathname !== WS_PATH) return refuse(socket, 404, `path ${url.pathname}`)
    if (req.headers.host !== host) return refuse(socket, 403, `host ${String(req.headers.host)}`)
    if (req.headers.origin !== origin) return refuse(socket, 403, `origin ${String(req.headers.origin)}`)
    if (!authorized(req, url)) return refuse(socket, 401, 'no secret')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return
      const msg = decodeRequest(data.toString())
      if (!msg) return
      void dispatch(services.handlers, msg.channel, msg.args, (channel, err) => log(`${channel}: ${err.code} ${err.message}`)).then((result) => {
        const frame: WireResponse = { id: msg.id, result }
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame))
      })
    })
  })

  const unsubscribe = services.events.subscribe((event, payload) => {
    const wire: WireEvent = { event, payload }
    const frame = JSON.stringify(wire)
    for (const ws of wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(frame)
  })

  const wanted = opts.port ?? (env.PORT ? Number(env.PORT) : 0)
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(wanted, '127.0.0.1', () => {
      server.off('error', fail)
      ok()
    })
  })
  const port = (server.address() as AddressInfo).port
  host = `127.0.0.1:${port}`
  origin = `http://${host}`
  cookieName = `${COOKIE_PREFIX}${port}`
  csp = contentSecurityPolicy({ connectSrc: [`ws://${host}`] })

  let closed: Promise<void> | null = null
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    dataDir: platform.dataDir,
    platform,
    services,
    close() {
      closed ??= (async () => {
        unsubscribe()
        for (const ws of wss.clients) ws.terminate()
        wss.close()
        await new Promise<void>((ok) => {
          server.close(() => ok())
          server.closeAllConnections()
        })
        await services.close()
      })()
      return closed
    },
  }
}

async function main(): Promise<void> {
  const harness = await startHarness({ log: (line) => process.stderr.write(`harness: ${line}\n`) })
  process.stdout.write(`Glance Desktop harness: ${harness.url}\n`)
  process.stderr.write(`harness: data in ${harness.dataDir}; Ctrl-C to stop\n`)
  const stop = (): void => {
    void harness.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`harness: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })
}
