/**
 * Cinder v3: create a volume from an image, volume types, availability zones, polling until available.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { reasonError } from '../../preload/rules/messages'
import type { Session, SessionRequest } from './session'

export const GiB = 1024 ** 3

/**
 * The smallest volume (GiB) that can hold an image: max(min_disk, ceil(virtual_size / GiB)), at least 1. When Glance
 * does not know the virtual size (null), the stored size stands in (a lower bound for compressed formats).
 */
export function minVolumeSizeGiB(image: Readonly<Record<string, unknown>>): number {
  const minDisk = typeof image.min_disk === 'number' ? image.min_disk : 0
  const bytes = typeof image.virtual_size === 'number' ? image.virtual_size : typeof image.size === 'number' ? image.size : 0
  return Math.max(1, minDisk, Math.ceil(bytes / GiB))
}

export interface RawVolume {
  id: string
  name: string | null
  status: string
  size: number
  [k: string]: unknown
}

export interface CreateVolumeInput {
  imageId: string
  name: string
  sizeGiB: number
  volumeType?: string
  availabilityZone?: string
  description?: string
}

export interface VolumeWaitOptions {
  timeoutMs?: number
  intervalMs?: number
  signal?: AbortSignal
}

/** The POST /volumes body (pure). */
export function volumeCreateBody(input: CreateVolumeInput): { volume: Record<string, unknown> } {
  const v: Record<string, unknown> = { imageRef: input.imageId, size: input.sizeGiB, name: input.name }
  if (input.volumeType) v.volume_type = input.volumeType
  if (input.availabilityZone) v.availability_zone = input.availabilityZone
  if (input.description) v.description = input.description
  return { volume: v }
}

export class CinderClient {
  private base: string | undefined

  constructor(
    readonly session: Session,
    readonly region: string,
  ) {}

  /** The volume endpoint (…/v3/{project_id}); NO_ENDPOINT when the catalog has none. */
  async baseUrl(signal?: AbortSignal): Promise<string> {
    if (!this.base) this.base = (await this.session.endpointFor('volumev3', this.region, signal)).replace(/\/+$/, '')
    return this.base
  }

  private async call<T>(method: string, path: string, init: Omit<SessionRequest, 'method' | 'url'> = {}): Promise<T> {
    const url = `${await this.baseUrl(init.signal)}${path}`
    return (await this.session.request<T>({ ...init, method, url })).body
  }

  async createVolume(input: CreateVolumeInput, signal?: AbortSignal): Promise<RawVolume> {
    const init: Omit<SessionRequest, 'method' | 'url'> = { json: volumeCreateBody(input) }
    if (signal) init.signal = signal
    return (await this.call<{ volume: RawVolume }>('POST', '/volumes', init)).volume
  }

  async getVolume(id: string, signal?: AbortSignal): Promise<RawVolume> {
    return (await this.call<{ volume: RawVolume }>('GET', `/volumes/${encodeURIComponent(id)}`, signal ? { signal } : {})).volume
  }

  async deleteVolume(id: string, signal?: AbortSignal): Promise<void> {
    await this.call('DELETE', `/volumes/${encodeURIComponent(id)}`, { responseType: 'none', ...(signal ? { signal } : {}) })
  }

  async volumeTypes(signal?: AbortSignal): Promise<{ id: string; name: string }[]> {
    const r = await this.call<{ volume_types?: { id: string; name: string }[] }>('GET', '/types', signal ? { signal } : {})
    return (r.volume_types ?? []).map((t) => ({ id: t.id, name: t.name }))
  }

  /** Available zone names. */
  async availabilityZones(signal?: AbortSignal): Promise<string[]> {
    const r = await this.call<{ availabilityZoneInfo?: { zoneName: string; zoneState?: { available?: boolean } }[] }>(
      'GET',
      '/os-availability-zone',
      signal ? { signal } : {},
    )
    return (r.availabilityZoneInfo ?? []).filter((z) => z.zoneState?.available !== false).map((z) => z.zoneName)
  }

  /** Polls until the volume is `available`; `error*` fails with SERVER, running out of time with TIMEOUT. */
  async waitForVolume(id: string, o: VolumeWaitOptions = {}): Promise<RawVolume> {
    const timeoutMs = o.timeoutMs ?? 900_000
    const deadline = Date.now() + timeoutMs
    let interval = o.intervalMs ?? 1000
    for (;;) {
      const v = await this.getVolume(id, o.signal)
      if (v.status === 'available') return v
      if (v.status.startsWith('error')) {
        throw reasonError('SERVER', 'volumeFailed', { volumeId: id, status: v.status }, `Volume ${id} failed: status ${v.status}.`, {
          details: { volumeId: id, status: v.status },
        })
      }
      if (Date.now() >= deadline) {
        const seconds = Math.round(timeoutMs / 1000)
        throw reasonError(
          'TIMEOUT',
          'volumeTimeout',
          { volumeId: id, status: v.status, seconds },
          `Volume ${id} is still ${v.status} after ${seconds} s; it may still become available.`,
          { retryable: true, details: { volumeId: id, status: v.status } },
        )
      }
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), undefined, o.signal ? { signal: o.signal } : {}).catch((e: unknown) => {
        throw reasonError('CANCELLED', 'cancelled', {}, 'Cancelled.', {}, { cause: e })
      })
      interval = Math.min(interval * 1.5, 10_000)
    }
  }
}
