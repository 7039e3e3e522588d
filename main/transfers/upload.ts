/**
 * Upload: create the image with a client-chosen id (idempotent), stream the file to PUT /file in 4 MiB chunks with
 * back-pressure (memory flat whatever the size: a ring of shared slots, see hashed-source.ts), md5 + sha512 in the
 * same read pass on worker threads, then verify against what
 * Glance computed. One call is one attempt; the queue retries transient failures and calls again: the image's state
 * decides (queued: PUT again; active: verify; saving/killed/other: delete it and create a new one, reported through
 * `imageChanged`).
 */
import { stat } from 'node:fs/promises'
import { AppError } from '../../preload/api'
import { hashFile, type Digests } from './hashing'
import { HashedFileBody } from './hashed-source'
import { createIdempotent, deleteQuietly, ensureImage, expectedHash, newImageId, pause, throwIfAborted, type EngineHooks } from './engine'
import type { ImageMeta, RawImage, TransferCloud } from './port'
import { UPLOAD_SETTLE_POLL_MS, UPLOAD_SETTLE_POLLS } from './tuning'

export interface UploadTask {
  /** Client-chosen image id (kept across attempts unless the image had to be replaced). */
  imageId: string
  meta: ImageMeta
  filePath: string
  /** Size when the job was made; a different size now means the file changed. */
  size?: number
  /** Hashes precomputed for a draft: the file must still match them. */
  expected?: { md5?: string; sha512?: string }
}

export interface UploadResult {
  imageId: string
  md5: string
  sha512: string
  bytes: number
  verified: boolean
  seconds: number
  /** Seconds from the start of the PUT of the data to the verified image (without login, create, inspection). */
  transferSeconds: number
  image: RawImage
}

export async function uploadImage(cloud: TransferCloud, task: UploadTask, hooks: EngineHooks): Promise<UploadResult> {
  const t0 = performance.now()
  const glance = cloud.glance
  let st
  try {
    st = await stat(task.filePath)
  } catch (e) {
    throw new AppError({ code: 'FILE', message: `Cannot read ${task.filePath}: ${(e as Error).message}` }, { cause: e })
  }
  const size = st.size
  if (task.size !== undefined && task.size !== size && task.expected?.sha512) {
    throw new AppError({
      code: 'HASH_MISMATCH',
      message: `${task.filePath} changed since the draft was prepared (${task.size} bytes then, ${size} now); prepare it again.`,
    })
  }

  // 1. the image, in a state we can upload to
  hooks.phase('creating')
  let id = task.imageId
  let img: RawImage
  ;({ id, img } = await ensureImage(glance, id, cloud.buildBody(task.meta), hooks))
  if (img.status === 'active') {
    // an earlier attempt completed but its verification did not run: hash locally and compare
    hooks.phase('hashing', size, 0)
    const tData = performance.now()
    const d = await hashFile(task.filePath, { signal: hooks.signal, onBytes: hooks.bytes })
    return finish(cloud, id, d, img, task, hooks, t0, tData)
  }
  if (img.status !== 'queued') {
    const old = id
    hooks.log?.('image not uploadable, replacing', { imageId: old, status: img.status })
    await deleteQuietly(glance, old)
    id = newImageId()
    img = await createIdempotent(glance, id, cloud.buildBody(task.meta))
    hooks.imageChanged?.(id, old)
  }
  throwIfAborted(hooks.signal)

  // 2. stream the file: read once into shared slots, hashed (md5 + sha512) by worker threads while the same bytes are
  // written to the socket
  hooks.phase('uploading', size, 0)
  const tData = performance.now()
  const body = new HashedFileBody(task.filePath, size, { onBytes: hooks.bytes })
  let d: Digests
  try {
    await glance.uploadData(id, body, size, { signal: hooks.signal })
    const h = await body.digests()
    d = { md5: h.md5!, sha512: h.sha512!, bytes: h.bytes }
  } catch (e) {
    if (hooks.signal.aborted) throw hooks.signal.reason instanceof Error ? hooks.signal.reason : e
    throw e
  } finally {
    body.dispose()
  }
  if (d.bytes !== size) {
    throw new AppError({ code: 'FILE', message: `${task.filePath} changed during the upload (${d.bytes} of ${size} bytes read).`, retryable: true })
  }

  // 3. verify
  hooks.phase('verifying')
  let after = await glance.get(id)
  for (let i = 0; i < UPLOAD_SETTLE_POLLS && (after.status === 'saving' || after.status === 'uploading'); i++) {
    await pause(UPLOAD_SETTLE_POLL_MS, hooks.signal)
    after = await glance.get(id)
  }
  return finish(cloud, id, d, after, task, hooks, t0, tData)
}

async function finish(
  cloud: TransferCloud,
  id: string,
  d: Digests,
  img: RawImage,
  task: UploadTask,
  hooks: EngineHooks,
  t0: number,
  tData: number,
): Promise<UploadResult> {
  if (img.status !== 'active') {
    throw new AppError({
      code: 'SERVER',
      message: `After the upload the image ${id} is ${img.status}, not active.`,
      retryable: img.status === 'queued' || img.status === 'killed',
      details: { imageId: id },
    })
  }
  const problems: string[] = []
  if (task.expected?.sha512 && task.expected.sha512 !== d.sha512) problems.push('the file no longer matches the hash taken when the draft was prepared')
  if (task.expected?.md5 && task.expected.md5 !== d.md5) problems.push('the file no longer matches the md5 taken when the draft was prepared')
  if (img.checksum && img.checksum !== d.md5) problems.push(`Glance's checksum ${img.checksum} differs from the local md5 ${d.md5}`)
  const exp = expectedHash(img)
  if (exp?.algo === 'sha512' && exp.value !== d.sha512) problems.push(`Glance's os_hash_value differs from the local sha512`)
  if (typeof img.size === 'number' && img.size !== d.bytes) problems.push(`Glance stored ${img.size} bytes, ${d.bytes} were sent`)
  if (problems.length) {
    const deleted = await deleteQuietly(cloud.glance, id)
    throw new AppError({
      code: 'HASH_MISMATCH',
      message: `Upload of ${task.filePath} FAILED verification: ${problems.join('; ')}. ${deleted ? `The image ${id} was deleted.` : `The image ${id} could not be deleted: delete it by hand.`}`,
      retryable: false,
      details: { imageId: id, deleted, localMd5: d.md5, localSha512: d.sha512, glanceChecksum: img.checksum ?? null, glanceHash: img.os_hash_value ?? null },
    })
  }
  return {
    imageId: id,
    md5: d.md5,
    sha512: d.sha512,
    bytes: d.bytes,
    verified: !!(img.checksum || exp),
    seconds: (performance.now() - t0) / 1000,
    transferSeconds: (performance.now() - tData) / 1000,
    image: img,
  }
}
