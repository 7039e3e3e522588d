/** Shared pieces of the upload/download/import engines. */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError, type JobPhase } from '../../preload/api'
import type { GlancePort, RawImage } from './port'
import { statusOf } from './port'
import { MAX_ATTEMPTS, RETRY_BASE_MS, RETRY_MAX_MS } from './tuning'

export interface EngineHooks {
  signal: AbortSignal
  /** A new phase starts (progress metering restarts at `bytes`). */
  phase(phase: JobPhase, total?: number, bytes?: number): void
  /** Bytes moved in the current phase. */
  bytes(n: number): void
  /** The job's image changed (a half-made image was deleted and a new one created). */
  imageChanged?(imageId: string, replaced?: string): void
  log?(msg: string, data?: Record<string, unknown>): void
}

export function newImageId(): string {
  return randomUUID()
}

export async function getOrNull(glance: GlancePort, id: string): Promise<RawImage | null> {
  try {
    return await glance.get(id)
  } catch (e) {
    if (statusOf(e) === 404 || AppError.is(e, 'NOT_FOUND')) return null
    throw e
  }
}

/** Creates the image with a client-chosen id; a 409 for that id (a retried create that did land) reuses it. */
export async function createIdempotent(glance: GlancePort, id: string, body: Record<string, unknown>): Promise<RawImage> {
  try {
    return await glance.create({ ...body, id })
  } catch (e) {
    if (statusOf(e) === 409 || AppError.is(e, 'CONFLICT')) {
      const img = await getOrNull(glance, id)
      if (img) return img
    }
    throw e
  }
}

/**
 * The job's image: the existing one, or a new one created with `id`. When `id` cannot be used any more (Glance keeps
 * deleted ids: a create with one answers 409 and a get 404), a fresh id is chosen and reported.
 */
export async function ensureImage(
  glance: GlancePort,
  id: string,
  body: Record<string, unknown>,
  hooks: Pick<EngineHooks, 'imageChanged'>,
): Promise<{ id: string; img: RawImage }> {
  const found = await getOrNull(glance, id)
  if (found) return { id, img: found }
  try {
    return { id, img: await createIdempotent(glance, id, body) }
  } catch (e) {
    if (statusOf(e) !== 409 && !AppError.is(e, 'CONFLICT')) throw e
    const fresh = newImageId()
    const img = await createIdempotent(glance, fresh, body)
    hooks.imageChanged?.(fresh, id)
    return { id: fresh, img }
  }
}

/**
 * Runs `attempt` until it succeeds, fails permanently, or `maxAttempts` is reached; transient failures wait
 * min(maxDelay, base * 2^(n-1)) plus jitter. `onRetry` sees each transient failure.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  opts: { signal: AbortSignal; maxAttempts?: number; baseMs?: number; maxMs?: number; onRetry?: (e: unknown, n: number, delayMs: number) => void },
): Promise<T> {
  const max = opts.maxAttempts ?? MAX_ATTEMPTS
  for (let n = 1; ; n++) {
    try {
      return await attempt(n)
    } catch (e) {
      if (opts.signal.aborted) throw cancelled(opts.signal)
      if (!isTransient(e) || n >= max) throw e
      const base = opts.baseMs ?? RETRY_BASE_MS
      const delay = Math.min(opts.maxMs ?? RETRY_MAX_MS, base * 2 ** (n - 1)) * (0.8 + Math.random() * 0.4)
      opts.onRetry?.(e, n, delay)
      await pause(delay, opts.signal)
    }
  }
}

export async function deleteQuietly(glance: GlancePort, id: string): Promise<boolean> {
  try {
    await glance.delete(id)
    return true
  } catch (e) {
    return statusOf(e) === 404
  }
}

/**
 * THE cleanup after a failed or cancelled upload/import/copy: a half-made image (any status but active) does not stay
 * behind. undefined = nothing to delete (gone, unreadable, or active); true = deleted (or already gone); false = it is
 * left over (the delete failed). Used by the transfer queue (failure, cancel) and the copy batch.
 */
export async function deleteUnfinished(glance: GlancePort, id: string): Promise<boolean | undefined> {
  const img = await glance.get(id).catch(() => null)
  if (!img || img.status === 'active') return undefined
  return deleteQuietly(glance, id)
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw cancelled(signal)
}

export function cancelled(signal: AbortSignal): AppError {
  const reason = signal.reason
  if (reason instanceof AppError) return reason
  return new AppError({ code: 'CANCELLED', message: typeof reason === 'string' ? reason : 'Cancelled.' })
}

export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal })
  } catch {
    throw cancelled(signal)
  }
}

/** Whether a failure is worth another attempt: network, timeouts, 5xx, token expiry (401), AppError.retryable. */
export function isTransient(e: unknown): boolean {
  if (e instanceof AppError) {
    if (e.retryable !== undefined) return e.retryable
    if (['NETWORK', 'TIMEOUT', 'SERVER'].includes(e.code)) return true
    if (e.status === 401 || (e.status !== undefined && e.status >= 500)) return true
    return false
  }
  const code = (e as NodeJS.ErrnoException | null)?.code
  if (
    code &&
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE'].includes(
      code,
    )
  ) {
    return true
  }
  return false
}

/** Which hash Glance reported: `os_hash_value` when its algo is sha512, else md5 `checksum`. */
export function expectedHash(img: RawImage): { algo: 'sha512' | 'md5'; value: string } | null {
  if (img.os_hash_value && (img.os_hash_algo ?? 'sha512') === 'sha512') return { algo: 'sha512', value: img.os_hash_value }
  if (img.checksum) return { algo: 'md5', value: img.checksum }
  return null
}

/**
 * A signal that aborts with `parent`, or after `ms` with `timeoutError()` as its reason; `clear()` stops the timer.
 * `timedOut` tells the two apart.
 */
export function withDeadline(
  parent: AbortSignal,
  ms: number,
  timeoutError: () => Error,
): { signal: AbortSignal; clear: () => void; readonly timedOut: boolean } {
  const ac = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    ac.abort(timeoutError())
  }, ms)
  timer.unref?.()
  const onParent = () => ac.abort(parent.reason)
  if (parent.aborted) onParent()
  else parent.addEventListener('abort', onParent, { once: true })
  return {
    signal: ac.signal,
    clear: () => {
      clearTimeout(timer)
      parent.removeEventListener('abort', onParent)
    },
    get timedOut() {
      return timedOut
    },
  }
}
