// STUB (to be replaced by the transfer engine)
import type { JobDTO } from '../../preload/api'
import type { Platform } from '../platform'
import type { EventBus } from '../events'
import type { Logger } from '../log'
import type { FileRegistry } from '../files/registry'
import type { CloudConnector } from '../profiles/connector'

export interface TransferServiceDeps {
  platform: Platform
  events: EventBus
  log: Logger
  clouds: CloudConnector
  files: FileRegistry
}

export class TransferService {
  private constructor(readonly deps: TransferServiceDeps) {}
  static async open(deps: TransferServiceDeps): Promise<TransferService> {
    return new TransferService(deps)
  }
  start(): void {}
  async stop(): Promise<void> {}
  list(): JobDTO[] {
    return []
  }
}
