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
}

const SECRET_KEYS = /pass(word)?|secret|token|credential|authorization|cookie|x-auth|x-subject/i

/** Redacts secret-looking keys and every registered literal secret, recursively. */
export function redact(value: unknown, secrets: ReadonlySet<string> = new Set(), depth = 0): unknown {
  if (depth > 8) return '[…]'
  if (typeof value === 'string') {
    let s = value
    for (const secret of secrets) if (secret.length >= 4 && s.includes(secret)) s = s.split(secret).join('[REDACTED]')
    // Keystone fernet tokens and bearer-ish strings
    s = s.replace(/gAAAAA[A-Za-z0-9_-]{20,}/g, '[REDACTED-TOKEN]')
    return s
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) && v !== undefined && v !== null && typeof v !== 'boolean' ? '[REDACTED]' : redact(v, secrets, depth + 1)
    }
    return out
  }
  return value
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
  }
}

export function createNullLogger(): Logger {
  const noop = (): void => {}
  return { debug: noop, info: noop, warn: noop, error: noop, addSecret: noop }
}
