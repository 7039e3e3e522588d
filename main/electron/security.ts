/**
 * Locks down every WebContents the app ever creates and its session: no new windows (http(s) links go to the user's
 * browser through the one checked helper), no navigation or redirect away from our origin, no <webview>, and every
 * permission request or check denied.
 */
import type { App, Session, WebContents } from 'electron'
import { isAllowedExternalUrl } from '../external'

export interface HardenOptions {
  /** true for URLs on our own origin (app://glance, or the dev server in development). */
  isAppUrl(url: string): boolean
  /** The checked external opener (openExternalChecked). */
  openExternal(url: string): Promise<unknown>
  onBlocked?: (what: string, url: string) => void
}

type Preventable = { preventDefault(): void; url?: string }

export function hardenWebContents(contents: WebContents, opts: HardenOptions): void {
  const blocked = (what: string, url: string): void => opts.onBlocked?.(what, url)

  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) {
      void opts.openExternal(url).catch(() => blocked('openExternal failed', url))
    } else {
      blocked('window.open', url)
    }
    return { action: 'deny' }
  })

  const guardNavigation =
    (what: string) =>
    (event: Preventable, legacyUrl?: string): void => {
      const url = event.url ?? legacyUrl ?? ''
      if (!opts.isAppUrl(url)) {
        event.preventDefault()
        blocked(what, url)
      }
    }
  contents.on('will-navigate', guardNavigation('will-navigate'))
  contents.on('will-frame-navigate', guardNavigation('will-frame-navigate'))
  contents.on('will-redirect', guardNavigation('will-redirect'))

  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    blocked('will-attach-webview', '')
  })
}

/**
 * Denies every permission request and check (camera, microphone, notifications API, geolocation, HID, USB, serial,
 * clipboard read, ...). One exception, when `isAppUrl` is given: `clipboard-sanitized-write` (navigator.clipboard
 * .writeText, the "copy image ID" buttons) for our own origin only. Writing sanitized text to the clipboard reveals
 * nothing; reading it stays denied.
 */
export function denyAllPermissions(session: Session, isAppUrl?: (url: string) => boolean): void {
  const allowed = (permission: string, url: string | undefined): boolean =>
    !!isAppUrl && permission === 'clipboard-sanitized-write' && typeof url === 'string' && isAppUrl(url)
  session.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(allowed(permission, (details as { requestingUrl?: string }).requestingUrl)),
  )
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => allowed(permission, requestingOrigin))
  session.setDevicePermissionHandler(() => false)
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null))
}

/** Applies hardenWebContents to every WebContents created from now on (windows, devtools, anything). */
export function hardenApp(app: App, opts: HardenOptions): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, opts))
}

/** Command-line switches that open a debugger or DevTools endpoint into the app (Chromium's and Node's). */
export const DEBUG_SWITCHES = [
  'remote-debugging-port',
  'remote-debugging-pipe',
  'remote-debugging-address',
  'remote-allow-origins',
  'inspect',
  'inspect-brk',
  'inspect-port',
  'inspect-wait',
  'debug',
  'debug-brk',
  'js-flags',
] as const

/**
 * The debugging switches on a command line (pure). Chromium reads `--x`, `-x` and (Windows) `/x`, with or without
 * `=value`, up to a bare `--`; all are matched, case-insensitively. A packaged app refuses to start when any is given.
 */
export function debugSwitches(argv: readonly string[]): string[] {
  const found: string[] = []
  for (const arg of argv) {
    if (arg === '--') break
    const m = /^(?:--|-|\/)([A-Za-z][\w-]*)(?:=.*)?$/s.exec(arg)
    const name = m?.[1]?.toLowerCase()
    if (name && (DEBUG_SWITCHES as readonly string[]).includes(name)) found.push(name)
  }
  return found
}
