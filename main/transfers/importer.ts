/**
 * URL import (web-download): create the image (client-chosen id), ask Glance to import from the URL, then follow the
 * image's status until it is active; `os_glance_failed_import` or a `killed` image is an IMPORT_FAILED. Re-running
 * after an interruption continues from the image's state (an import already running is followed, not restarted).
 */
import { AppError } from '../../preload/api'
import { createIdempotent, deleteQuietly, ensureImage, newImageId, pause, throwIfAborted, type EngineHooks } from './engine'
import type { ImageMeta, RawImage, TransferCloud } from './port'
import { statusOf } from './port'

export interface ImportTask {
  imageId: string
  meta: ImageMeta
  url: string
  /** Whether the import call was already accepted (a resumed job then only follows the status). */
  started?: boolean
}

export interface ImportResult {
  imageId: string
  image: RawImage
  seconds: number
  /** True only when Glance reports the declared format, a size, a checksum and (for formats with a header) a virtual size. */
  verified: boolean
}

/**
 * Formats whose virtual size Glance's format inspector reads from a header at the start of the data: a null
 * virtual_size means it found no such header. (Not vhd: a fixed VHD has its footer only at the end.)
 */
const HEADER_FORMATS = new Set(['qcow2', 'vmdk', 'vhdx', 'vdi'])

/**
 * What an active imported image proves (pure):
 *   | Glance reports                                            | outcome                                      |
 *   |-----------------------------------------------------------|----------------------------------------------|
 *   | disk_format other than the declared one                   | `bad` (formatChanged)                        |
 *   | a header format (qcow2, vmdk, vhdx, vdi) and               | `bad` (noVirtualSize): the bytes were not    |
 *   |   virtual_size null/0                                     |   that format (e.g. a web page)              |
 *   | size, checksum and a virtual size                         | `verified` (Glance read the format's header) |
 *   | otherwise (raw/iso without virtual_size, no checksum)     | `unverified`: imported, not verified         |
 */
export function judgeImport(
  img: RawImage,
  declared: string,
): { outcome: 'verified' | 'unverified' } | { outcome: 'bad'; why: 'formatChanged' | 'noVirtualSize' } {
  if (typeof img.disk_format === 'string' && img.disk_format !== declared) return { outcome: 'bad', why: 'formatChanged' }
  const vs = typeof img.virtual_size === 'number' && img.virtual_size > 0 ? img.virtual_size : null
  if (HEADER_FORMATS.has(declared) && vs === null) return { outcome: 'bad', why: 'noVirtualSize' }
  const sized = typeof img.size === 'number' && img.size > 0
  // an import has no local hash to compare: what is verified is that Glance read the declared format's header
  return { outcome: sized && !!img.checksum && vs !== null ? 'verified' : 'unverified' }
}

function failedStores(img: RawImage): string {
  const v = img.os_glance_failed_import
  return typeof v === 'string' ? v.trim() : ''
}

/**
 * The IMPORT_FAILED of a URL import, worded by the UI (errorReason.IMPORT_FAILED.<reason>):
 *   | what was seen                                       | reason                                     |
 *   |-----------------------------------------------------|--------------------------------------------|
 *   | Glance's own words (failed stores, the task message) | `urlImportFailed`, params.server = them    |
 *   | back to queued, Glance said nothing                 | `urlBackToQueued`                          |
 *   | killed / deleted                                    | `urlImportFailed` without server           |
 */
export function importFailedError(url: string, imageId: string, status: string, why: { server?: string; backToQueued?: boolean }): AppError {
  const server = why.server
  return new AppError({
    code: 'IMPORT_FAILED',
    message: `Glance could not import ${url} into image ${imageId}${server ? ` (${server})` : why.backToQueued ? ' (it went back to queued)' : ''}; it is ${status}. Check that the URL is reachable from the Glance server and allowed by its import filtering.`,
    retryable: false,
    details: {
      imageId,
      status,
      failedStores: server ?? '',
      // C2: worded by the UI (errorReason.IMPORT_FAILED.<reason>); Glance's own words are the detail
      reason: why.backToQueued ? 'urlBackToQueued' : 'urlImportFailed',
      params: { url, imageId, status, ...(server ? { server } : {}) },
    },
  })
}

export async function importFromUrl(
  cloud: TransferCloud,
  task: ImportTask,
  hooks: EngineHooks & { started?(): void; status?(status: string): void },
  pollMs = 1000,
): Promise<ImportResult> {
  const t0 = performance.now()
  const glance = cloud.glance
  hooks.phase('creating')
  let id = task.imageId
  let img: RawImage
  ;({ id, img } = await ensureImage(glance, id, cloud.buildBody(task.meta), hooks))
  if (img.status === 'killed' || (img.status === 'queued' && failedStores(img))) {
    const old = id
    await deleteQuietly(glance, old)
    id = newImageId()
    img = await createIdempotent(glance, id, cloud.buildBody(task.meta))
    hooks.imageChanged?.(id, old)
    task.started = false
  }
  if (img.status === 'queued' && !task.started) {
    try {
      await glance.importWebDownload(id, task.url)
    } catch (e) {
      if (statusOf(e) !== 409) throw e
    }
    task.started = true
    hooks.started?.()
  }
  hooks.phase('importing')
  let last = ''
  let sawImporting = false
  const since = new Date(Date.now() - 5000).toISOString()
  const startedAt = Date.now()
  for (;;) {
    throwIfAborted(hooks.signal)
    img = await glance.get(id)
    if (img.status !== last) {
      last = img.status
      hooks.status?.(img.status)
    }
    if (img.status === 'importing') sawImporting = true
    let failed = failedStores(img)
    let backToQueued = false
    // a failed web-download puts a single-store image back to queued; its task says why
    if (!failed && img.status === 'queued' && (sawImporting || Date.now() - startedAt > 5000)) {
      const why = await glance.importFailure?.(id, since)
      if (why) failed = why
      else if (sawImporting || Date.now() - startedAt > 120_000) backToQueued = true
    }
    if (failed || backToQueued || img.status === 'killed' || img.status === 'deleted') {
      throw importFailedError(task.url, id, img.status, backToQueued ? { backToQueued } : failed ? { server: failed } : {})
    }
    if (img.status === 'active') break
    await pause(pollMs, hooks.signal)
  }
  const verdict = judgeImport(img, task.meta.diskFormat)
  if (verdict.outcome === 'bad') {
    // the image holds bytes that are not what was declared: it would boot nothing; it is deleted as a failed upload is
    const deleted = await glance.delete(id).then(
      () => true,
      () => false,
    )
    throw new AppError({
      code: 'FORMAT_MISMATCH',
      message:
        verdict.why === 'formatChanged'
          ? `Glance reports image ${id} as ${String(img.disk_format)}, not ${task.meta.diskFormat}.`
          : `What Glance fetched from ${task.url} is not a ${task.meta.diskFormat} image (Glance found no virtual size). ${deleted ? `The image ${id} was deleted.` : `Delete image ${id} by hand.`}`,
      retryable: false,
      details: {
        reason: verdict.why === 'formatChanged' ? 'importFormatChanged' : 'importNotDiskImage',
        params: { imageId: id, url: task.url, declared: task.meta.diskFormat, reported: String(img.disk_format ?? ''), deleted },
      },
    })
  }
  return { imageId: id, image: img, seconds: (performance.now() - t0) / 1000, verified: verdict.outcome === 'verified' }
}
