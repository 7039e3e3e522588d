// STUB (to be replaced by the OpenStack core implementation)
import type { Logger } from '../log'
import type { Platform } from '../platform'
import type { FileRegistry } from '../files/registry'
import type { CloudConnector } from '../profiles/connector'
import type { TransferService } from '../transfers/service'

export class ImageService {
  constructor(readonly deps: { clouds: CloudConnector; files: FileRegistry; log: Logger; platform: Platform; transfers: TransferService }) {}
}
