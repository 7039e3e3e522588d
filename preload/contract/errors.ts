/**
 * Errors and results: the error codes, AppError (errors as data across every bridge) and the Result<T> envelope.
 * Part of the contract (preload/api.ts re-exports it); pure TypeScript.
 */

export const ERROR_CODES = [
  'VALIDATION', // input refused before anything was done
  'AUTH_FAILED', // 401: wrong password / secret / expired credential
  'FORBIDDEN', // 403: policy refuses
  'PROTECTED', // 403 on a protected image
  'NOT_FOUND', // 404
  'CONFLICT', // 409
  'TOO_LARGE', // 413 (size cap)
  'QUOTA', // 413 / 403 quota exceeded
  'UNSUPPORTED_FORMAT', // 415
  'TIMEOUT', // connect / idle timeout, or a poll that ran out
  'NETWORK', // connection refused / reset / DNS
  'TLS', // certificate not trusted, hostname mismatch
  'SERVER', // 5xx
  'BAD_RESPONSE', // the service answered something we cannot parse
  'NO_ENDPOINT', // the catalog has no such service in that region
  'NO_SECRET', // the profile's secret is not stored and not given
  'ENCRYPTION_UNAVAILABLE', // safeStorage cannot encrypt on this machine
  'PROFILE_NOT_FOUND',
  'CANCELLED',
  'FILE', // a local file problem (missing, unreadable, a directory, ...)
  'UNSAFE_FILE', // inspection refused the file (backing file, data file, unsafe vmdk, ...)
  'FORMAT_MISMATCH', // declared disk_format contradicts the file
  'HASH_MISMATCH', // verification failed
  'DISK_FULL',
  'IMPORT_FAILED', // os_glance_failed_import
  'READ_ONLY', // the production guard refused (not confirmed)
  'SENDER', // an IPC call from a foreign sender
  'INTERNAL',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** The serialisable form of an error. Crosses every bridge intact. */
export interface AppErrorData {
  code: ErrorCode
  message: string
  status?: number
  method?: string
  url?: string
  requestId?: string
  /** Whether retrying the same operation may succeed (network, 5xx, token expiry). */
  retryable?: boolean
  details?: Record<string, unknown>
}

export class AppError extends Error implements AppErrorData {
  readonly code: ErrorCode
  readonly status?: number
  readonly method?: string
  readonly url?: string
  readonly requestId?: string
  readonly retryable?: boolean
  readonly details?: Record<string, unknown>

  constructor(data: AppErrorData, options?: { cause?: unknown }) {
    super(data.message, options)
    this.name = 'AppError'
    this.code = data.code
    if (data.status !== undefined) this.status = data.status
    if (data.method !== undefined) this.method = data.method
    if (data.url !== undefined) this.url = data.url
    if (data.requestId !== undefined) this.requestId = data.requestId
    if (data.retryable !== undefined) this.retryable = data.retryable
    if (data.details !== undefined) this.details = data.details
  }

  static is(e: unknown, code?: ErrorCode): e is AppError {
    return e instanceof AppError && (code === undefined || e.code === code)
  }

  toJSON(): AppErrorData {
    const out: AppErrorData = { code: this.code, message: this.message }
    if (this.status !== undefined) out.status = this.status
    if (this.method !== undefined) out.method = this.method
    if (this.url !== undefined) out.url = this.url
    if (this.requestId !== undefined) out.requestId = this.requestId
    if (this.retryable !== undefined) out.retryable = this.retryable
    if (this.details !== undefined) out.details = this.details
    return out
  }
}

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x)
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorData }
