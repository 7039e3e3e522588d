// STUB (to be replaced by the profiles implementation)
import type { Logger } from '../log'
import type { ProfileService } from './service'

export class CloudConnector {
  constructor(readonly deps: { profiles: ProfileService; log: Logger }) {}
}
