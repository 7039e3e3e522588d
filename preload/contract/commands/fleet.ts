/**
 * fleet:* commands (helper D2, issue 15): the regions of a profile from its catalog, and one page of a profile +
 * region's images reduced to FleetRecords. See preload/contract/commands/define.ts for the shape of an entry.
 */
import { z } from 'zod'
import type { FleetPage, FleetRegions, FleetSource } from '../fleet'
import { command } from './define'
import { zId } from './schemas'

export const zFleetSource = z.strictObject({
  profileId: zId,
  region: z.string().min(1).max(255),
}) satisfies z.ZodType<FleetSource>

/** Glance's `next` link, as images:list takes it. */
const zFleetCursor = z
  .string()
  .max(8192)
  .regex(/^\/v2\/images\?/, 'must be a list cursor')

export const fleetCommands = {
  regions: command<[profileId: string], FleetRegions>(zId),
  page: command<[source: FleetSource, cursor?: string], FleetPage>(zFleetSource, zFleetCursor.optional()),
}
