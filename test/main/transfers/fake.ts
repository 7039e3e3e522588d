/** An in-memory Glance behind the engine's port, with fault injection. */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError } from '../../../preload/api'
import type { GlancePort, RawImage, TransferCloud } from '../../../main/transfers/port'
import { basicCreateBody } from '../../../main/transfers/port'

interface Img {
  raw: RawImage
  data?: Buffer
}

export interface Faults {
  /** Fail the next upload after this many bytes; the image is left in `status`. */
  uploadFailAt?: { bytes: number; status: 'queued' | 'saving' | 'killed' }
  /** Fail the next download after this many bytes. */
  downloadFailAt?: number
  /** Store a wrong checksum / hash after upload. */
  corrupt?: boolean
  /** Ignore Range headers (answer 200). */
  noRange?: boolean
  /** Delay (ms) per 256 KiB uploaded / per 64 KiB downloaded, to make transfers take time. */
  chunkDelayMs?: number
  /** Fail create with a 503 this many times. */
  createFailures?: number
}

export class FakeGlance implements GlancePort {
  readonly images = new Map<string, Img>()
  readonly deleted = new Set<string>()
  faults: Faults = {}
  calls: string[] = []

  private notFound(id: string): AppError {
    return new AppError({ code: 'NOT_FOUND', message: `No image ${id}`, status: 404 })
  }

  async create(body: Record<string, unknown>): Promise<RawImage> {
    this.calls.push('create')
    if (this.faults.createFailures) {
      this.faults.createFailures--
      throw new AppError({ code: 'SERVER', message: 'unavailable', status: 503, retryable: true })
    }
    const id = String(body.id)
    if (this.images.has(id) || this.deleted.has(id)) throw new AppError({ code: 'CONFLICT', message: 'exists', status: 409 })
    const raw: RawImage = { ...body, id, status: 'queued', size: null, checksum: null, os_hash_algo: null, os_hash_value: null }
    this.images.set(id, { raw })
    return { ...raw }
  }

  async get(id: string): Promise<RawImage> {
    const i = this.images.get(id)
    if (!i) throw this.notFound(id)
    return { ...i.raw }
  }

  async delete(id: string): Promise<void> {
    this.calls.push(`delete ${id}`)
    if (!this.images.delete(id)) throw this.notFound(id)
    this.deleted.add(id)
  }

  async uploadData(id: string, body: Readable, size: number, opts: { signal?: AbortSignal }): Promise<void> {
    this.calls.push('upload')
    const i = this.images.get(id)
    if (!i) throw this.notFound(id)
    if (i.raw.status !== 'queued') throw new AppError({ code: 'CONFLICT', message: `image is ${i.raw.status}`, status: 409 })
    i.raw.status = 'saving'
    const parts: Buffer[] = []
    let n = 0
    const fail = this.faults.uploadFailAt
    this.faults.uploadFailAt = undefined
    for await (const chunk of body) {
      if (opts.signal?.aborted) {
        i.raw.status = 'queued'
        body.destroy()
        throw new AppError({ code: 'CANCELLED', message: 'aborted' })
      }
      parts.push(chunk as Buffer)
      n += (chunk as Buffer).length
      if (this.faults.chunkDelayMs) await sleep(this.faults.chunkDelayMs * Math.ceil((chunk as Buffer).length / (256 * 1024)))
      if (opts.signal?.aborted) {
        i.raw.status = 'queued'
        body.destroy()
        throw new AppError({ code: 'CANCELLED', message: 'aborted' })
      }
      if (fail && n >= fail.bytes) {
        i.raw.status = fail.status
        body.destroy()
        throw new AppError({ code: 'NETWORK', message: 'connection reset', retryable: true })
      }
    }
    const data = Buffer.concat(parts)
    if (data.length !== size) throw new AppError({ code: 'VALIDATION', message: 'size mismatch', status: 400 })
    i.data = data
    i.raw.size = data.length
    i.raw.checksum = createHash('md5').update(this.faults.corrupt ? Buffer.from('x') : data).digest('hex')
    i.raw.os_hash_algo = 'sha512'
    i.raw.os_hash_value = createHash('sha512').update(this.faults.corrupt ? Buffer.from('x') : data).digest('hex')
    i.raw.status = 'active'
  }

  /** Put an active image directly. */
  put(id: string, data: Buffer): void {
    this.images.set(id, {
      data,
      raw: {
        id,
        status: 'active',
        size: data.length,
        checksum: createHash('md5').update(data).digest('hex'),
        os_hash_algo: 'sha512',
        os_hash_value: createHash('sha512').update(data).digest('hex'),
      },
    })
  }

  async downloadData(id: string, opts: { range?: { start: number }; signal?: AbortSignal }) {
    this.calls.push(opts.range ? `download from ${opts.range.start}` : 'download')
    const i = this.images.get(id)
    if (!i?.data) throw this.notFound(id)
    const ranged = !!opts.range && !this.faults.noRange
    const start = ranged ? opts.range!.start : 0
    const failAt = this.faults.downloadFailAt
    this.faults.downloadFailAt = undefined
    const data = i.data
    const delay = this.faults.chunkDelayMs
    async function* gen() {
      const step = 64 * 1024
      for (let p = start; p < data.length; p += step) {
        if (failAt !== undefined && p >= failAt) {
          const e = new Error('socket hang up') as NodeJS.ErrnoException
          e.code = 'ECONNRESET'
          throw e
        }
        if (delay) await sleep(delay)
        yield data.subarray(p, Math.min(p + step, data.length))
      }
    }
    return { status: ranged ? 206 : 200, stream: Readable.from(gen()), headers: {} }
  }

  async importWebDownload(id: string, uri: string): Promise<void> {
    const i = this.images.get(id)
    if (!i) throw this.notFound(id)
    i.raw.status = 'importing'
    setTimeout(() => {
      if (uri.includes('bad')) {
        i.raw.status = 'queued'
        i.raw.os_glance_failed_import = 'file'
      } else {
        i.data = Buffer.from('imported')
        i.raw.status = 'active'
        i.raw.size = i.data.length
        i.raw.checksum = createHash('md5').update(i.data).digest('hex')
      }
    }, 30)
  }
}

export function fakeCloud(glance: FakeGlance, profileId = 'p1', region = 'RegionOne'): TransferCloud {
  return { profileId, region, glance, buildBody: basicCreateBody }
}
