// STUB (to be replaced by the profiles implementation)
import type { ProfilesState } from '../../preload/api'
import type { Platform } from '../platform'
import type { EventBus } from '../events'
import type { Logger } from '../log'

export interface ProfileServiceDeps {
  platform: Platform
  events: EventBus
  log: Logger
}

export class ProfileService {
  private constructor(private readonly deps: ProfileServiceDeps) {}
  static async open(deps: ProfileServiceDeps): Promise<ProfileService> {
    return new ProfileService(deps)
  }
  state(): ProfilesState {
    return { profiles: [], encryptionAvailable: this.deps.platform.cipher.isAvailable() }
  }
}
