/**
 * The job state machine's pieces, pure: a new job record, the states a job can be in for each control, what an
 * interrupted run becomes, the stop reasons a run is aborted with, and the DTO the renderer sees.
 *
 *   state      pause            resume   cancel            retry    remove   run (draft)
 *   draft      CONFLICT         CONFLICT -> cancelled       CONFLICT yes      -> queued
 *   queued     -> paused        CONFLICT -> cancelled       CONFLICT yes      CONFLICT
 *   running    abort -> paused  CONFLICT abort -> cancelled CONFLICT CONFLICT CONFLICT
 *   paused     CONFLICT         -> queued -> cancelled      CONFLICT yes      CONFLICT
 *   failed     CONFLICT         CONFLICT -> cancelled       -> queued yes     CONFLICT
 *   cancelled  CONFLICT         CONFLICT (no-op)            -> queued yes     CONFLICT
 *   done       CONFLICT         CONFLICT (no-op)            CONFLICT yes      CONFLICT
 * A run that ends ends as done, failed, or (aborted) paused / cancelled / left running for the next start.
 */
import { randomUUID } from 'node:crypto'
import { AppError, type CloudContext, type JobDTO, type JobState } from '../../preload/api'
import type { ImageMeta } from './port'
import type { ImportSpec, JobRecord, UploadSpec } from './store'

export type StopReason = 'pause' | 'cancel' | 'shutdown'

export const ACTIVE: JobState[] = ['queued', 'running']

export function newJob(kind: JobRecord['kind'], ctx: Required<CloudContext>, name: string, spec: JobRecord['spec'], state: JobState): JobRecord {
  const now = new Date().toISOString()
  return {
    id: `job_${randomUUID()}`,
    kind,
    profileId: ctx.profileId,
    region: ctx.region,
    state,
    phase: 'waiting',
    imageName: name,
    bytes: 0,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
    spec,
  }
}

/** Jobs that were running when the process stopped go back to the queue (in place); returns how many. */
export function requeueInterrupted(jobs: Iterable<JobRecord>): number {
  let recovered = 0
  for (const j of jobs) {
    if (j.state === 'running') {
      j.state = 'queued'
      j.phase = 'waiting'
      j.recovered = `interrupted at ${j.updatedAt}; resumed on restart`
      j.updatedAt = new Date().toISOString()
      recovered++
    }
  }
  return recovered
}

export function stopReason(stop: StopReason): AppError & { stop: StopReason } {
  const e = new AppError({ code: 'CANCELLED', message: stop === 'pause' ? 'Paused.' : stop === 'cancel' ? 'Cancelled.' : 'The app is closing.' })
  return Object.assign(e, { stop })
}

/** Why an aborted run was stopped (undefined: it was not stopped by a control). */
export function stopOf(signal: AbortSignal): StopReason | undefined {
  return signal.aborted ? (signal.reason as { stop?: StopReason } | undefined)?.stop : undefined
}

export function metaOf(spec: UploadSpec | ImportSpec): ImageMeta {
  const m: ImageMeta = { name: spec.name, fields: spec.fields, diskFormat: spec.diskFormat }
  if (spec.containerFormat) m.containerFormat = spec.containerFormat
  if (spec.tags) m.tags = spec.tags
  if (spec.properties) m.properties = spec.properties
  if (spec.extra) m.extra = spec.extra
  return m
}

export function toDTO(j: JobRecord): JobDTO {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { spec, replaced, recovered, ...dto } = j
  return structuredClone(dto)
}
