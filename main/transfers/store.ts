/**
 * The queue file: `<dataDir>/transfers/jobs.json`, written atomically (temp file, fsync, rename), mode 0600. A file
 * that cannot be parsed is moved aside (never overwritten silently) and reported. Byte counters are saved at most
 * every `throttleMs`; state changes are saved at once.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { InspectionReport, JobDTO } from '../../preload/api'
import type { ImageMeta } from './port'
import type { CopySpec } from '../copy/job'

export type UploadSpec = ImageMeta & {
  kind: 'upload'
  filePath: string
  size: number
  inspection?: InspectionReport
import type { FileIdentity } from './inspect'
}
export interface DownloadSpec {
  kind: 'download'
  path: string
}
export type ImportSpec = ImageMeta & {
  kind: 'import'
  /** A: dev/ino/size/mtime of the file inspected at enqueue (upload.ts sends only that file, unchanged). */
  identity?: FileIdentity
  url: string
  /** Glance accepted the import call (a restart only polls). */
  started?: boolean
}

export interface JobRecord extends JobDTO {
  spec: UploadSpec | DownloadSpec | ImportSpec | CopySpec // D1: copy (main/copy/job.ts)
  /** Half-made images this job deleted and replaced (their ids). */
  replaced?: string[]
  /** Why the job was recovered, when it was. */
  recovered?: string
}

interface QueueFile {
  version: 1
  jobs: JobRecord[]
}

export class JobStore {
  readonly file: string
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()
  /** Set when the file was corrupt and moved aside. */
  recovered?: { message: string; backupPath: string }
  /** The last save's failure (cleared by a save that works). */
  lastError: Error | null = null

  /**
   * `onError` hears about a save that failed (disk full, a read-only or vanished data folder) the first time it
   * fails, and `onRecovered` when saving works again: the jobs are still in memory and the next save retries.
   */
  constructor(
    dir: string,
    private readonly snapshot: () => JobRecord[],
    private readonly throttleMs = 2000,
    private readonly report: { onError?: (e: Error) => void; onRecovered?: () => void } = {},
  ) {
    this.file = join(dir, 'transfers', 'jobs.json')
  }

  async load(): Promise<JobRecord[]> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw e
    }
    try {
      const data = JSON.parse(text) as QueueFile
      if (!data || data.version !== 1 || !Array.isArray(data.jobs)) throw new Error('not a version 1 queue file')
      return data.jobs.filter((j) => j && typeof j.id === 'string' && typeof j.kind === 'string' && j.spec)
    } catch (e) {
      const backupPath = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
      await rename(this.file, backupPath)
      this.recovered = {
        message: `The transfer queue file could not be read (${(e as Error).message}); it was kept as ${backupPath} and the queue starts empty.`,
        backupPath,
      }
      return []
    }
  }

  /** Save now (state changes). Writes are serialised; the last snapshot wins. */
  save(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    this.writing = this.writing
      .then(() => this.write())
      .then(
        () => {
          if (!this.lastError) return
          this.lastError = null
          this.report.onRecovered?.()
        },
        (e: unknown) => {
          const err = e instanceof Error ? e : new Error(String(e))
          const first = !this.lastError
          this.lastError = err
          if (first) this.report.onError?.(err)
        },
      )
      // a listener that throws must not stop later saves (they chain on this promise)
      .catch(() => {})
    return this.writing
  }

  /** Save soon (byte counters): at most once per throttle period. */
  saveSoon(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.save()
    }, this.throttleMs)
    this.timer.unref?.()
  }

  /** Number of writes done (tests). */
  writes = 0

  private async write(): Promise<void> {
    const data: QueueFile = { version: 1, jobs: this.snapshot() }
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 })
    const tmp = `${this.file}.${process.pid}.tmp`
    const fh = await open(tmp, 'w', 0o600)
    try {
      try {
        await fh.writeFile(JSON.stringify(data, null, 1))
        await fh.sync()
      } finally {
        await fh.close()
      }
      await rename(tmp, this.file)
    } catch (e) {
      // a half-written temp file must not stay behind (the last good queue file is untouched)
      await unlink(tmp).catch(() => {})
      throw e
    }
    this.writes++
  }

  async flush(): Promise<void> {
    if (this.timer) await this.save()
    await this.writing
  }
}
