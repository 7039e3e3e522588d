/** volumes:* commands (Cinder: a volume from an image). See preload/contract/commands/define.ts for the shape of an entry. */
import { z } from 'zod'
import type { CloudContext, VolumeCreateInput, VolumeDTO } from '../../api'
import { command } from './define'
import { zCloudContext } from './schemas'
import { zImageId } from './images'

export const zVolumeCreateInput = z.strictObject({
  imageId: zImageId,
  name: z.string().max(255),
  sizeGiB: z.number().int().min(1).max(1_000_000),
  volumeType: z.string().min(1).max(255).optional(),
  availabilityZone: z.string().min(1).max(255).optional(),
  description: z.string().max(65_535).optional(),
}) satisfies z.ZodType<VolumeCreateInput>

export const volumeCommands = {
  types: command<[ctx: CloudContext], { id: string; name: string }[]>(zCloudContext),
  zones: command<[ctx: CloudContext], string[]>(zCloudContext),
  create: command<[ctx: CloudContext, input: VolumeCreateInput], VolumeDTO>(zCloudContext, zVolumeCreateInput),
}
