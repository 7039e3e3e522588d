/**
 * Serving the built renderer (out/renderer) safely: used by the app:// protocol handler and by the browser harness.
 * Pure Node: no Electron import.
 */
import { readFile, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
}

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

export type Resolved = { ok: true; path: string } | { ok: false; status: 400 | 403 }

/**
 * Maps a URL pathname (still percent-encoded, as in `new URL(x).pathname`) to a file under `root`.
 * Refuses (403) anything that would leave `root` — `..` segments in any encoding, backslashes, NUL, absolute
 * paths — rather than normalising it away; `/` maps to index.html.
 */
export function resolveStaticPath(root: string, pathname: string): Resolved {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return { ok: false, status: 400 }
  }
  if (!decoded.startsWith('/')) return { ok: false, status: 400 }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 403 }
  const segments = decoded.split('/')
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403 }
  // A drive letter or UNC-looking first segment (Windows) is never part of the renderer.
  if (segments.some((s) => /^[A-Za-z]:$/.test(s))) return { ok: false, status: 403 }
  const rel = decoded === '/' || decoded.endsWith('/') ? `${decoded}index.html` : decoded
  const base = resolve(root)
  const full = resolve(base, `.${rel}`)
  const r = relative(base, full)
  if (r === '' || r.startsWith(`..${sep}`) || r === '..' || isAbsolute(r)) return { ok: false, status: 403 }
  return { ok: true, path: full }
}

export interface StaticFile {
  status: number
  body: Buffer | string
  type: string
}

/**
 * Reads the file for a pathname. A path without an extension that does not exist falls back to index.html
 * (history-mode routes); missing assets are 404.
 */
export async function loadStatic(root: string, pathname: string): Promise<StaticFile> {
  const r = resolveStaticPath(root, pathname)
  if (!r.ok) return { status: r.status, body: r.status === 403 ? 'Forbidden' : 'Bad request', type: TYPES['.txt']! }
  let path = r.path
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  )
  if (!isFile) {
    if (extname(path) !== '') return { status: 404, body: 'Not found', type: TYPES['.txt']! }
    path = resolve(root, 'index.html')
  }
  try {
    return { status: 200, body: await readFile(path), type: contentType(path) }
  } catch {
    return { status: 404, body: 'Not found', type: TYPES['.txt']! }
  }
}
