/**
 * The fleet:* commands (declared, with their argument schemas, in preload/contract/commands/fleet.ts): one
 * FleetService call each, over arguments the table's schemas already validated.
 */
import type { FleetService } from './service'
import { bindDomain } from '../ipc/bind'

/** What the fleet:* commands use. */
export interface FleetHandlerDeps {
  fleet: FleetService
}

export function fleetHandlers(s: FleetHandlerDeps) {
  return bindDomain('fleet', {
    regions: (profileId) => s.fleet.regions(profileId),
    page: (source, cursor) => s.fleet.page(source, cursor),
  })
}
