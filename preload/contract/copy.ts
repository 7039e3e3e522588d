/**
 * Copy and sync between regions and clouds (issue 15, items 3-5): the DTOs and command shapes the main process
 * (main/copy/*) and the renderer (the copy dialog, the fleet view) share. Pure types, no runtime code but the
 * constant lists.
 *
 * A copy is planned first (`api.copy.plan`, `api.sync.plan`: nothing changes anywhere), then run (`api.copy.start`,
 * `api.sync.apply`): every `copy` item of the plan becomes one transfer job of kind `copy` (persisted, retried,
 * recovered after a restart, cancellable, progress per job = per image x target through the `transfers:*` events);
 * `present` items are skipped, `drift` items are fixed by a JSON patch (no bytes move), `refused` items say why.
 *
 *   plan item action   meaning                                                     what start/apply does
 *   copy               no image with the source's hash at the target               a copy job
 *   present            an image with the same hash and equal metadata is there      nothing (reported "skipped")
 *   drift              same hash, metadata differs (see `drift`)                    sync: PATCH; copy: skipped
 *   refused            the target cannot take it as it is (see `refusal`)           nothing
 *
 * Which metadata is compared and carried (main/copy/metadata.ts): name, disk_format, container_format, visibility,
 * protected, min_disk, min_ram, tags, os_hidden and every custom property (console fields included); never the
 * attributes Glance owns (id, status, size, hashes, owner, dates, locations, os_glance_*, stores).
 */
import type { AppErrorData, JobDTO, Visibility } from '../api'

/** One profile + region (a copy source or target). The region is required: copies are between named regions. */
export interface CopyEndpoint {
  profileId: string
  region: string
}

/**
 * How the bytes move. `auto` (default): server-side when the target is the same profile (same Keystone) in another
 * region and advertises `glance-download` in /v2/info/import, else streamed through the desk.
 */
export const COPY_METHODS = ['auto', 'server', 'stream'] as const
export type CopyMethodChoice = (typeof COPY_METHODS)[number]
/** The method a copy item / job actually uses. */
export type CopyMethod = 'glance-download' | 'stream'

/** Visibilities a refused `public` may be lowered to, only when the user consents (`downgradeVisibilityTo`). */
export const DOWNGRADE_VISIBILITIES = ['private', 'shared', 'community'] as const
export type DowngradeVisibility = (typeof DOWNGRADE_VISIBILITIES)[number]

export interface CopyOptions {
  /** Default `auto`. `server` refuses items whose target cannot pull (refusal `noServerSide`). */
  method?: CopyMethodChoice
  /**
   * The explicit consent to lower the visibility where the target refuses the source's (a member cannot make an
   * image public). Absent: such an item is `refused` (reason `visibility`) and nothing is changed.
   */
  downgradeVisibilityTo?: DowngradeVisibility
}

export interface CopyRequest extends CopyOptions {
  source: CopyEndpoint
  /** Image ids in the source region. */
  imageIds: string[]
  /** Target regions of the same profile and/or other profiles; the source itself is refused (`sameRegion`). */
  targets: CopyEndpoint[]
}

export type CopyAction = 'copy' | 'present' | 'drift' | 'refused'

/** One metadata key that differs; `source`/`target` are null when the key is absent on that side. */
export interface DriftEntry {
  key: string
  source: unknown
  target: unknown
}

/** Why an item is refused: a reason code + parameters; the renderer words it (renderer/i18n copy.refusal.*). */
export const COPY_REFUSALS = [
  'visibility', // params: { visibility } the target user may not set it (publicize_image); consent lowers it
  'notActive', // params: { status } the source image has no data
  'notFound', // the source image does not exist or is not visible
  'sameRegion', // the target is the source
  'noHash', // the source has neither os_hash_value nor checksum: cannot be verified or matched
  'noServerSide', // method 'server' asked, the target cannot pull (params: { why: 'otherProfile' | 'noGlanceDownload' })
  'readOnly', // the target profile cannot create images (role reader / no role)
] as const
export type CopyRefusalReason = (typeof COPY_REFUSALS)[number]

export interface CopyRefusal {
  reason: CopyRefusalReason
  params?: Record<string, string | number>
}

export interface CopyPlanItem {
  sourceImageId: string
  name: string
  size: number | null
  /** The hash the item is matched and verified by: sha512 (os_hash_value) when the source has it, else md5. */
  hash: { algo: 'sha512' | 'md5'; value: string } | null
  target: CopyEndpoint
  action: CopyAction
  /** For `copy`: how the bytes will move. */
  method?: CopyMethod
  /** For `present` / `drift`: the image at the target that holds the same bytes. */
  targetImageId?: string
  /** For `drift`: what differs. */
  drift?: DriftEntry[]
  refusal?: CopyRefusal
  /** Images at the target with the same name and other bytes (their ids): left as they are, reported. */
  sameNameOtherHash?: string[]
  /** When the copy will use a lower visibility than the source's (consented). */
  visibility?: { from: Visibility; to: Visibility }
}

export interface CopyPlan {
  items: CopyPlanItem[]
  counts: Record<CopyAction, number>
}

/** What `api.copy.start` returns: the plan it ran and the copy jobs it queued (one per `copy` item). */
export interface CopyStartResult {
  plan: CopyPlan
  jobs: JobDTO[]
}

/** On a JobDTO of kind `copy`: where the bytes come from and how they move (the job's profileId/region is the target). */
export interface CopyJobInfo {
  source: CopyEndpoint & { imageId: string }
  method: CopyMethod
  visibility?: { from: Visibility; to: Visibility }
}

/** The end of a batch (CLI output; the UI builds the same from the jobs): done / skipped / failed with reasons. */
export interface CopySummaryItem {
  sourceImageId: string
  name: string
  target: CopyEndpoint
  outcome: 'done' | 'skipped' | 'failed'
  targetImageId?: string
  method?: CopyMethod
  /** skipped: `present`, `drift`, or a refusal reason; failed: the error's code. */
  reason?: string
  error?: AppErrorData
  bytes?: number
  seconds?: number
  /** From the start of the bytes' move to the verified image (the bench compares it with curl's time). */
  transferSeconds?: number
}

export interface CopySummary {
  done: number
  skipped: number
  failed: number
  items: CopySummaryItem[]
}

// ------------------------------------------------------------------------------------------------------ sync ---

/** Which source images a sync covers (active images only). `name`: a glob, `*` and `?`, whole name, case-sensitive. */
export type SyncFilter = { kind: 'all' } | { kind: 'public' } | { kind: 'tag'; tag: string } | { kind: 'name'; pattern: string }

export interface SyncRequest extends CopyOptions {
  /** "Make `target` hold what `source` holds." */
  source: CopyEndpoint
  target: CopyEndpoint
  filter: SyncFilter
}

export interface SyncPlan extends CopyPlan {
  source: CopyEndpoint
  target: CopyEndpoint
  filter: SyncFilter
}

export interface SyncPatched {
  sourceImageId: string
  targetImageId: string
  /** The JSON-patch operations sent. */
  ops: number
}

/** What `api.sync.apply` returns: the plan it ran, the copy jobs it queued, the drift it patched, what failed. */
export interface SyncApplyResult {
  plan: SyncPlan
  jobs: JobDTO[]
  patched: SyncPatched[]
  failed: { sourceImageId: string; targetImageId?: string; error: AppErrorData }[]
}

// The commands (api.copy.plan / api.copy.start / api.sync.plan / api.sync.apply) are declared in
// preload/contract/commands/copy.ts.
