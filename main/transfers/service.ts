/**
 * The transfer queue: uploads, downloads and URL imports as persisted jobs (store.ts), run with per-profile
 * concurrency (scheduler.ts), transient failures retried with exponential backoff, pause / resume / cancel / retry
 * (the states: job-state.ts), offline drafts, and recovery of jobs that were running when the process died. Progress
 * leaves through the EventBus, batched and rate-limited (progress.ts); every state change is a 'transfers:changed'
 * event; OS notifications, taskbar progress and save notices are in notifications.ts.
 */
import { stat } from 'node:fs/promises'
import { AppError, type CloudContext, type DiskFormat, type JobDTO, type JobPhase, type JobState } from '../../preload/api'
import type { Platform } from '../platform'
import type { EventBus } from '../events'
import { EVENTS } from '../../preload/contract/events'
import { redactUrl, type Logger } from '../log'
import type { FileRegistry } from '../files/registry'
import type { CloudConnector } from '../profiles/connector'
import { toAppError } from '../errors'
import { assertUploadable, inspectFileWithIdentity } from './inspect'
import { ProgressHub } from './progress'
import { JobStore, urlWasRedacted, type DownloadSpec, type ImportSpec, type JobRecord, type UploadSpec } from './store'
import { deleteUnfinished, newImageId, withDeadline, withRetries, type EngineHooks } from './engine'
import { uploadImage } from './upload'
import { acceptUnverifiedPart, downloadImage, removeOwnPart } from './download'
import { importFromUrl } from './importer'
import { hashFile } from './hashing'
import type { Connect, ImageMeta, TransferCloud } from './port'
import { connectorConnect } from './cloud'
import { checkManifestEntries, parseManifest, profileNamesOf, renderManifest, resolveProfiles, type ProfileNames } from './drafts'
import { ACTIVE, metaOf, newJob, requeueInterrupted, stopOf, stopReason, toDTO, type StopReason } from './job-state'
import { runnable } from './scheduler'
import { acquireQueueLock, type LockOwner, type LockResult } from './queue-lock'
import { reasonError } from '../../preload/rules/messages'
import { CONCURRENCY, IMPORT_DEADLINE_MS, MAX_ATTEMPTS, PERSIST_MS, PROGRESS_INTERVAL_MS, RETRY_BASE_MS } from './tuning'
import { TaskbarProgress, notifyEnded, saveReports } from './notifications'
import { attemptCopy, copyConnectorConnect, copyInfo, type CopySpec } from '../copy/job'
import type { CopyConnect } from '../copy/port'

export { toDTO } from './job-state'

/**
 * What the queue needs (E, issue 11: no `{} as CloudConnector`): either the app's `clouds` (profiles' clouds) or,
 * for the CLI and tests, its own `connect`.
 */
export type TransferServiceDeps = TransferServiceOptions & ({ clouds: CloudConnector; connect?: Connect } | { clouds?: undefined; connect: Connect })

export interface TransferServiceOptions {
  platform: Platform
  events: EventBus
  log: Logger
  files: FileRegistry
  /** D1: how copy jobs reach their source and target (default: through `clouds`). */
  copyConnect?: CopyConnect
  /** Jobs running at once per profile (default 2). */
  concurrency?: number
  /** Attempts per run before a transient failure becomes permanent (default 6). */
  maxAttempts?: number
  /** First retry delay (default 1000 ms), doubled each time, capped at 30 s. */
  backoffMs?: number
  /** Progress event interval (default 250 ms). */
  progressMs?: number
  /** Persistence throttle for byte counters (default 2000 ms). */
  persistMs?: number
  /** The queue file's name in `<dataDir>/transfers` (default jobs.json; the CLI keeps its own, cli-jobs.json). */
  queueFile?: string
  /**
   * Run only the jobs of this profile and region (the CLI: the login it authenticated). Other jobs stay as they are
   * and are never sent anywhere: `connect` is refused for them.
   */
  only?: { profileId: string; region: string }
  /** How long one attempt of a URL import waits for Glance (default IMPORT_DEADLINE_MS); then a retryable TIMEOUT. */
  importDeadlineMs?: number
  /** C4: profile names for draft manifests (default: the profiles of `clouds`; neither: manifests carry local ids). */
  profileNames?: ProfileNames
}

/** An upload to queue: the image's metadata (disk format `auto` lets inspection decide) and the local file. */
export type UploadRequest = Omit<ImageMeta, 'diskFormat'> & {
  diskFormat: DiskFormat | 'auto'
  filePath: string
  draft?: boolean
}

