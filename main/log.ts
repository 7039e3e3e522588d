/**
 * The app's log: one JSON line per record, secrets redacted before anything is written.
 * (Rotation and diagnostics export build on this; see main/diagnostics.ts.)
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

export type Level = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void
  info(msg: string, data?: Record<string, unknown>): void
  warn(msg: string, data?: Record<string, unknown>): void
  error(msg: string, data?: Record<string, unknown>): void
  /** Add a literal secret (password, token) that must never appear in the log. */
  addSecret(secret: string): void
  /** `redact` with this logger's current secrets (e.g. to re-redact old log lines for the diagnostics export). */
  redact?(value: unknown): unknown
}

const SECRET_KEYS = /pass(word)?|secret|token|credential|authorization|cookie|x-auth|x-subject/i

/**
 * Query parameters whose values are kept in logs (Glance's own list and paging parameters: ids, sizes, filters).
 * Every other value is redacted: a pre-signed URL's signature, `?token=`, `?sig=` and whatever a server invents.
 */
const PLAIN_QUERY_KEYS = new Set([
  'limit',
  'marker',
  'sort',
  'sort_key',
  'sort_dir',
  'visibility',
  'status',
  'member_status',
  'os_hidden',
  'name',
  'owner',
  'tag',
  'disk_format',
  'container_format',
  'size_min',
  'size_max',
  'protected',
])

/** Keys whose 32-hex values are ids or checksums, not tokens (Keystone ids and md5 have the UUID-token shape). */
const ID_KEYS = /(^|[_-])(id|ids|md5|checksum|hash)$|Id$|^(owner|marker|project|user|domain|md5|checksum|os_hash_value)$/i

const URL_RE = /\b(https?|wss?):\/\/[^\s"'<>\\]+/gi

/** A URL with its user info removed, its fragment dropped and its query values redacted (but PLAIN_QUERY_KEYS). */
export function redactUrl(raw: string): string {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    return raw
  }
  if (!u.username && !u.password && !u.search && !u.hash) return raw
  const userinfo = u.username || u.password ? '[REDACTED]@' : ''
  let query = ''
  if (u.search) {
    const parts = u.search
      .slice(1)
      .split('&')
      .map((kv) => {
        const i = kv.indexOf('=')
        const key = i < 0 ? kv : kv.slice(0, i)
        let name = key
        try {
          name = decodeURIComponent(key)
        } catch {
          /* keep */
        }
        return i < 0 || PLAIN_QUERY_KEYS.has(name.toLowerCase()) ? kv : `${key}=[REDACTED]`
      })
    query = `?${parts.join('&')}`
  }
  return `${u.protocol}//${userinfo}${u.host}${u.pathname}${query}${u.hash ? '#[REDACTED]' : ''}`
}

/** Token shapes: Keystone fernet, JWS (Keystone's JWS tokens, OIDC), and 32-hex UUID tokens. */
function redactTokenShapes(s: string, idLike: boolean): string {
  s = s.replace(/gAAAAA[A-Za-z0-9_-]{20,}/g, '[REDACTED-TOKEN]')
  s = s.replace(/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[REDACTED-TOKEN]')
  // A UUID token is 32 hex digits without dashes; image ids (with dashes) and id/checksum fields are kept.
  if (!idLike) s = s.replace(/(^|[^0-9a-fA-F-])([0-9a-f]{32})(?![0-9a-fA-F-])/g, '$1[REDACTED-TOKEN]')
  return s
}

function redactString(value: string, secrets: ReadonlySet<string>, idLike: boolean): string {
  let s = value
  for (const secret of secrets) if (secret.length >= 4 && s.includes(secret)) s = s.split(secret).join('[REDACTED]')
  s = s.replace(URL_RE, (m) => redactUrl(m))
  return redactTokenShapes(s, idLike)
}

/**
 * Redacts secret-looking keys, every registered literal secret, token shapes and URL query values / user info,
 * recursively.
 */
export function redact(value: unknown, secrets: ReadonlySet<string> = new Set(), depth = 0, key = ''): unknown {
  if (depth > 8) return '[…]'
  if (typeof value === 'string') return redactString(value, secrets, ID_KEYS.test(key))
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1, key))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) && v !== undefined && v !== null && typeof v !== 'boolean' ? '[REDACTED]' : redact(v, secrets, depth + 1, k)
    }
    return out
  }
  return value
}

/**
 * Re-redacts a log file's text with the current secret set (the diagnostics export): JSON lines record by record,
 * anything else as text. A secret learned after a line was written is still removed from it.
 */
export function redactLogText(text: string, redactor: (v: unknown) => unknown = (v) => redact(v)): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line) return line
      let rec: unknown
      try {
        rec = JSON.parse(line)
      } catch {
        return String(redactor(line))
      }
      return JSON.stringify(redactor(rec))
    })
    .join('\n')
}

export interface FileLoggerOptions {
  file: string
  maxBytes?: number
  keep?: number
  level?: Level
  /** Also print to stderr. */
  echo?: boolean
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export function createFileLogger(opts: FileLoggerOptions): Logger {
  const secrets = new Set<string>()
  const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024
  const keep = opts.keep ?? 3
  const min = ORDER[opts.level ?? 'info']
  let ready = false
  const rotate = (): void => {
    try {
      if (statSync(opts.file).size < maxBytes) return
    } catch {
      return
    }
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${opts.file}.${i}`, `${opts.file}.${i + 1}`)
      } catch {
        /* absent */
      }
    }
    try {
      renameSync(opts.file, `${opts.file}.1`)
    } catch {
      /* absent */
    }
  }
  const write = (level: Level, msg: string, data?: Record<string, unknown>): void => {
    if (ORDER[level] < min) return
    const rec = redact({ t: new Date().toISOString(), level, msg, ...(data ?? {}) }, secrets)
    const line = JSON.stringify(rec) + '\n'
    try {
      if (!ready) {
        mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 })
        ready = true
      }
      rotate()
      appendFileSync(opts.file, line, { mode: 0o600 })
    } catch {
      // logging must never take the app down
    }
    if (opts.echo) process.stderr.write(line)
  }
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
    addSecret: (s) => {
      if (s) secrets.add(s)
    },
    redact: (v) => redact(v, secrets),
  }
}

export function createNullLogger(): Logger {
  const noop = (): void => {}
  return { debug: noop, info: noop, warn: noop, error: noop, addSecret: noop }
}
