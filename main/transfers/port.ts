/**
 * What the transfer engine needs from the OpenStack core: a narrow port over GlanceClient (main/openstack/glance.ts)
 * so that the engine (upload.ts, download.ts, importer.ts) can be exercised against any implementation (the real
 * client, a test double) and the CLI can share it. `cloudPort()` adapts a CloudClient.
 */
import type { Readable } from 'node:stream'
import { AppError, type ConsoleFields, type DiskFormat } from '../../preload/api'

/** An image as Glance returns it (the attributes the engine reads). */
export interface RawImage {
  id: string
  status: string
  name?: string | null
  size?: number | null
  virtual_size?: number | null
  checksum?: string | null
  os_hash_algo?: string | null
  os_hash_value?: string | null
  [key: string]: unknown
}

export interface DownloadResponse {
  /** 200, or 206 when a range was honoured (204: no data). */
  status: number
  stream: Readable
  headers: Record<string, string | string[] | undefined>
  requestId?: string
}

export interface GlancePort {
  /** POST /v2/images; the body carries the client-chosen `id`. */
  create(body: Record<string, unknown>): Promise<RawImage>
  get(id: string): Promise<RawImage>
  delete(id: string): Promise<void>
  /** PUT /v2/images/{id}/file with Content-Length and x-openstack-image-size; a fresh token per attempt. */
  uploadData(id: string, body: Readable, size: number, opts: { signal?: AbortSignal }): Promise<void>
  downloadData(id: string, opts: { range?: { start: number }; signal?: AbortSignal }): Promise<DownloadResponse>
  /** POST /v2/images/{id}/import with method web-download. */
  importWebDownload(id: string, uri: string): Promise<void>
  /** The message of the image's latest failed import task, if any (GET /v2/images/{id}/tasks). */
  importFailure?(id: string, since: string): Promise<string | undefined>
}

/** The metadata of an image to create, in console terms (turned into a Glance body by `buildBody`). */
export interface ImageMeta {
  name: string
  fields: ConsoleFields
  diskFormat: DiskFormat
  containerFormat?: string
  tags?: string[]
  properties?: Record<string, string>
  /** Extra top-level attributes (visibility from the CLI, ...). */
  extra?: Record<string, unknown>
}

export interface TransferCloud {
  profileId: string
  region: string
  glance: GlancePort
  /**
   * The Glance create body for `meta`: always main/openstack/properties.ts buildCreateBody with the profile's key map
   * (the ONE console-field <-> Glance mapping; see transfers/cloud.ts).
   */
  buildBody(meta: ImageMeta): Record<string, unknown>
}

/** Opens the cloud for a job's profile and region. */
export type Connect = (ctx: { profileId: string; region: string }) => Promise<TransferCloud>

/** Status of an AppError-like failure from the port (404 / 409 checks). */
export function statusOf(e: unknown): number | undefined {
  return e instanceof AppError ? e.status : (e as { status?: number } | null)?.status
}
