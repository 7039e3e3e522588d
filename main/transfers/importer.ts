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
}

function failedStores(img: RawImage): string {
  const v = img.os_glance_failed_import
  return typeof v === 'string' ? v.trim() : ''
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
    // a failed web-download puts a single-store image back to queued; its task says why
    if (!failed && img.status === 'queued' && (sawImporting || Date.now() - startedAt > 5000)) {
      const why = await glance.importFailure?.(id, since)
      if (why) failed = why
      else if (sawImporting || Date.now() - startedAt > 120_000) failed = 'the image went back to queued'
    }
    if (failed || img.status === 'killed' || img.status === 'deleted') {
      throw new AppError({
        code: 'IMPORT_FAILED',
        message: `Glance could not import ${task.url} into image ${id}${failed ? ` (${failed})` : ''}; it is ${img.status}. Check that the URL is reachable from the Glance server and allowed by its import filtering.`,
        retryable: false,
        details: { imageId: id, status: img.status, failedStores: failed },
      })
    }
    if (img.status === 'active') break
    await pause(pollMs, hooks.signal)
  }
  return { imageId: id, image: img, seconds: (performance.now() - t0) / 1000 }
}
