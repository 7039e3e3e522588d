/**
 * The `app://glance/` protocol: serves out/renderer in production with the app's CSP header. A custom, standard,
 * secure scheme gives the renderer a real origin (unlike file://), so navigation and IPC senders can be checked
 * against it and file:// needs no extra privileges.
 */
import { protocol } from 'electron'
import { CSP, securityHeaders } from '../serve/csp'
import { loadStatic } from '../serve/static'
import { APP_HOST, APP_SCHEME } from './scheme'

export { APP_HOST, APP_SCHEME, APP_URL } from './scheme'

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ])
}

/** The request handler, separate from Electron so that it can be tested with plain Requests. */
export function createAppProtocolHandler(root: string, csp: string = CSP): (request: Request) => Promise<Response> {
  return async (request) => {
    const headers = securityHeaders(csp)
    let url: URL
    try {
      url = new URL(request.url)
    } catch {
      return new Response('Bad request', { status: 400, headers })
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response('Not found', { status: 404, headers })
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405, headers })
    const file = await loadStatic(root, url.pathname)
    return new Response(request.method === 'HEAD' ? null : file.body, {
      status: file.status,
      headers: { ...headers, 'Content-Type': file.type, 'Cache-Control': 'no-cache' },
    })
  }
}

/** Call once the app is ready. */
export function handleAppProtocol(root: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(root))
}
