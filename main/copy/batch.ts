/**
 * A batch of planned copies run in this process, N images x M targets with a concurrency limit, each copy retried
 * on transient failures (the CLI's `image copy` / `image sync --apply`; the app queues copy jobs instead). Ends with
 * a summary: done / skipped (present, drift, refused) / failed, with reasons.
 *
 *   plan item   outcome    reason
 *   copy        done       -                  (or `present` when another run made it meanwhile)
 *   copy        failed     the error's code   (the unfinished target image deleted)
 *   present     skipped    present
 *   drift       skipped    drift              (sync --apply patches it: see CopyService.fixDrift)
 *   refused     failed     the refusal reason (the user asked for it and it was not done)
 *   copy        failed     the login error's code (a profile that cannot log in fails its own items only)
 */
import { AppError } from '../../preload/api'
import type { CopyPlanItem, CopySummary, CopySummaryItem } from '../../preload/contract/copy'
import { toAppError } from '../errors'
import { deleteUnfinished, newImageId, withRetries, type EngineHooks } from '../transfers/engine'
import { MAX_ATTEMPTS, RETRY_BASE_MS } from '../transfers/tuning'
import { copyImage } from './engine'
import type { CopyConnect } from './port'

export interface BatchOptions {
  source: { profileId: string; region: string }
  connect: CopyConnect
  signal: AbortSignal
  /** Copies at once (default 2). */
  concurrency?: number
  maxAttempts?: number
  backoffMs?: number
  /** Progress hooks of one item (phase, bytes). */
  hooks?: (item: CopyPlanItem) => Omit<EngineHooks, 'signal'>
  onRetry?: (item: CopyPlanItem, e: AppError, attempt: number, delayMs: number) => void
  onDone?: (s: CopySummaryItem) => void
}

/**
 * Runs `tasks` with at most `limit` at once, in order. Hand-written (a dozen lines) rather than a dependency: the
 * one place that needs it.
 */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++
      out[i] = await tasks[i]!()
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker))
  return out
}

export async function runCopies(items: CopyPlanItem[], o: BatchOptions): Promise<CopySummary> {
  const results = await pool(
    items.map((item) => () => runOne(item, o)),
    o.concurrency ?? 2,
  )
  return summarize(results)
}

export function summarize(items: CopySummaryItem[]): CopySummary {
  return {
    done: items.filter((i) => i.outcome === 'done').length,
    skipped: items.filter((i) => i.outcome === 'skipped').length,
    failed: items.filter((i) => i.outcome === 'failed').length,
    items,
  }
}

async function runOne(item: CopyPlanItem, o: BatchOptions): Promise<CopySummaryItem> {
  const base: CopySummaryItem = { sourceImageId: item.sourceImageId, name: item.name, target: item.target, outcome: 'skipped' }
  let s: CopySummaryItem
  if (item.action === 'present' || item.action === 'drift')
    s = { ...base, outcome: 'skipped', reason: item.action, ...(item.targetImageId ? { targetImageId: item.targetImageId } : {}) }
  else if (item.action === 'refused') s = { ...base, outcome: 'failed', reason: item.refusal?.reason ?? 'refused' }
  else s = await copyOne(item, o, base)
  o.onDone?.(s)
  return s
}

async function copyOne(item: CopyPlanItem, o: BatchOptions, base: CopySummaryItem): Promise<CopySummaryItem> {
  let dst: Awaited<ReturnType<CopyConnect>> | undefined
  let id = newImageId()
  const task = {
    targetImageId: id,
    source: { region: o.source.region, imageId: item.sourceImageId },
    method: item.method ?? 'stream',
    ...(item.visibility ? { visibility: item.visibility.to } : {}),
  }
  const hooks = {
    phase: () => {},
    bytes: () => {},
    ...(o.hooks?.(item) ?? {}),
    signal: o.signal,
    imageChanged: (fresh: string) => {
      id = fresh
      task.targetImageId = fresh
    },
  }
  try {
    // a login that fails (one unreachable target profile) is this item's failure, not the batch's
    const [src, target] = await Promise.all([o.connect(o.source), o.connect(item.target)])
    dst = target
    const r = await withRetries(() => copyImage(src, target, task, hooks), {
      signal: o.signal,
      maxAttempts: o.maxAttempts ?? MAX_ATTEMPTS,
      baseMs: o.backoffMs ?? RETRY_BASE_MS,
      onRetry: (e, n, delay) => o.onRetry?.(item, toAppError(e), n, delay),
    })
    return {
      ...base,
      outcome: r.present ? 'skipped' : 'done',
      ...(r.present ? { reason: 'present' } : {}),
      targetImageId: r.imageId,
      method: r.method,
      bytes: r.bytes,
      seconds: r.seconds,
      transferSeconds: r.transferSeconds,
    }
  } catch (e) {
    const err = toAppError(e)
    // an unfinished target image does not stay behind (a verification failure already deleted it)
    if (!dst) return { ...base, outcome: 'failed', reason: err.code, error: err.toJSON() }
    if (err.details?.deleted === undefined) await deleteUnfinished(dst.glance, id)
    return { ...base, outcome: 'failed', reason: err.code, error: err.toJSON(), targetImageId: id }
  }
}
