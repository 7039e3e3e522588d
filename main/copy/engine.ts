/**
 * One attempt of one copy (an image from a source region to a target region), called again by the queue after a
 * transient failure, like uploadImage (main/transfers/upload.ts). The target image's id is chosen by the client and
 * kept across attempts; the target image's state decides what an attempt does:
 *
 *   target image          stream                                 glance-download
 *   none                  create, stream                          create, import
 *   queued                stream (again)                          import (again, unless the import was accepted: poll)
 *   importing             -                                       poll
 *   active                verify, finish                          verify, finish
 *   saving/killed/other   delete, create a new id, stream         delete, create a new id, import
 *
 * Before creating anything, an image with the source's hash already at the target makes the copy `present` (run
 * twice, a copy creates nothing new). Verification: the target's checksum and os_hash_value equal the source's and,
 * streamed, the md5 and sha512 computed on the way; on a mismatch the target image is deleted. `protected` is set
 * last, once the bytes are verified (a failed copy stays deletable).
 */
import { AppError, type Visibility } from '../../preload/api'
import type { CopyMethod } from '../../preload/contract/copy'
import { createIdempotent, deleteQuietly, ensureImage, getOrNull, newImageId, pause, throwIfAborted, type EngineHooks } from '../transfers/engine'
import type { RawImage } from '../transfers/port'
import { reasonError } from '../../preload/rules/messages'
import { judgeQueued } from '../transfers/import-wait'
import { IMPORT_DEADLINE_MS, UPLOAD_SETTLE_POLL_MS, UPLOAD_SETTLE_POLLS } from '../transfers/tuning'
import { contentHash, copyCreateBody } from './metadata'
import type { CopyCloud } from './port'
import { HashedStreamBody } from './stream-body'

export interface CopyTask {
  /** Client-chosen id of the target image (kept across attempts unless the image had to be replaced). */
  targetImageId: string
  source: { region: string; imageId: string }
  method: CopyMethod
  /** The visibility at the target: the source's, or the consented downgrade. */
  visibility?: Visibility
  /** glance-download only: the target accepted the import call (a later attempt polls). */
  started?: boolean
  /** glance-download only: how long one attempt waits for the target to pull (default IMPORT_DEADLINE_MS). */
  deadlineMs?: number
}

export interface CopyResult {
  /** The target image: the copy, or the image that was already there (`present`). */
  imageId: string
  present: boolean
  method: CopyMethod
  bytes: number
  md5?: string
  sha512?: string
  verified: boolean
  seconds: number
  /** Seconds from the start of the data's move to the verified image. */
  transferSeconds: number
  image: RawImage
}

export interface CopyHooks extends EngineHooks {
  /** glance-download: the target accepted the import (persist it: a restart only polls). */
  started?(): void
}

