/**
 * The queue file: `<dataDir>/transfers/jobs.json` (the CLI's own: `cli-jobs.json`), written atomically (temp file,
 * fsync, rename, fsync of the folder), mode 0600. On load:
 *   | the file                                  | what happens                                                       |
 *   |-------------------------------------------|--------------------------------------------------------------------|
 *   | missing                                   | an empty queue                                                     |
 *   | not JSON, not `{version: 1, jobs: [...]}` | moved aside (`.corrupt-<time>`), reported, the queue starts empty   |
 *   | some jobs fail the schema (JOB_SCHEMA)    | those jobs are quarantined: written to `<file>.quarantine-<time>`, |
 *   |                                           | reported (a notice), left out; the good jobs load                  |
 * Byte counters are saved at most every `throttleMs`; state changes are saved at once.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { basename, isAbsolute, join } from 'node:path'
import { z } from 'zod'
import { DISK_FORMATS, type InspectionReport, type JobDTO } from '../../preload/api'
import type { ImageMeta } from './port'
import type { FileIdentity } from './inspect'
import { COPY_SPEC_SCHEMA, type CopySpec } from '../copy/job'
import { redactUrl } from '../log'
import { atomicWriteFile, syncDir } from '../files/atomic'

export type UploadSpec = ImageMeta & {
  kind: 'upload'
  filePath: string
  size: number
  inspection?: InspectionReport
  /** A: dev/ino/size/mtime of the file inspected at enqueue (upload.ts sends only that file, unchanged). */
  identity?: FileIdentity
}
export interface DownloadSpec {
  kind: 'download'
  path: string
  /**
   * The job's own part file, once it made one (created O_EXCL|O_NOFOLLOW): its name, device and inode, the image it
   * holds bytes of and the hash those bytes must reach. A file at that name that is not this one is never touched.
   */
  part?: PartBinding
  /** The image has no checksum and no hash: the bytes are kept in the part file until the user accepts them. */
  unverified?: boolean
}

export interface PartBinding {
  path: string
  dev: number
  ino: number
  imageId: string
  expected: { algo: 'sha512' | 'md5'; value: string } | null
}
export type ImportSpec = ImageMeta & {
  kind: 'import'
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

// ---------------------------------------------------------------------------------------------------------------
// The schema a job must pass on load (unknown extra fields are kept: a newer version may have written them)
// ---------------------------------------------------------------------------------------------------------------

const zIso = z.string().min(1).max(64)
const zAbsPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => isAbsolute(p), 'not an absolute path')
const zMeta = {
  name: z.string().max(255),
  fields: z.looseObject({ minDiskGiB: z.number(), minRamGiB: z.number(), public: z.boolean(), protected: z.boolean() }),
  diskFormat: z.enum(DISK_FORMATS),
  containerFormat: z.string().max(64).optional(),
  tags: z.array(z.string().max(255)).max(128).optional(),
  properties: z.record(z.string().max(255), z.string().max(65535)).optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
}
const zHttpUrl = z
  .string()
  .max(8192)
  .refine((u) => /^https?:\/\//i.test(u), 'not an http(s) URL')
const zPart = z.looseObject({
  path: zAbsPath,
  dev: z.number(),
  ino: z.number(),
  imageId: z.string().min(1).max(64),
  expected: z.object({ algo: z.enum(['sha512', 'md5']), value: z.string().max(256) }).nullable(),
})
/** One entry per job kind: a new kind adds its spec here (and its type to JobRecord['spec']). */
const SPEC_SCHEMAS = {
  upload: z.looseObject({ kind: z.literal('upload'), ...zMeta, filePath: zAbsPath, size: z.number().int().nonnegative() }),
  download: z.looseObject({ kind: z.literal('download'), path: zAbsPath, part: zPart.optional(), unverified: z.boolean().optional() }),
  import: z.looseObject({ kind: z.literal('import'), ...zMeta, url: zHttpUrl, started: z.boolean().optional() }),
  copy: COPY_SPEC_SCHEMA, // D1 (main/copy/job.ts)
}
const zJob = z.looseObject({
  id: z.string().regex(/^job_[A-Za-z0-9-]{1,64}$/),
  kind: z.string(),
  profileId: z.string().min(1).max(256),
  region: z.string().max(256),
  state: z.enum(['draft', 'queued', 'running', 'paused', 'done', 'failed', 'cancelled']),
  phase: z.string().max(32),
  imageId: z.string().max(64).optional(),
  imageName: z.string().max(1024),
  bytes: z.number().nonnegative(),
  total: z.number().nonnegative().optional(),
  attempts: z.number().int().nonnegative(),
  createdAt: zIso,
  updatedAt: zIso,
  spec: z.looseObject({ kind: z.string() }),
})

/** Checks one job from the file (pure): the job, or why it is refused. */
/**
 * A job as it is written to jobs.json (B1, issue 12.7): an import URL's query values, user info and fragment are
 * redacted (a pre-signed URL's signature is a secret); the full URL stays in memory for this run. A restarted
 * import whose URL was redacted and that Glance has not started yet asks for the URL again (service.ts).
 */
export function forDisk(j: JobRecord): JobRecord {
  let out = j
  // an error (an import failure quotes task.url in its message and params) may carry a pre-signed URL: any kind
  if (j.error) {
    const error = redactUrls(j.error) as NonNullable<JobRecord['error']>
    if (JSON.stringify(error) !== JSON.stringify(j.error)) out = { ...out, error }
  }
  if (j.spec.kind !== 'import') return out
  const url = redactUrl(j.spec.url)
  if (url === j.spec.url && (j.url === undefined || redactUrl(j.url) === j.url)) return out
  out = { ...out, spec: { ...j.spec, url } }
  if (j.url !== undefined) out.url = redactUrl(j.url)
  return out
}

const URL_IN_TEXT = /\b(https?|wss?):\/\/[^\s"'<>\\]+/gi
/**
 * Every URL inside the strings of a value (recursively) through log.ts's redactUrl. Not log.ts's redact(): that one
 * also blanks 32-hex token shapes, which would eat an error's md5 checksums.
 */
function redactUrls(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.replace(URL_IN_TEXT, (m) => redactUrl(m))
  if (depth > 8 || !v || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map((x) => redactUrls(x, depth + 1))
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, redactUrls(x, depth + 1)]))
}

