/**
 * copy:* and sync:* commands (helper D1, issue 15): plan a copy of images to regions / profiles and start it; plan a
 * sync ("make B hold what A holds") and apply it. DTOs in preload/contract/copy.ts. See define.ts for an entry's shape.
 */
import { z } from 'zod'
import {
  COPY_METHODS,
  DOWNGRADE_VISIBILITIES,
  type CopyEndpoint,
  type CopyPlan,
  type CopyRequest,
  type CopyStartResult,
  type SyncApplyResult,
  type SyncFilter,
  type SyncPlan,
  type SyncRequest,
} from '../copy'
import { command } from './define'
import { zId, noControl } from './schemas'

const zEndpoint = z.strictObject({
  profileId: zId,
  region: z.string().min(1).max(255).refine(noControl, 'no control characters'),
}) satisfies z.ZodType<CopyEndpoint>
const zOptions = {
  method: z.enum(COPY_METHODS).optional(),
  downgradeVisibilityTo: z.enum(DOWNGRADE_VISIBILITIES).optional(),
}
const zCopyRequest = z.strictObject({
  source: zEndpoint,
  imageIds: z.array(zId).min(1).max(1000),
  targets: z.array(zEndpoint).min(1).max(50),
  ...zOptions,
}) satisfies z.ZodType<CopyRequest>

const zFilter = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('public') }),
  z.strictObject({ kind: z.literal('tag'), tag: z.string().min(1).max(255).refine(noControl, 'no control characters') }),
  z.strictObject({ kind: z.literal('name'), pattern: z.string().min(1).max(255).refine(noControl, 'no control characters') }),
]) satisfies z.ZodType<SyncFilter>

const zSyncRequest = z.strictObject({ source: zEndpoint, target: zEndpoint, filter: zFilter, ...zOptions }) satisfies z.ZodType<SyncRequest>

export const copyCommands = {
  /** Nothing changes: what copying these images to these targets would do. */
  plan: command<[req: CopyRequest], CopyPlan>(zCopyRequest),
  /** Plans again and queues one `copy` transfer job per item to copy. */
  start: command<[req: CopyRequest], CopyStartResult>(zCopyRequest),
}

export const syncCommands = {
  plan: command<[req: SyncRequest], SyncPlan>(zSyncRequest),
  /** Only after the user confirmed the plan. */
  apply: command<[req: SyncRequest], SyncApplyResult>(zSyncRequest),
}
