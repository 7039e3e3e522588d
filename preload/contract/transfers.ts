/**
 * Transfers: part of the contract (preload/api.ts re-exports it, so `import ... from 'preload/api'` keeps working);
 * pure TypeScript. Moved out of preload/api.ts unchanged (issue 11).
 */
import type { AppErrorData } from './errors'

// ---------------------------------------------------------------------------------------------------------------
// Transfers
// ---------------------------------------------------------------------------------------------------------------

export type JobKind = 'upload' | 'download' | 'import' | 'copy' // D1: copy (preload/contract/copy.ts)
export type JobState = 'draft' | 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled'
export type JobPhase = 'waiting' | 'inspecting' | 'hashing' | 'creating' | 'uploading' | 'downloading' | 'importing' | 'verifying' | 'finished'

export interface JobDTO {
  id: string
  kind: JobKind
  profileId: string
  region: string
  state: JobState
  phase: JobPhase
  imageId?: string
  imageName: string
  /** Local file (display path) for uploads and downloads. */
  file?: string
  /** Source URL for imports. */
  url?: string
  bytes: number
  total?: number
  attempts: number
  error?: AppErrorData
  createdAt: string
  updatedAt: string
  result?: { md5?: string; sha512?: string; verified: boolean; seconds?: number }
  /** B2: the job waits (paused) for the user: 'acceptUnverified' = a download Glance has no checksum for (transfers:acceptUnverified). */
  decision?: 'acceptUnverified'
  /** D1: kind `copy` only: the source and the method (profileId/region above are the target). */
  copy?: import('./copy').CopyJobInfo
}

export interface ProgressEvent {
  jobId: string
  phase: JobPhase
  bytes: number
  total?: number
  /** Bytes per second, moving average. */
  speed: number
  /** Seconds; undefined when unknown. */
  eta?: number
}

export interface DownloadInput {
  imageId: string
  /** A handle from files.pickSave. */
  fileHandle: string
}

export interface DraftManifest {
  yaml: string
}