export async function copyImage(src: CopyCloud, dst: CopyCloud, task: CopyTask, hooks: CopyHooks): Promise<CopyResult> {
  const t0 = performance.now()
  hooks.phase('waiting')
  // the source image and our target image (a former attempt's) at once
  const [source, mine] = await Promise.all([src.glance.get(task.source.imageId), getOrNull(dst.glance, task.targetImageId)])
  if (source.status !== 'active') {
    throw new AppError({
      code: 'CONFLICT',
      message: `Image ${task.source.imageId} is ${source.status}; only active images can be copied.`,
      retryable: false,
      details: { reason: 'notActive', status: source.status, imageId: task.source.imageId },
    })
  }
  const hash = contentHash(source)
  if (!hash) {
    throw new AppError({
      code: 'VALIDATION',
      message: `Image ${task.source.imageId} has no checksum: a copy cannot be verified.`,
      retryable: false,
      details: { reason: 'noHash', imageId: task.source.imageId },
    })
  }
  const size = typeof source.size === 'number' ? source.size : 0
  const body = copyCreateBody(source, task.visibility ?? (source.visibility as Visibility), { from: src.keys, to: dst.keys })

  // 1. already there (another run, another tool)? Then nothing is created, and a half-made image of ours goes.
  let id = task.targetImageId
  if (!mine || mine.status !== 'active') {
    const there = await findByHash(dst, hash, id)
    if (there) {
      if (mine) await deleteQuietly(dst.glance, id)
      return { imageId: there.id, present: true, method: task.method, bytes: 0, verified: true, seconds: secs(t0), transferSeconds: 0, image: there }
    }
  }

  // 2. the target image, in a state the method can fill
  hooks.phase('creating')
  let img: RawImage
  try {
    ;({ id, img } = mine ? { id, img: mine } : await ensureImage(dst.glance, id, body, hooks))
  } catch (e) {
    throw refusedCreate(e, body)
  }
  const fillable = task.method === 'stream' ? img.status === 'queued' : img.status === 'queued' || img.status === 'importing'
  if (img.status !== 'active' && !fillable) {
    const old = id
    hooks.log?.('target image not fillable, replacing', { imageId: old, status: img.status })
    await deleteQuietly(dst.glance, old)
    id = newImageId()
    img = await createIdempotent(dst.glance, id, body).catch((e: unknown) => {
      throw refusedCreate(e, body)
    })
    hooks.imageChanged?.(id, old)
    task.started = false
  }
  throwIfAborted(hooks.signal)

  // 3. the bytes
  const tData = performance.now()
  let local: { md5: string; sha512: string; bytes: number } | undefined
  if (img.status !== 'active') {
    if (task.method === 'stream') local = await streamBytes(src, dst, task.source.imageId, id, size, hooks)
    else await serverSide(src, dst, task, id, img, size, hooks)
  }

  // 4. verify against the source (and what passed through here)
  hooks.phase('verifying', size)
  let after = await dst.glance.get(id)
  for (let i = 0; i < UPLOAD_SETTLE_POLLS && (after.status === 'saving' || after.status === 'uploading'); i++) {
    await pause(UPLOAD_SETTLE_POLL_MS, hooks.signal)
    after = await dst.glance.get(id)
  }
  if (after.status !== 'active') {
    throw reasonError(
      'SERVER',
      'copyNotActive',
      { imageId: id, status: after.status, region: dst.region },
      `After the copy the image ${id} is ${after.status}, not active.`,
      {
        retryable: after.status === 'queued' || after.status === 'killed',
        details: { imageId: id },
      },
    )
  }
  // the checks that failed, by what was compared (a technical name, the same in every language)
  const checks: string[] = []
  if (source.checksum && after.checksum !== source.checksum) checks.push('checksum')
  if (hash.algo === 'sha512' && after.os_hash_value !== hash.value) checks.push('os_hash_value')
  if (typeof source.size === 'number' && after.size !== source.size) checks.push('size')
  if (local) {
    if (source.checksum && local.md5 !== source.checksum) checks.push('md5')
    if (hash.algo === 'sha512' && local.sha512 !== hash.value) checks.push('sha512')
    if (local.bytes !== size) checks.push('bytes')
  }
  if (checks.length) {
    const deleted = await deleteQuietly(dst.glance, id)
    const params = { sourceId: task.source.imageId, region: dst.region, imageId: id, checks: checks.join(', ') }
    throw reasonError(
      'HASH_MISMATCH',
      'copyVerifyFailed', // the renderer adds whether the target image was deleted (details.deleted)
      params,
      `The copy of ${task.source.imageId} to ${dst.region} FAILED verification (${params.checks}). ${deleted ? `The target image ${id} was deleted.` : `The target image ${id} could not be deleted: delete it by hand.`}`,
      {
        retryable: false,
        details: {
          imageId: id,
          deleted,
          sourceChecksum: source.checksum ?? null,
          targetChecksum: after.checksum ?? null,
          ...(local ? { md5: local.md5, sha512: local.sha512 } : {}),
        },
      },
    )
  }

  // 5. what waits for verified bytes
  if (source.protected === true && after.protected !== true) after = await dst.glance.patch(id, [{ op: 'replace', path: '/protected', value: true }])
  return {
    imageId: id,
    present: false,
    method: task.method,
    bytes: size,
    ...(local
      ? { md5: local.md5, sha512: local.sha512 }
      : { md5: String(after.checksum ?? ''), ...(after.os_hash_value ? { sha512: String(after.os_hash_value) } : {}) }),
    verified: true,
    seconds: secs(t0),
    transferSeconds: secs(tData),
    image: after,
  }
}

function secs(t: number): number {
  return (performance.now() - t) / 1000
}

/** An active image at the target holding the same bytes (not `except`), or null. */
export async function findByHash(dst: CopyCloud, hash: { algo: 'sha512' | 'md5'; value: string }, except?: string): Promise<RawImage | null> {
  const filter: Record<string, string> = hash.algo === 'sha512' ? { os_hash_value: hash.value } : { checksum: hash.value }
  for await (const img of dst.glance.list({ properties: filter, status: ['active'] })) {
    if (img.id === except) continue
    const h = contentHash(img)
    if (h && h.algo === hash.algo && h.value === hash.value) return img
  }
  return null
}

/** A 403 on create that is about the visibility says so (the plan words it; nothing was changed). */
function refusedCreate(e: unknown, body: Record<string, unknown>): unknown {
  if (AppError.is(e) && (e.code === 'FORBIDDEN' || e.status === 403) && (body.visibility === 'public' || body.visibility === 'community')) {
    return new AppError(
      { ...e.toJSON(), code: 'FORBIDDEN', retryable: false, details: { ...(e.details ?? {}), reason: 'visibility', visibility: String(body.visibility) } },
      { cause: e },
    )
  }
  return e
}