/** A web-download import to queue: the image's metadata and the URL Glance fetches. */
export type ImportRequest = ImageMeta & { url: string }

export class TransferService {
  private readonly jobs = new Map<string, JobRecord>()
  private readonly running = new Map<string, { ac: AbortController; done: Promise<void> }>()
  private readonly store: JobStore
  private readonly progress: ProgressHub
  private readonly connect: Connect
  private copyConnect: CopyConnect | undefined
  private readonly concurrency: number
  private started = false
  private readonly taskbar: TaskbarProgress
  private draftHashing: Promise<void> = Promise.resolve()
  /** Stops draft hashing when the service stops (a draft left without hashes is hashed on the next start). */
  private readonly draftAbort = new AbortController()
  /** The queue file's lock (queue-lock.ts): without it nothing runs and nothing is written. */
  private lock: LockResult = { held: false, by: null, path: '' }

  private constructor(readonly deps: TransferServiceDeps) {
    this.store = new JobStore(
      deps.platform.dataDir,
      () => [...this.jobs.values()],
      deps.persistMs ?? PERSIST_MS,
      saveReports(deps, () => this.store.file),
      deps.queueFile,
    )
    this.taskbar = new TaskbarProgress(deps.platform.shell)
    this.progress = new ProgressHub({
      emit: (events) => {
        for (const e of events) {
          const j = this.jobs.get(e.jobId)
          if (j) {
            j.bytes = e.bytes
            if (e.total !== undefined) j.total = e.total
          }
        }
        this.store.saveSoon()
        deps.events.emit(EVENTS.transfers.progress, events)
        this.updateTaskbar()
      },
      intervalMs: deps.progressMs ?? PROGRESS_INTERVAL_MS,
    })
    const connect = deps.clouds ? (deps.connect ?? connectorConnect(deps.clouds)) : deps.connect
    const only = deps.only
    // a job of another profile (or region) is never sent anywhere: refused before any connection is made
    this.connect = only
      ? (ctx) => {
          if (ctx.profileId !== only.profileId || (ctx.region && ctx.region !== only.region)) {
            return Promise.reject(
              reasonError(
                'CONFLICT',
                'otherLogin',
                { profileId: ctx.profileId, region: ctx.region },
                `This transfer belongs to another login (${ctx.profileId}, ${ctx.region}); it is not run here.`,
                { retryable: false },
              ),
            )
          }
          return connect(ctx)
        }
      : connect
    this.concurrency = deps.concurrency ?? CONCURRENCY
  }

  static async open(deps: TransferServiceDeps): Promise<TransferService> {
    const s = new TransferService(deps)
    s.lock = await acquireQueueLock(s.store.file)
    for (const j of await s.store.load({ readOnly: !s.lock.held })) s.jobs.set(j.id, j)
    return s
  }

  /** Who holds the queue when this process could not lock it (null: unknown owner); undefined when it is ours. */
  get lockedBy(): LockOwner | null | undefined {
    return this.lock.held ? undefined : this.lock.by
  }

  /** Throws CONFLICT queueLocked when another process owns the queue (the CLI checks before doing anything). */
  assertOwner(): void {
    this.owned()
  }

  /** Refuses any change while another process owns the queue. */
  private owned(): void {
    if (this.lock.held) return
    const by = this.lock.by
    throw reasonError(
      'CONFLICT',
      'queueLocked',
      { pid: by?.pid ?? null, host: by?.host ?? null, file: this.store.file },
      `The transfer queue ${this.store.file} is in use by another process${by ? ` (pid ${by.pid} on ${by.host}, since ${by.since})` : ''}; its jobs are not run here. Close it, or wait until it ends.`,
      { retryable: false },
    )
  }

  /** Whether this service runs the job (all jobs, or only those of `deps.only`). */
  private mine(j: JobRecord): boolean {
    const o = this.deps.only
    return !o || (j.profileId === o.profileId && j.region === o.region)
  }

  /** Set when the queue file was corrupt and kept aside. */
  get recovered(): { message: string; backupPath: string } | undefined {
    return this.store.recovered
  }

