/**
 * Upload: create the image with a client-chosen id (idempotent), stream the file to PUT /file in 4 MiB chunks with
 * back-pressure (memory flat whatever the size: a ring of shared slots, see hashed-source.ts), sha512 in the
 * same read pass on a worker thread, then verify against what Glance computed (see STREAM_ALGOS). One call is one attempt; the queue retries transient failures and calls again: the image's state
 * decides (queued: PUT again; active: verify; saving/killed/other: delete it and create a new one, reported through
 * `imageChanged`).
 *
 * Bound to the inspected file (issues 12.6 and 13.2):
 *
 *   when                      | checked                                            | on a difference
 *   --------------------------|----------------------------------------------------|------------------------------------
 *   attempt start (before the | path and open fd: dev, ino, size, mtime as recorded | FILE fileChanged, nothing created
 *   image is created)         | at enqueue; headers re-inspected FROM THAT fd      | UNSAFE_FILE inspectionChanged
 *   while streaming           | the regions the inspector read are captured from   | -
 *                             | the chunks that are sent (bounded, see inspect/)   |
 *   before the last chunk     | fd identity again; the inspector re-run on the     | FILE fileChanged / UNSAFE_FILE
 *                             | captured bytes gives the same verdict              | streamDiffers: the request is
 *                             |                                                    | aborted, the image deleted
 */
import { open, stat, type FileHandle } from 'node:fs/promises'
import { AppError, type InspectionReport } from '../../preload/api'
import { hashFile } from './hashing'
import type { HashAlgo, PartialDigests } from './hash-workers'
import { HashedFileBody } from './hashed-source'
import { assertUploadable, identityChange, identityOf, inspectHandle, inspectSource, verdictName, verdictOf, type FileIdentity } from './inspect'
import { StreamCapture } from './inspect/source'
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
  /** The file's identity when it was inspected (enqueue): a different file or a changed one is never sent. */
  identity?: FileIdentity
  /** The report the user accepted: the file and the streamed bytes must still inspect the same. */
  inspection?: InspectionReport
}

/**
 * What the upload's one read pass hashes: sha512 alone, Glance's default `os_hash_algo`. The upload is verified as a
 * download is (docs: `os_hash_value`, else `checksum`): once the file's sha512 equals Glance's `os_hash_value`, the
 * bytes are the same, and an md5 of them proves nothing more while costing as much CPU again (~1.4-1.9 s/GiB here, on
 * the cores Glance needs for its own two hashes: issue 16.3). md5 is still compared when it is known for free (a
 * draft's, taken with its sha512) and is taken in a second read of the same descriptor when Glance has no sha512.
 */
const STREAM_ALGOS: readonly HashAlgo[] = ['sha512']

export interface UploadResult {
  imageId: string
  /** The file's md5: hashed here (or with the draft), else Glance's `checksum` of the bytes sha512 proved the same. */
  md5?: string
  sha512?: string
  bytes: number
  verified: boolean
  seconds: number
  /** Seconds from the start of the PUT of the data to the verified image (without login, create, inspection). */
  transferSeconds: number
  image: RawImage
}

/** FILE/fileChanged; HASH_MISMATCH for a draft (its file no longer matches the hashes taken when it was prepared). */
function fileChanged(path: string, c: { field: string; then: number; now: number }, draft = false): AppError {
  return new AppError({
    code: draft ? 'HASH_MISMATCH' : 'FILE',
    message: `${path} changed after it was inspected (${c.field}: ${c.then} then, ${c.now} now); the upload was stopped. Check the file and add the upload again.`,
    retryable: false,
    details: { reason: 'fileChanged', params: { path, field: c.field, then: c.then, now: c.now } },
  })
}

function verdictChanged(reason: 'inspectionChanged' | 'streamDiffers', path: string, found: string, accepted: string): AppError {
  return new AppError({
    code: 'UNSAFE_FILE',
    message:
      reason === 'streamDiffers'
        ? `The bytes sent from ${path} do not inspect as the accepted file (${found} sent, ${accepted} accepted): the upload was stopped before the last part.`
        : `${path} no longer inspects as when the upload was added (${found} now, ${accepted} then); nothing was sent.`,
    retryable: false,
    details: { reason, params: { path, found, accepted } },
  })
}

export async function uploadImage(cloud: TransferCloud, task: UploadTask, hooks: EngineHooks): Promise<UploadResult> {
  let fh: FileHandle
  try {
    fh = await open(task.filePath, 'r')
  } catch (e) {
    throw new AppError(
      { code: 'FILE', message: `Cannot read ${task.filePath}: ${(e as Error).message}`, details: { reason: 'unreadable', params: { path: task.filePath } } },
      { cause: e },
    )
  }
  try {
    return await uploadFrom(fh, cloud, task, hooks)
  } finally {
    await fh.close().catch(() => {})
  }
}

