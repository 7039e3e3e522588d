/** The volumes:* commands (declared in preload/contract/commands/volumes.ts): a Cinder volume from an image. */
import type { ImageService } from '../images/service'
import { bindDomain } from '../ipc/bind'

/** What the volumes:* commands use. */
export interface VolumeHandlerDeps {
  volumes: Pick<ImageService, 'volumeTypes' | 'zones' | 'createVolume'>
}

export function volumeHandlers(s: VolumeHandlerDeps) {
  return bindDomain('volumes', {
    types: (ctx) => s.volumes.volumeTypes(ctx),
    zones: (ctx) => s.volumes.zones(ctx),
    create: (ctx, input) => s.volumes.createVolume(ctx, input),
  })
}
