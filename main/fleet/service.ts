/**
 * The fleet service: the regions of a profile from its service catalog, and one page at a time of a source's images
 * reduced to FleetRecords (only the compared fields cross the IPC: bounded memory in the renderer).
 *
 * | profile's own regions | catalog regions with an image endpoint | offered                                       |
 * |-----------------------|----------------------------------------|-----------------------------------------------|
 * | none (OS_*, env, new) | R1, R2                                 | R1, R2                                        |
 * | R2                    | R1, R2                                 | R2 (the profile narrows the list)             |
 * | R3                    | R1, R2                                 | R3 (none of the catalog's: the typed list, so that its error shows) |
 * | R1 = its default only | R1, R2                                 | R1, R2 (OS_REGION_NAME / region_name name a default, not a list) |
 * | any                   | none (no catalog / no image service)   | the profile's list, else its default region   |
 */
import { AppError, type ImageQuery, type ProfileDTO } from '../../preload/api'
import type { FleetPage, FleetRegions, FleetSource } from '../../preload/contract/fleet'
import type { CloudConnector } from '../profiles/connector'
import type { ProfileService } from '../profiles/service'
import type { ImageService } from '../images/service'
import { fleetRecordOf } from './matrix'

/** The images of one page (the first page is capped lower by ImageService.list so that the first rows show at once). */
export const FLEET_PAGE_SIZE = 1000

/** The regions a profile offers (pure): see the table above. */
export function offeredRegions(profile: Pick<ProfileDTO, 'regions' | 'defaultRegion'>, catalog: readonly string[]): string[] {
  const own = profile.regions.filter(Boolean)
  const onlyTheDefault = own.length === 1 && own[0] === profile.defaultRegion
  if (own.length && !(onlyTheDefault && catalog.length)) {
    const set = new Set(catalog)
    const narrowed = own.filter((r) => set.has(r))
    return narrowed.length ? narrowed : [...own]
  }
  if (catalog.length) return [...catalog]
  return profile.defaultRegion ? [profile.defaultRegion] : []
}

export interface FleetServiceDeps {
  clouds: Pick<CloudConnector, 'client'>
  profiles: Pick<ProfileService, 'get'>
  images: Pick<ImageService, 'list'>
}

export class FleetService {
  constructor(readonly deps: FleetServiceDeps) {}

  /** The regions of a profile: its catalog's image regions, narrowed by the profile's own list (authenticates). */
  async regions(profileId: string): Promise<FleetRegions> {
    const profile = this.deps.profiles.get(profileId)
    let catalog: string[]
    try {
      const c = await this.deps.clouds.client({ profileId })
      catalog = c.session.serviceRegions('image')
    } catch (e) {
      // The default region has no image endpoint: the error names the regions that have one.
      const available = AppError.is(e, 'NO_ENDPOINT') ? (e.details as { available?: unknown } | undefined)?.available : undefined
      if (!Array.isArray(available)) throw e
      catalog = available.filter((r): r is string => typeof r === 'string')
    }
    return { regions: offeredRegions(profile, catalog), catalog }
  }

  /** One page of a source's images as FleetRecords. */
  async page(source: FleetSource, cursor?: string): Promise<FleetPage> {
    const query: ImageQuery = { limit: FLEET_PAGE_SIZE }
    const page = await this.deps.images.list({ profileId: source.profileId, region: source.region }, query, cursor)
    const out: FleetPage = { records: page.images.map(fleetRecordOf) }
    if (page.next && page.images.length) out.next = page.next
    return out
  }
}
