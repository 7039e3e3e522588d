/**
 * The fleet contract (helper D2): regions from the catalog, and the images of a profile + region reduced to what the
 * fleet view compares (see preload/rules/fleet-matrix.ts for the rules). Types only.
 */

/** One column of the fleet table: a profile and one of its regions. */
export interface FleetSource {
  profileId: string
  region: string
}

/** The regions of a profile. */
export interface FleetRegions {
  /** The regions the app offers: the catalog's regions with an image endpoint, narrowed by the profile's own list. */
  regions: string[]
  /** Every region of the catalog with an image endpoint (for "add the regions found"). */
  catalog: string[]
}

/** One image, reduced to what the fleet view compares and shows. */
export interface FleetRecord {
  id: string
  name: string
  status: string
  /** The content key: `<os_hash_algo>:<os_hash_value>`, else `md5:<checksum>`, else `name:<name>`. */
  key: string
  size: number | null
  /** The compared metadata: canonical JSON (sorted keys) of a FleetMeta (preload/rules/fleet-matrix.ts). */
  meta: string
  /** For the filters. */
  osType?: string
  tags: string[]
}

/** One page of a source's images. */
export interface FleetPage {
  records: FleetRecord[]
  /** The cursor of the next page; absent at the end. */
  next?: string
}