async function streamBytes(
  src: CopyCloud,
  dst: CopyCloud,
  sourceId: string,
  id: string,
  size: number,
  hooks: CopyHooks,
): Promise<{ md5: string; sha512: string; bytes: number }> {
  hooks.phase('uploading', size, 0)
  const res = await src.glance.downloadData(sourceId, { signal: hooks.signal })
  if (res.status !== 200 && res.status !== 204) {
    res.stream.destroy()
    throw reasonError(
      'BAD_RESPONSE',
      'copySourceStatus',
      { httpStatus: res.status, region: src.region },
      `The source answered ${res.status} to the download.`,
      { retryable: true },
    )
  }
  const body = new HashedStreamBody(res.stream, size, hooks.bytes)
  try {
    await dst.glance.uploadData(id, body, size, { signal: hooks.signal })
    if (body.received !== size) {
      throw reasonError('NETWORK', 'copyShortRead', { received: body.received, size }, `The source sent ${body.received} of ${size} bytes.`, {
        retryable: true,
      })
    }
    const d = await body.digests()
    return { md5: d.md5!, sha512: d.sha512!, bytes: d.bytes }
  } catch (e) {
    if (hooks.signal.aborted) throw hooks.signal.reason instanceof Error ? hooks.signal.reason : e
    throw e
  } finally {
    body.dispose()
  }
}

async function serverSide(src: CopyCloud, dst: CopyCloud, task: CopyTask, id: string, img: RawImage, size: number, hooks: CopyHooks): Promise<void> {
  hooks.phase('importing', size, 0)
  const since = new Date(Date.now() - 1000).toISOString()
  if (img.status === 'queued' && !task.started) {
    await dst.glance.glanceDownload(id, { region: src.region, imageId: task.source.imageId, interface: dst.interface })
    task.started = true
    hooks.started?.()
  }
  let interval = 250
  let sawImporting = false
  const startedAt = Date.now()
  // a Glance restarted mid-import leaves the image `importing` with nobody working on it: an attempt gives up after
  // the deadline (retryable; the queue's last failure deletes the unfinished image)
  const deadline = Date.now() + (task.deadlineMs ?? IMPORT_DEADLINE_MS)
  for (;;) {
    throwIfAborted(hooks.signal)
    const now = await dst.glance.get(id)
    if (now.status === 'active') return
    if (Date.now() > deadline) {
      throw reasonError(
        'TIMEOUT',
        'copyPullDeadline',
        { region: dst.region, sourceRegion: src.region, sourceId: task.source.imageId, status: now.status },
        `${dst.region} is still ${now.status} pulling image ${task.source.imageId} from ${src.region}.`,
        { retryable: true, details: { imageId: id, status: now.status } },
      )
    }
    const failed = typeof now.os_glance_failed_import === 'string' ? now.os_glance_failed_import.trim() : ''
    if (failed || now.status === 'killed' || now.status === 'deleted') {
      const why = (await dst.glance.importFailure?.(id, since).catch(() => undefined)) ?? `the image is ${now.status}`
      // a failed import leaves the image queued: the next attempt imports again
      task.started = false
      const params = { region: dst.region, sourceRegion: src.region, sourceId: task.source.imageId, server: why }
      throw reasonError('IMPORT_FAILED', 'copyPullFailed', params, `${dst.region} could not pull image ${task.source.imageId} from ${src.region}: ${why}`, {
        retryable: true,
        details: { imageId: id },
      })
    }
    if (now.status === 'importing') sawImporting = true
    const verdict = now.status === 'queued' ? judgeQueued(sawImporting, Date.now() - startedAt) : 'wait'
    // back to queued after the import was accepted: the task failed (or a restart lost it); the rule is the URL import's
    const why = verdict === 'wait' ? undefined : await dst.glance.importFailure?.(id, since).catch(() => undefined)
    if (why || verdict === 'askTaskElseOver') {
      task.started = false
      const params = { region: dst.region, sourceRegion: src.region, sourceId: task.source.imageId, ...(why ? { server: why } : {}) }
      throw reasonError(
        'IMPORT_FAILED',
        why ? 'copyPullFailed' : 'copyBackToQueued',
        params,
        `${dst.region} did not pull image ${task.source.imageId} from ${src.region}${why ? `: ${why}` : ' (the image went back to queued)'}.`,
        { retryable: true, details: { imageId: id } },
      )
    }
    await pause(interval, hooks.signal)
    interval = Math.min(interval * 1.5, 3000)
  }
}
