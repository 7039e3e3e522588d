/** The volumes:* commands (declared in preload/contract/commands/volumes.ts): a Cinder volume from an image. */
import type { VolumeService } from './service'
import { bindDomain } from '../ipc/bind'

/** What the volumes:* commands use. */
export interface VolumeHandlerDeps {
  volumes: Pick<VolumeService, 'types' | 'zones' | 'create'>
}

export function volumeHandlers(s: VolumeHandlerDeps) {
  return bindDomain('volumes', {
    types: (ctx) => s.volumes.types(ctx),
    zones: (ctx) => s.volumes.zones(ctx),
    create: (ctx, input) => s.volumes.create(ctx, input),
  })
}
