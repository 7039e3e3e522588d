/**
 * The images:* commands (declared, with their argument schemas, in preload/contract/commands/images.ts): one ImageService
 * method each, of the same name, over arguments the table's schemas already validated.
 */
import type { ImageService } from './service'
import { bindDomain } from '../ipc/bind'

// The argument schemas moved to the contract with the command table; re-exported for existing importers.
export { zExportRequest, zImageCreateInput, zImageQuery, zImageUpdateInput } from '../../preload/contract/commands/images'
export { zVolumeCreateInput } from '../../preload/contract/commands/volumes'

/** What the images:* commands use. */
export interface ImageHandlerDeps {
  images: ImageService
}

/**
 * Every images:* command is the ImageService method of the same name, over the validated arguments: the service is
 * the bindings. A command without its method (or with another signature) fails the typecheck here: write the method
 * in main/images/service.ts.
 */
export function imageHandlers(s: ImageHandlerDeps) {
  return bindDomain('images', s.images)
}
