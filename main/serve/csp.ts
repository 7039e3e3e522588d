/**
 * The one Content-Security-Policy of the app. The production protocol handler (main/electron/protocol.ts) sends it as a
 * header, the browser harness (web/harness.ts) sends it with its loopback WebSocket added to `connect-src`, and
 * renderer/index.html carries the same policy in a <meta> tag (a test keeps the two in step).
 *
 * Pure: no Electron import, so plain Node (the harness) can use it.
 */

export interface CspOptions {
  /** Extra `connect-src` sources (the harness adds its `ws://127.0.0.1:PORT`). */
  connectSrc?: string[]
}

const BASE: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['default-src', ["'self'"]],
  ['script-src', ["'self'"]],
  ['style-src', ["'self'"]],
  ['img-src', ["'self'", 'data:']],
  ['font-src', ["'self'", 'data:']],
  ['connect-src', ["'self'"]],
  ['object-src', ["'none'"]],
  ['base-uri', ["'none'"]],
  ['form-action', ["'none'"]],
  ['frame-ancestors', ["'none'"]],
]

/** The policy as a header value. */
export function contentSecurityPolicy(opts: CspOptions = {}): string {
  return BASE.map(([directive, sources]) => {
    const all = directive === 'connect-src' ? [...sources, ...(opts.connectSrc ?? [])] : sources
    return `${directive} ${all.join(' ')}`
  }).join('; ')
}

/** The production policy (app:// origin). */
export const CSP = contentSecurityPolicy()

/** Headers sent with every response that serves the renderer, in the app and in the harness. */
export function securityHeaders(csp: string = CSP): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
}