async function uploadFrom(fh: FileHandle, cloud: TransferCloud, task: UploadTask, hooks: EngineHooks): Promise<UploadResult> {
  const t0 = performance.now()
  const glance = cloud.glance
  // 0. the very file that was inspected: the path still names it, the descriptor is it, and it is unchanged
  const now = identityOf(await fh.stat())
  if (task.identity) {
    const byPath = identityOf(await stat(task.filePath))
    const c = identityChange(task.identity, now) ?? identityChange(task.identity, byPath)
    if (c) throw fileChanged(task.filePath, c, !!task.expected?.sha512)
  }
  const size = now.size
  const { report, regions } = await inspectHandle(fh, size, task.meta.diskFormat, task.filePath)
  // (a report saved before reports carried coded issues cannot be compared: the streamed check below still runs)
  if (task.inspection?.issues && verdictOf(report) !== verdictOf(task.inspection)) {
    throw verdictChanged('inspectionChanged', task.filePath, verdictName(report), verdictName(task.inspection))
  }
  assertUploadable(task.filePath, report)
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
    const d = await hashFile(task.filePath, { signal: hooks.signal, onBytes: hooks.bytes, file: fh })
    return finish(cloud, fh, id, d, img, task, hooks, t0, tData)
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

  // 2. stream the file: read once into shared slots, hashed (STREAM_ALGOS) by a worker thread while the same bytes
  // are written to the socket
  hooks.phase('uploading', size, 0)
  const tData = performance.now()
  // the inspector sees the bytes that are sent: it keeps its regions, and judges them before the last chunk goes
  const capture = new StreamCapture(regions, size)
  let stopped: AppError | null = null
  const tap = {
    chunk: (pos: number, data: Uint8Array) => capture.feed(pos, data),
    beforeEnd: async (): Promise<void> => {
      const c = identityChange(now, identityOf(await fh.stat()))
      if (c) throw (stopped = fileChanged(task.filePath, c))
      let streamed: InspectionReport | null = null
      try {
        streamed = await inspectSource(capture, task.meta.diskFormat, task.filePath)
      } catch {
        streamed = null // a read outside the captured regions, or another format: not the accepted bytes
      }
      if (!streamed || verdictOf(streamed) !== verdictOf(report) || streamed.unsafe.length) {
        throw (stopped = verdictChanged('streamDiffers', task.filePath, streamed ? verdictName(streamed) : 'another layout', verdictName(report)))
      }
    },
  }
  const body = new HashedFileBody(task.filePath, size, { onBytes: hooks.bytes, file: fh, tap, algos: STREAM_ALGOS })
  let d: PartialDigests
  try {
    await glance.uploadData(id, body, size, { signal: hooks.signal })
    await body.sent(250)
    body.settle()
    d = await body.digests()
  } catch (e) {
    if (hooks.signal.aborted) throw hooks.signal.reason instanceof Error ? hooks.signal.reason : e
    const stop = stopped as AppError | null // set by the tap (TypeScript does not see the closure's assignment)
    if (stop) {
      // never leave what Glance got of it: the image is deleted
      const deleted = await deleteQuietly(glance, id)
      throw new AppError({ ...stop.toJSON(), details: { ...stop.details, imageId: id, deleted } })
    }
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
  return finish(cloud, fh, id, d, after, task, hooks, t0, tData)
}

async function finish(
  cloud: TransferCloud,
  fh: FileHandle,
  id: string,
  d: PartialDigests,
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
  const exp = expectedHash(img)
  if (task.expected?.sha512 && d.sha512 && task.expected.sha512 !== d.sha512)
    problems.push('the file no longer matches the hash taken when the draft was prepared')
  if (task.expected?.md5 && d.md5 && task.expected.md5 !== d.md5) problems.push('the file no longer matches the md5 taken when the draft was prepared')
  if (exp?.algo === 'sha512' && exp.value !== d.sha512) problems.push(`Glance's os_hash_value differs from the local sha512`)
  // the file's md5: hashed on the way, or the draft's (the file still has the draft's sha512), or, when Glance has no
  // sha512 to verify by, from a second read of the descriptor that was sent
  const draftMd5 = task.expected?.md5 && task.expected.sha512 && task.expected.sha512 === d.sha512 ? task.expected.md5 : undefined
  let md5 = d.md5 ?? draftMd5
  if (!md5 && img.checksum && exp?.algo !== 'sha512') {
    const again = await hashFile(task.filePath, { signal: hooks.signal, file: fh })
    if (again.bytes !== d.bytes || (d.sha512 && again.sha512 !== d.sha512)) problems.push('the file changed after it was sent')
    md5 = again.md5
  }
  if (img.checksum && md5 && img.checksum !== md5) problems.push(`Glance's checksum ${img.checksum} differs from the local md5 ${md5}`)
  if (typeof img.size === 'number' && img.size !== d.bytes) problems.push(`Glance stored ${img.size} bytes, ${d.bytes} were sent`)
  if (problems.length) {
    const deleted = await deleteQuietly(cloud.glance, id)
    throw new AppError({
      code: 'HASH_MISMATCH',
      message: `Upload of ${task.filePath} FAILED verification: ${problems.join('; ')}. ${deleted ? `The image ${id} was deleted.` : `The image ${id} could not be deleted: delete it by hand.`}`,
      retryable: false,
      details: {
        imageId: id,
        deleted,
        localMd5: md5 ?? null,
        localSha512: d.sha512 ?? null,
        glanceChecksum: img.checksum ?? null,
        glanceHash: img.os_hash_value ?? null,
      },
    })
  }
  const glanceMd5 = exp?.algo === 'sha512' && typeof img.checksum === 'string' ? img.checksum : undefined
  return {
    imageId: id,
    ...(md5 || glanceMd5 ? { md5: md5 ?? glanceMd5 } : {}),
    ...(d.sha512 ? { sha512: d.sha512 } : {}),
    bytes: d.bytes,
    verified: !!(img.checksum || exp),
    seconds: (performance.now() - t0) / 1000,
    transferSeconds: (performance.now() - tData) / 1000,
    image: img,
  }
}
