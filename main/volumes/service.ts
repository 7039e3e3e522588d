/**
 * Cinder volumes from images (the volumes:* commands): the volume types and availability zones of a region, and a
 * volume created from an image once the one eligibility rule (preload/rules/permissions.ts, the same the UI shows)
 * and the image's minimum size allow it. Moved out of ImageService (issue 11.3): a volume is not an image.
 */
import type { CloudContext, VolumeCreateInput, VolumeDTO } from '../../preload/api'
import type { CloudClient } from '../openstack/types'
import { toImageDTO } from '../openstack/properties'
import { volumeEligibility } from '../openstack/capabilities'
import { minVolumeSizeGiB } from '../openstack/cinder'
import { reasonError } from '../../preload/rules/messages'
import type { CloudSource } from '../images/service'

export interface VolumeServiceDeps {
  clouds: CloudSource
}

export class VolumeService {
  constructor(readonly deps: VolumeServiceDeps) {}

  private async cinder(ctx: CloudContext): Promise<{ c: CloudClient; cinder: NonNullable<CloudClient['cinder']> }> {
    const c = await this.deps.clouds.client(ctx)
    if (!c.cinder) {
      throw reasonError('NO_ENDPOINT', 'noVolumeService', { region: c.region }, `Region ${c.region} has no block-storage (Cinder) service.`, {
        details: { region: c.region },
      })
    }
    return { c, cinder: c.cinder }
  }

  async types(ctx: CloudContext): Promise<{ id: string; name: string }[]> {
    return (await this.cinder(ctx)).cinder.volumeTypes()
  }

  async zones(ctx: CloudContext): Promise<string[]> {
    return (await this.cinder(ctx)).cinder.availabilityZones()
  }

  async create(ctx: CloudContext, input: VolumeCreateInput, wait: { timeoutMs?: number } = {}): Promise<VolumeDTO> {
    const { c, cinder } = await this.cinder(ctx)
    const image = await c.glance.get(input.imageId)
    // the one eligibility rule the UI shows too (preload/rules/permissions.ts), with the profile's key map
    const eligible = volumeEligibility(toImageDTO(image, c.keys))
    if (eligible.code === 'volumeFormat') {
      const format = String(image.disk_format ?? '')
      throw reasonError('VALIDATION', 'volumeFormat', { format }, `Only QEMU images in qcow2 or raw format can become volumes (this one is ${format}).`)
    }
    if (!eligible.allowed) {
      throw reasonError(
        'VALIDATION',
        'volumeNotActive',
        { status: image.status },
        `Image ${image.id} is ${image.status}; only active images can become volumes.`,
      )
    }
    const min = minVolumeSizeGiB(image)
    if (input.sizeGiB < min) {
      throw reasonError('VALIDATION', 'volumeTooSmall', { min }, `The volume must be at least ${min} GiB for this image.`, { details: { minSizeGiB: min } })
    }
    const spec: Parameters<typeof cinder.createVolume>[0] = { imageId: input.imageId, name: input.name, sizeGiB: input.sizeGiB }
    if (input.volumeType) spec.volumeType = input.volumeType
    if (input.availabilityZone) spec.availabilityZone = input.availabilityZone
    if (input.description) spec.description = input.description
    const created = await cinder.createVolume(spec)
    const v = await cinder.waitForVolume(created.id, { timeoutMs: wait.timeoutMs ?? 600_000 })
    return { id: v.id, name: v.name ?? '', status: v.status, size: v.size }
  }
}