  /** Recover jobs that were running when the process stopped, then run the queue. */
  start(): void {
    if (this.started) return
    if (!this.lock.held) {
      const by = this.lock.by
      this.deps.log.error('transfer queue locked by another process', { file: this.store.file, ...(by ? { pid: by.pid, host: by.host } : {}) })
      this.deps.events.emit(EVENTS.app.notice, {
        level: 'error',
        message: `The transfer queue is in use by another process${by ? ` (pid ${by.pid} on ${by.host})` : ''}: transfers do not run in this window. Close the other one and restart.`,
        reason: by ? 'queueInUse' : 'queueInUseUnknown',
        params: by ? { pid: by.pid, host: by.host } : {},
      })
      return
    }
    this.started = true
    const q = this.store.quarantined
    if (q) {
      this.deps.log.error('transfer queue jobs quarantined', { count: q.count, file: q.path, why: q.why })
      this.deps.events.emit(EVENTS.app.notice, {
        level: 'warning',
        message: `${q.count} transfer(s) in the queue file were not valid and were set aside in ${q.path} (${q.why}). The other transfers are kept.`,
        reason: 'queueQuarantined',
        params: { count: q.count, path: q.path, why: q.why },
      })
      void this.store.save()
    }
    if (this.store.recovered) {
      this.deps.log.error('transfer queue file corrupt', { backup: this.store.recovered.backupPath })
      const r = this.store.recovered
      this.deps.events.emit(EVENTS.app.notice, { level: 'error', message: r.message, reason: 'queueCorrupt', params: { backup: r.backupPath, why: r.why } })
    }
    const recovered = requeueInterrupted(this.jobs.values())
    if (recovered) {
      this.deps.log.info('recovered interrupted transfers', { count: recovered })
      void this.store.save()
    }
    for (const j of this.jobs.values()) if (j.state === 'draft' && j.kind === 'upload' && !j.result?.sha512) this.hashDraft(j)
    this.pump()
  }

  async stop(): Promise<void> {
    this.started = false
    const waits = [...this.running.entries()].map(([id, r]) => {
      r.ac.abort(stopReason('shutdown'))
      void id
      return r.done
    })
    this.draftAbort.abort()
    await Promise.allSettled([...waits, this.draftHashing])
    this.progress.stop()
    await this.store.flush()
    if (this.lock.held) await this.lock.release()
  }

  /** Waits for pending queue-file writes. */
  async flush(): Promise<void> {
    await this.store.flush()
  }

  list(): JobDTO[] {
    return [...this.jobs.values()].map(toDTO)
  }

  get(jobId: string): JobDTO {
    return toDTO(this.job(jobId))
  }