/** Whether an import URL lost its query (or user info) when it was written to disk. */
export function urlWasRedacted(url: string): boolean {
  return url.includes('[REDACTED]')
}

export function checkJob(raw: unknown): { ok: true; job: JobRecord } | { ok: false; why: string } {
  const r = zJob.safeParse(raw)
  if (!r.success) return { ok: false, why: z.prettifyError(r.error) }
  const specSchema = SPEC_SCHEMAS[r.data.spec.kind as keyof typeof SPEC_SCHEMAS]
  if (!specSchema) return { ok: false, why: `unknown job kind ${JSON.stringify(r.data.spec.kind).slice(0, 40)}` }
  if (r.data.kind !== r.data.spec.kind) return { ok: false, why: 'the job kind and its spec kind differ' }
  const sr = specSchema.safeParse(r.data.spec)
  if (!sr.success) return { ok: false, why: z.prettifyError(sr.error) }
  return { ok: true, job: r.data as unknown as JobRecord }
}

/** The folder fsync lives with the atomic writer (main/files/atomic.ts); re-exported for download.ts. */
export { syncDir }

export class JobStore {
  readonly file: string
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()
  /** Set when the file was corrupt and moved aside. */
  recovered?: { message: string; backupPath: string; why: string }
  /** Set when some jobs failed the schema: how many, where they were kept, the first reason. */
  quarantined?: { count: number; path: string; why: string }
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
    fileName = 'jobs.json',
  ) {
    this.file = join(dir, 'transfers', fileName)
  }

  /** `readOnly`: another process owns the queue (its lock): nothing is moved aside or written, bad jobs are only left out. */
  async load(opts: { readOnly?: boolean } = {}): Promise<JobRecord[]> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw e
    }
    let jobs: unknown[]
    try {
      const data = JSON.parse(text) as { version?: unknown; jobs?: unknown }
      if (!data || data.version !== 1 || !Array.isArray(data.jobs)) throw new Error('not a version 1 queue file')
      jobs = data.jobs
    } catch (e) {
      if (opts.readOnly) return []
      const backupPath = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
      await rename(this.file, backupPath)
      this.recovered = {
        message: `The transfer queue file could not be read (${(e as Error).message}); it was kept as ${backupPath} and the queue starts empty.`,
        backupPath,
        why: (e as Error).message.slice(0, 200),
      }
      return []
    }
    const good: JobRecord[] = []
    const bad: { job: unknown; why: string }[] = []
    const seen = new Set<string>()
    for (const raw of jobs) {
      const c = checkJob(raw)
      if (c.ok && seen.has(c.job.id)) bad.push({ job: raw, why: `a second job with the id ${c.job.id}` })
      else if (c.ok) {
        seen.add(c.job.id)
        good.push(c.job)
      } else bad.push({ job: raw, why: c.why })
    }
    if (bad.length && !opts.readOnly) {
      const path = `${this.file}.quarantine-${new Date().toISOString().replace(/[:.]/g, '-')}`
      const fh = await open(path, 'wx', 0o600)
      try {
        await fh.writeFile(JSON.stringify({ from: basename(this.file), jobs: bad }, null, 1))
        await fh.sync()
      } finally {
        await fh.close()
      }
      this.quarantined = { count: bad.length, path, why: bad[0]!.why.slice(0, 500) }
      // the file is rewritten without them at the next save (they are kept in the quarantine file)
    }
    return good
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
    const data: QueueFile = { version: 1, jobs: this.snapshot().map(forDisk) }
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 })
    // temp file (0600), fsync, rename, fsync of the folder; a failure leaves the last good queue file untouched
    await atomicWriteFile(this.file, JSON.stringify(data, null, 1), 0o600, { syncFolder: true })
    this.writes++
  }

  async flush(): Promise<void> {
    if (this.timer) await this.save()
    await this.writing
  }
}
