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
  /** The Glance create body for `meta` (properties.ts buildCreateBody with the profile's key map). */
  buildBody(meta: ImageMeta): Record<string, unknown>
}

/** Opens the cloud for a job's profile and region. */
export type Connect = (ctx: { profileId: string; region: string }) => Promise<TransferCloud>

/** A minimal body without the profile key map (used when the OpenStack core's builder is unavailable). */
export function basicCreateBody(meta: ImageMeta): Record<string, unknown> {
  const f = meta.fields
  const body: Record<string, unknown> = {
    name: meta.name,
    disk_format: meta.diskFormat,
    container_format: meta.containerFormat ?? 'bare',
    min_disk: f.minDiskGiB,
    min_ram: Math.round(f.minRamGiB * 1024),
    visibility: f.public ? 'public' : 'private',
    protected: f.protected,
  }
  if (meta.tags?.length) body.tags = meta.tags
  if (f.osType) {
    body.os_distro = f.osType
    body.os_type = f.osType === 'windows' ? 'windows' : 'linux'
  }
  if (f.architecture) body.architecture = f.architecture === 'arm' ? 'aarch64' : 'x86_64'
  if (f.virtualization) body.hypervisor_type = f.virtualization === 'baremetal' ? 'ironic' : 'qemu'
  if (f.agent !== undefined) body.hw_qemu_guest_agent = f.agent ? 'yes' : 'no'
  if (f.multiqueue !== undefined) body.hw_vif_multiqueue_enabled = String(f.multiqueue)
  if (f.bootMode) body.hw_firmware_type = f.bootMode
  if (f.description) body.description = f.description
  Object.assign(body, meta.properties ?? {}, meta.extra ?? {})
  return body
}

/** Status of an AppError-like failure from the port (404 / 409 checks). */
export function statusOf(e: unknown): number | undefined {
  return e instanceof AppError ? e.status : (e as { status?: number } | null)?.status
}