  /** Resolves when the job reaches done / failed / cancelled (tests, CLI). */
  async waitFor(jobId: string, states: JobState[] = ['done', 'failed', 'cancelled'], timeoutMs = 600_000): Promise<JobDTO> {
    const t0 = Date.now()
    for (;;) {
      const j = this.jobs.get(jobId)
      if (!j) throw new AppError({ code: 'NOT_FOUND', message: `No transfer ${jobId}.` })
      if (states.includes(j.state)) return toDTO(j)
      if (Date.now() - t0 > timeoutMs) throw new AppError({ code: 'TIMEOUT', message: `Transfer ${jobId} is still ${j.state}.` })
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** A context with its region: the given one, else the profile's default (from the connector). */
  async resolveContext(ctx: CloudContext): Promise<Required<CloudContext>> {
    if (ctx.region) return { profileId: ctx.profileId, region: ctx.region }
    const cloud = await this.connect({ profileId: ctx.profileId, region: '' })
    return { profileId: ctx.profileId, region: cloud.region }
  }

  // ------------------------------------------------------------------------------------------------ enqueue ---

  async enqueueUpload(ctx: Required<CloudContext>, spec: UploadRequest): Promise<JobDTO> {
    const st = await stat(spec.filePath).catch((e: unknown) => {
      throw toAppError(e)
    })
    // A: the identity of the very file inspected; every attempt sends only that file, unchanged (upload.ts)
    const { report, identity } = await inspectFileWithIdentity(spec.filePath, spec.diskFormat)
    assertUploadable(spec.filePath, report)
    const fields = { ...spec.fields, minDiskGiB: Math.max(spec.fields.minDiskGiB, report.proposedMinDiskGiB) }
    const up: UploadSpec = {
      kind: 'upload',
      filePath: spec.filePath,
      size: st.size,
      name: spec.name,
      fields,
      diskFormat: report.proposedDiskFormat,
      inspection: report,
      identity,
    }
    if (spec.containerFormat) up.containerFormat = spec.containerFormat
    if (spec.tags) up.tags = spec.tags
    if (spec.properties) up.properties = spec.properties
    if (spec.extra) up.extra = spec.extra
    const job = newJob('upload', ctx, spec.name, up, spec.draft ? 'draft' : 'queued')
    job.file = spec.filePath
    job.total = st.size
    job.imageId = newImageId()
    await this.add(job)
    if (spec.draft) this.hashDraft(job)
    return toDTO(job)
  }

  async enqueueImport(ctx: Required<CloudContext>, spec: ImportRequest): Promise<JobDTO> {
    let u: URL
    try {
      u = new URL(spec.url)
    } catch {
      throw new AppError({ code: 'VALIDATION', message: `Not a URL: ${spec.url}` })
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new AppError({ code: 'VALIDATION', message: 'Only http and https URLs can be imported.' })
    }
    const im: ImportSpec = { kind: 'import', url: spec.url, name: spec.name, fields: spec.fields, diskFormat: spec.diskFormat }
    if (spec.containerFormat) im.containerFormat = spec.containerFormat
    if (spec.tags) im.tags = spec.tags
    if (spec.properties) im.properties = spec.properties
    if (spec.extra) im.extra = spec.extra
    const job = newJob('import', ctx, spec.name, im, 'queued')
    job.url = spec.url
    job.imageId = newImageId()
    await this.add(job)
    return toDTO(job)
  }

  async enqueueDownload(ctx: Required<CloudContext>, input: { imageId: string; path: string }): Promise<JobDTO> {
    this.assertTargetFree(input.path)
    const dl: DownloadSpec = { kind: 'download', path: input.path }
    const job = newJob('download', ctx, input.imageId, dl, 'queued')
    job.imageId = input.imageId
    job.file = input.path
    await this.add(job)
    return toDTO(job)
  }

  /** D1: a copy of one source image to the target `ctx` (main/copy/job.ts); `targetImageId` chosen by the caller. */
  async enqueueCopy(ctx: Required<CloudContext>, input: { spec: CopySpec; name: string; size?: number; targetImageId?: string }): Promise<JobDTO> {
    const job = newJob('copy', ctx, input.name, input.spec, 'queued')
    job.imageId = input.targetImageId ?? newImageId()
    job.copy = copyInfo(input.spec)
    if (input.size !== undefined) job.total = input.size
    await this.add(job)
    return toDTO(job)
  }

  // ------------------------------------------------------------------------------------------------ control ---

  async pause(jobId: string): Promise<JobDTO> {
    const j = this.job(jobId)
    if (j.state === 'running') await this.interrupt(j, 'pause')
    else if (j.state === 'queued') await this.setState(j, 'paused')
    else throw new AppError({ code: 'CONFLICT', message: `A ${j.state} transfer cannot be paused.` })
    return toDTO(j)
  }

  async resume(jobId: string): Promise<JobDTO> {
    const j = this.job(jobId)
    if (j.state !== 'paused') throw new AppError({ code: 'CONFLICT', message: `A ${j.state} transfer cannot be resumed.` })
    if (j.spec.kind === 'download') this.assertTargetFree(j.spec.path, j.id)
    await this.setState(j, 'queued', 'waiting')
    this.pump()
    return toDTO(j)
  }

  async cancel(jobId: string): Promise<JobDTO> {
    const j = this.job(jobId)
    if (j.state === 'done' || j.state === 'cancelled') return toDTO(j)
    if (j.state === 'running') await this.interrupt(j, 'cancel')
    else await this.setState(j, 'cancelled')
    await this.cleanupCancelled(j)
    return toDTO(j)
  }

  async retry(jobId: string): Promise<JobDTO> {
    const j = this.job(jobId)
    if (j.state !== 'failed' && j.state !== 'cancelled') throw new AppError({ code: 'CONFLICT', message: `A ${j.state} transfer cannot be retried.` })
    if (j.spec.kind === 'download') this.assertTargetFree(j.spec.path, j.id)
    j.attempts = 0
    delete j.error
    j.bytes = 0
    await this.setState(j, 'queued', 'waiting')
    this.pump()
    return toDTO(j)
  }

  async remove(jobId: string): Promise<void> {
    const j = this.job(jobId)
    this.owned()
    if (j.state === 'running') throw new AppError({ code: 'CONFLICT', message: 'Pause or cancel the transfer before removing it.' })
    // a download's part file goes with it (only the job's own: a file someone put at that name stays)
    if (j.spec.kind === 'download') await removeOwnPart(j.spec)
    this.jobs.delete(jobId)
    await this.store.save()
    this.deps.events.emit(EVENTS.transfers.removed, { jobId })
  }

  async runDraft(jobId: string): Promise<JobDTO> {
    const j = this.job(jobId)
    if (j.state !== 'draft') throw new AppError({ code: 'CONFLICT', message: 'Only a draft can be run.' })
    if (j.spec.kind === 'upload') {
      // the file may have changed or gone since the draft was made
      const st = await stat(j.spec.filePath).catch((e: unknown) => {
        throw toAppError(e)
      })
      if (st.size !== j.spec.size) {
        throw new AppError({ code: 'HASH_MISMATCH', message: `${j.spec.filePath} changed since the draft was prepared; prepare it again.` })
      }
    }
    await this.setState(j, 'queued', 'waiting')
    this.pump()
    return toDTO(j)
  }

  /** The drafts as a YAML manifest (see drafts.ts). */
  exportDrafts(ids: string[]): string {
    const jobs = ids.map((id) => this.job(id))
    const bad = jobs.find((j) => j.state !== 'draft' || j.spec.kind !== 'upload')
    if (bad) throw new AppError({ code: 'VALIDATION', message: `${bad.imageName} is not an upload draft.` })
    return renderManifest(jobs, this.profileNames())
  }

  /** C4: names <-> ids of the profiles the manifests name. */
  private profileNames(): ProfileNames | undefined {
    return this.deps.profileNames ?? (this.deps.clouds ? profileNamesOf(this.deps.clouds.deps.profiles) : undefined)
  }

  /** Creates drafts from a manifest; files are inspected again (and must still match their hashes when run). */
  async importDrafts(yamlText: string): Promise<JobDTO[]> {
    // B1: the manifest's files pass the dropped-file checks; making an image public is confirmed in main.
    const dialogs = this.deps.platform.dialogs
    const named = resolveProfiles(parseManifest(yamlText), this.profileNames())
    const entries = await checkManifestEntries(named, {
      dataDir: this.deps.platform.dataDir,
      ...(dialogs.confirm ? { confirm: (req) => dialogs.confirm!(req) } : {}),
    })
    const out: JobDTO[] = []
    for (const e of entries) {
      const dto = await this.enqueueUpload(
        { profileId: e.profileId, region: e.region },
        {
          name: e.name,
          fields: e.fields,
          diskFormat: e.diskFormat,
          ...(e.containerFormat ? { containerFormat: e.containerFormat } : {}),
          ...(e.tags ? { tags: e.tags } : {}),
          ...(e.properties ? { properties: e.properties } : {}),
          filePath: e.file,
          draft: true,
        },
      )
      const j = this.job(dto.id)
      if (e.sha512 || e.md5) {
        j.result = { verified: false, ...(e.md5 ? { md5: e.md5 } : {}), ...(e.sha512 ? { sha512: e.sha512 } : {}) }
      }
      out.push(toDTO(j))
    }
    await this.store.save()
    return out
  }

  // ---------------------------------------------------------------------------------------------- internals ---

  /** Two downloads that are not over may not write one file (nor one part file). */
  private assertTargetFree(path: string, except?: string): void {
    for (const o of this.jobs.values()) {
      if (o.id === except || o.spec.kind !== 'download' || o.spec.path !== path) continue
      if (o.state === 'done' || o.state === 'failed' || o.state === 'cancelled') continue
      throw reasonError('CONFLICT', 'targetBusy', { path, jobId: o.id }, `Another transfer (${o.id}, ${o.state}) is already downloading to ${path}.`, {
        retryable: false,
      })
    }
  }

  /**
   * The user keeps a download Glance has no checksum or hash for (the job waits paused, `decision: 'acceptUnverified'`):
   * its own part file gets the final name, marked not verified. A trust decision: the user confirms it in a
   * main-process dialog (a compromised renderer cannot answer it); no answer (the CLI) is a "no".
   */
  async acceptUnverified(jobId: string): Promise<JobDTO> {
    this.owned()
    const j = this.job(jobId)
    if (j.spec.kind !== 'download' || j.state !== 'paused' || !j.spec.unverified) {
      throw reasonError('CONFLICT', 'noDecision', { jobId }, 'This transfer is not waiting for a decision.', { retryable: false })
    }
    const dialogs = this.deps.platform.dialogs
    const yes = dialogs.confirm ? await dialogs.confirm({ purpose: 'unverifiedDownload', name: j.imageName, subjects: [j.spec.path] }) : false
    this.deps.log.info('confirmation', { kind: 'unverifiedDownload', jobId, answer: yes })
    if (!yes) {
      const params = { confirm: 'unverifiedDownload', name: j.imageName }
      throw reasonError('CANCELLED', 'notConfirmed', params, `Not confirmed: the download ${j.id} stays unverified in its part file.`, { retryable: false })
    }
    // the job may have changed while the dialog was open (cancelled, removed)
    if (this.jobs.get(jobId) !== j || j.state !== 'paused' || !j.spec.unverified)
      throw reasonError('CONFLICT', 'noDecision', { jobId }, 'This transfer is not waiting for a decision.', { retryable: false })
    await acceptUnverifiedPart(j.spec)
    delete j.spec.unverified
    delete j.decision
    delete j.error
    j.result = { ...(j.result ?? {}), verified: false }
    await this.setState(j, 'done', 'finished')
    return toDTO(j)
  }

  private job(id: string): JobRecord {
    const j = this.jobs.get(id)
    if (!j) throw new AppError({ code: 'NOT_FOUND', message: `No transfer ${id}.` })
    return j
  }

  private async add(job: JobRecord): Promise<void> {
    this.owned()
    this.jobs.set(job.id, job)
    await this.store.save()
    this.deps.events.emit(EVENTS.transfers.changed, toDTO(job))
    this.pump()
  }

  private async setState(j: JobRecord, state: JobState, phase?: JobPhase): Promise<void> {
    this.owned()
    j.state = state
    if (phase) j.phase = phase
    j.updatedAt = new Date().toISOString()
    // the taskbar follows the state at once: whoever sees the job ended (waitFor polls j.state) sees it cleared too,
    // not after the queue file's save
    this.updateTaskbar()
    this.deps.log.info('job state', {
      jobId: j.id,
      kind: j.kind,
      state,
      phase: j.phase,
      ...(j.imageId ? { imageId: j.imageId } : {}),
      ...(j.error ? { error: j.error.code } : {}),
    })
    await this.store.save()
    this.deps.events.emit(EVENTS.transfers.changed, toDTO(j))
  }

  private updateTaskbar(): void {
    this.taskbar.update(this.jobs.values())
  }

  private changed(j: JobRecord): void {
    j.updatedAt = new Date().toISOString()
    this.store.saveSoon()
    this.deps.events.emit(EVENTS.transfers.changed, toDTO(j))
  }

  private async interrupt(j: JobRecord, reason: StopReason): Promise<void> {
    const r = this.running.get(j.id)
    if (!r) return
    r.ac.abort(stopReason(reason))
    await r.done
  }

  private async cleanupCancelled(j: JobRecord): Promise<void> {
    try {
      if (j.spec.kind === 'download') await removeOwnPart(j.spec)
      else if (j.imageId && j.state === 'cancelled') {
        const cloud = await this.connect({ profileId: j.profileId, region: j.region })
        await deleteUnfinished(cloud.glance, j.imageId)
      }
    } catch (e) {
      this.deps.log.warn('cleanup after cancel failed', { jobId: j.id, error: String(e) })
    }
  }

  /** Start as many queued jobs as each profile's concurrency allows. */
  private pump(): void {
    if (!this.started) return
    const mine = [...this.jobs.values()].filter((j) => this.mine(j))
    for (const j of runnable(mine, this.running.keys(), (id) => this.jobs.get(id), this.concurrency)) this.launch(j)
  }

  private launch(j: JobRecord): void {
    const ac = new AbortController()
    const done = this.run(j, ac).finally(() => {
      this.running.delete(j.id)
      this.pump()
    })
    this.running.set(j.id, { ac, done })
  }

  private hooks(j: JobRecord, signal: AbortSignal): EngineHooks {
    return {
      signal,
      phase: (phase, total, given) => {
        // Verifying keeps the count the transfer reached; any other phase starts where it says (0 by default).
        const bytes = given ?? (phase === 'verifying' ? (this.progress.get(j.id)?.bytes ?? j.bytes) : 0)
        j.phase = phase
        j.bytes = bytes
        if (total !== undefined) j.total = total
        this.progress.begin(j.id, phase, total ?? j.total, bytes)
        this.changed(j)
      },
      bytes: (n) => this.progress.add(j.id, n),
      imageChanged: (id, old) => {
        j.imageId = id
        if (old) (j.replaced ??= []).push(old)
        this.changed(j)
        void this.store.save()
      },
      log: (msg, data) => this.deps.log.info(msg, { jobId: j.id, ...data }),
    }
  }

  private async run(j: JobRecord, ac: AbortController): Promise<void> {
    delete j.error
    await this.setState(j, 'running')
    const hooks = this.hooks(j, ac.signal)
    const t0 = performance.now()
    try {
      await withRetries(
        async () => {
          j.attempts++
          this.changed(j)
          const cloud = await this.connect({ profileId: j.profileId, region: j.region })
          await this.attempt(j, cloud, hooks)
        },
        {
          signal: ac.signal,
          maxAttempts: this.deps.maxAttempts ?? MAX_ATTEMPTS,
          baseMs: this.deps.backoffMs ?? RETRY_BASE_MS,
          onRetry: (e, n, delay) => {
            const err = toAppError(e)
            j.error = err.toJSON()
            j.phase = 'waiting'
            this.progress.end(j.id)
            this.changed(j)
            this.deps.log.warn('transfer attempt failed; retrying', { jobId: j.id, attempt: n, delayMs: Math.round(delay), error: err.message })
          },
        },
      )
      delete j.error
      if (j.result) j.result.seconds = (performance.now() - t0) / 1000
      this.progress.end(j.id)
      if (j.spec.kind === 'download' && j.spec.unverified) {
        // every byte is in the job's part file, but Glance gave nothing to check them against: the user decides
        j.decision = 'acceptUnverified'
        j.error = reasonError(
          'CONFLICT',
          'unverifiable',
          { imageId: j.imageId ?? '', path: j.spec.path },
          `Glance has no checksum and no hash for image ${j.imageId}: the download cannot be verified. It is kept in ${j.spec.path}.part; accept it to give it its name, or remove the transfer.`,
        ).toJSON()
        await this.setState(j, 'paused', 'verifying')
        this.notify(j)
        return
      }
      await this.setState(j, 'done', 'finished')
      this.notify(j)
    } catch (e) {
      this.progress.end(j.id)
      const reason = stopOf(ac.signal)
      if (reason === 'pause') return this.setState(j, 'paused')
      if (reason === 'cancel') return this.setState(j, 'cancelled')
      if (reason === 'shutdown') {
        // stays "running" in the file: resumed on the next start
        j.updatedAt = new Date().toISOString()
        return this.store.save()
      }
      const err = toAppError(e)
      j.error = err.toJSON()
      await this.afterFailure(j)
      await this.setState(j, 'failed')
      this.deps.log.error('transfer failed', { jobId: j.id, error: err.message, code: err.code })
      this.notify(j)
    }
  }

  /** A permanently failed upload/import does not leave a half-made image: delete it (or say its id). */
  private async afterFailure(j: JobRecord): Promise<void> {
    if (j.kind === 'download' || !j.imageId || !j.error) return
    if (j.error.details?.deleted !== undefined) return
    try {
      const cloud = await this.connect({ profileId: j.profileId, region: j.region })
      const deleted = await deleteUnfinished(cloud.glance, j.imageId)
      if (deleted === undefined) return
      j.error.details = { ...(j.error.details ?? {}), imageId: j.imageId, deleted }
      j.error.message += deleted ? ` The unfinished image ${j.imageId} was deleted.` : ` The unfinished image ${j.imageId} is left over; delete it.`
    } catch {
      j.error.details = { ...(j.error.details ?? {}), imageId: j.imageId, deleted: false }
      j.error.message += ` The unfinished image ${j.imageId} may be left over; delete it.`
    }
  }

  private notify(j: JobRecord): void {
    notifyEnded(this.deps.platform.shell, j)
  }

  private async attempt(j: JobRecord, cloud: TransferCloud, hooks: EngineHooks): Promise<void> {
    const spec = j.spec
    if (spec.kind === 'copy') {
      if (!this.copyConnect) {
        const clouds = this.deps.clouds
        const route = this.deps.copyConnect ?? (clouds ? copyConnectorConnect(clouds) : undefined)
        if (!route) throw new AppError({ code: 'INTERNAL', message: 'Copy jobs cannot run here (no cloud connector).' })
        this.copyConnect = route
      }
      await attemptCopy(j, spec, this.copyConnect, hooks, () => void this.store.save())
    } else if (spec.kind === 'upload') {
      const expected = j.result?.sha512 ? { sha512: j.result.sha512, ...(j.result.md5 ? { md5: j.result.md5 } : {}) } : undefined
      const r = await uploadImage(
        cloud,
        {
          imageId: j.imageId ?? newImageId(),
          meta: metaOf(spec),
          filePath: spec.filePath,
          size: spec.size,
          ...(expected ? { expected } : {}),
          ...(spec.identity ? { identity: spec.identity } : {}),
          ...(spec.inspection ? { inspection: spec.inspection } : {}),
        },
        hooks,
      )
      j.imageId = r.imageId
      j.bytes = r.bytes
      j.result = { ...(r.md5 ? { md5: r.md5 } : {}), ...(r.sha512 ? { sha512: r.sha512 } : {}), verified: r.verified, seconds: r.seconds }
    } else if (spec.kind === 'download') {
      const r = await downloadImage(
        cloud,
        // F3: a job of the version before part bindings: its part file is adopted when its size is the recorded one
        { imageId: j.imageId!, path: spec.path, ...(spec.part ? { part: spec.part } : j.bytes > 0 ? { unboundBytes: j.bytes } : {}) },
        {
          ...hooks,
          partBound: (b) => {
            spec.part = b
            void this.store.save()
          },
        },
      )
      if (r.pending === 'unverified') spec.unverified = true
      else delete spec.unverified
      if (typeof r.image.name === 'string' && r.image.name) j.imageName = r.image.name
      j.bytes = r.bytes
      j.total = r.bytes
      j.result = { md5: r.md5, sha512: r.sha512, verified: r.verified, seconds: r.seconds }
    } else {
      if (!spec.started && urlWasRedacted(spec.url)) {
        // B1: the URL's query was never written to disk (it may hold a signature): after a restart it is gone.
        throw reasonError(
          'VALIDATION',
          'importUrlForgotten',
          { url: spec.url },
          `The query of ${spec.url} was not saved (it may hold a signature); add the URL import again.`,
          { retryable: false },
        )
      }
      const limit = this.deps.importDeadlineMs ?? IMPORT_DEADLINE_MS
      const deadline = withDeadline(hooks.signal, limit, () =>
        reasonError(
          'TIMEOUT',
          'importDeadline',
          { minutes: Math.round(limit / 60_000), url: redactUrl(spec.url) },
          `Glance did not finish importing ${redactUrl(spec.url)} within ${Math.round(limit / 60_000)} min; trying again.`,
          { retryable: true },
        ),
      )
      const r = await importFromUrl(
        cloud,
        { imageId: j.imageId ?? newImageId(), meta: metaOf(spec), url: spec.url, ...(spec.started ? { started: true } : {}) },
        {
          ...hooks,
          started: () => {
            spec.started = true
            void this.store.save()
          },
          status: (status) => this.deps.log.info('import status', { jobId: j.id, status }),
          signal: deadline.signal,
        },
      )
        .catch((e: unknown) => {
          // the deadline (not a pause or cancel) ended the wait: a retryable TIMEOUT; the next attempt polls the same import
          if (deadline.timedOut && !hooks.signal.aborted) throw deadline.signal.reason
          throw e
        })
        .finally(() => deadline.clear())
      j.imageId = r.imageId
      const img = r.image
      j.result = {
        verified: r.verified, // C1: the format Glance read (importer.ts judgeImport), not just a checksum
        ...(img.checksum ? { md5: String(img.checksum) } : {}),
        ...(img.os_hash_value ? { sha512: String(img.os_hash_value) } : {}),
      }
      if (typeof img.size === 'number') j.bytes = j.total = img.size
    }
  }

  /** Precompute a draft's hashes in the background, one file at a time. */
  private hashDraft(j: JobRecord): void {
    if (j.spec.kind !== 'upload') return
    const path = j.spec.filePath
    this.draftHashing = this.draftHashing.then(async () => {
      if (this.jobs.get(j.id) !== j || j.state !== 'draft' || this.draftAbort.signal.aborted) return
      try {
        this.progress.begin(j.id, 'hashing', j.total)
        j.phase = 'hashing'
        const d = await hashFile(path, { signal: this.draftAbort.signal, onBytes: (n) => this.progress.add(j.id, n) })
        j.result = { md5: d.md5, sha512: d.sha512, verified: false }
        j.phase = 'waiting'
        j.bytes = 0
      } catch (e) {
        if (this.draftAbort.signal.aborted) {
          // shutting down: no error, the hashes are taken again on the next start
          j.phase = 'waiting'
          j.bytes = 0
        } else j.error = toAppError(e).toJSON()
      } finally {
        this.progress.end(j.id)
      }
      this.changed(j)
      await this.store.save()
    })
  }

  /** For tests: active (queued or running) job count. */
  activeCount(): number {
    return [...this.jobs.values()].filter((j) => ACTIVE.includes(j.state) && this.mine(j)).length
  }
}
