import type { HandlerMap } from '../types'
import { appHandlers, type AppHandlerDeps } from './app'
import { fileHandlers, type FileHandlerDeps } from './files'
import { profileHandlers, type ProfileHandlerDeps } from '../../profiles/handlers'
import { imageHandlers, type ImageHandlerDeps } from '../../images/handlers'
import { volumeHandlers, type VolumeHandlerDeps } from '../../volumes/handlers'
import { transferHandlers, type TransferHandlerDeps } from '../../transfers/handlers'
import { fleetHandlers, type FleetHandlerDeps } from '../../fleet/handlers'
import { copyHandlers, type CopyHandlerDeps } from '../../copy/handlers'

/** Everything the handlers use, as the composition root (main/services.ts) passes it; each domain takes its part. */
export type HandlerDeps = AppHandlerDeps &
  FileHandlerDeps &
  ProfileHandlerDeps &
  ImageHandlerDeps &
  VolumeHandlerDeps &
  TransferHandlerDeps &
  FleetHandlerDeps &
  CopyHandlerDeps

/** The one handler map. Each domain owns its handlers; this only merges them (a missing domain fails the typecheck). */
export function createHandlers(s: HandlerDeps): HandlerMap {
  return {
    ...appHandlers(s),
    ...fileHandlers(s),
    ...profileHandlers(s),
    ...imageHandlers(s),
    ...volumeHandlers(s),
    ...transferHandlers(s),
    ...fleetHandlers(s),
    ...copyHandlers(s),
  }
}
