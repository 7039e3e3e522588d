/**
 * Images: part of the contract (preload/api.ts re-exports it, so `import ... from 'preload/api'` keeps working);
 * pure TypeScript. Moved out of preload/api.ts unchanged (issue 11).
 */

// ---------------------------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------------------------

export const OS_TYPES = ['centos', 'windows', 'coreos', 'debian', 'fedora', 'freebsd', 'kylin', 'oraclelinux', 'rhel', 'suse', 'ubuntu', 'archlinux'] as const
export type OsType = (typeof OS_TYPES)[number]
export type Architecture = 'arm' | 'x86'
export type Virtualization = 'qemu' | 'baremetal'
export type BootMode = 'bios' | 'uefi'
export type Visibility = 'public' | 'private' | 'shared' | 'community'
export const DISK_FORMATS = ['qcow2', 'raw', 'iso', 'vmdk', 'vhd', 'vhdx', 'vdi', 'ami', 'ari', 'aki', 'ploop'] as const
export type DiskFormat = (typeof DISK_FORMATS)[number]
export const IMAGE_STATUSES = ['queued', 'saving', 'uploading', 'importing', 'active', 'deactivated', 'killed', 'deleted', 'pending_delete'] as const
export type ImageStatus = (typeof IMAGE_STATUSES)[number]

/** The vendor console's fields, in the console's terms (see main/openstack/properties.ts for the Glance keys). */
export interface ConsoleFields {
  osType?: OsType
  architecture?: Architecture
  virtualization?: Virtualization
  minDiskGiB: number
  minRamGiB: number
  public: boolean
  protected: boolean
  onlineResize?: boolean
  agent?: boolean
  multiqueue?: boolean
  encryptedPassword?: boolean
  bootMode?: BootMode
  description?: string
}

export interface ImageDTO {
  id: string
  name: string
  status: string
  diskFormat: string | null
  containerFormat: string | null
  size: number | null
  virtualSize: number | null
  visibility: Visibility
  protected: boolean
  owner: string | null
  createdAt: string
  updatedAt: string
  tags: string[]
  checksum: string | null
  hashAlgo: string | null
  hashValue: string | null
  minDisk: number
  minRam: number
  hidden: boolean
  /** The console fields decoded with the profile's key map. */
  fields: ConsoleFields
  /** Custom properties not covered by `fields` (string values). */
  properties: Record<string, string>
  /** Every attribute as Glance returned it. */
  raw: Record<string, unknown>
}

export interface SortKey {
  key: string
  dir: 'asc' | 'desc'
}

/**
 * The sort an image list starts with (renderer/stores/images.ts), newest first. Issue 16.4: the warm start
 * (main/profiles/warm.ts) prefetches the first page of that list, so both sides take it from here.
 */
export const DEFAULT_IMAGE_SORT: readonly SortKey[] = [{ key: 'created_at', dir: 'desc' }]

export interface ImageQuery {
  name?: string
  /** `name=in:a,b` */
  names?: string[]
  status?: string[]
  visibility?: Visibility | 'all'
  tags?: string[]
  owner?: string
  protected?: boolean
  diskFormat?: string[]
  osType?: OsType
  /** Any property filter, key -> value. */
  properties?: Record<string, string>
  sizeMin?: number
  sizeMax?: number
  createdAfter?: string
  createdBefore?: string
  updatedAfter?: string
  updatedBefore?: string
  changesSince?: string
  /** C1: shared images by the caller's member status (Glance `member_status`; with visibility `shared`). */
  memberStatus?: 'pending' | 'accepted' | 'rejected' | 'all'
  sort?: SortKey[]
  /** Page size (1..1000). */
  limit?: number
}

export interface ImagePage {
  images: ImageDTO[]
  /** An opaque cursor for the next page; absent at the end. */
  next?: string
}

export type ImageSource = { kind: 'file'; fileHandle: string } | { kind: 'url'; url: string } | { kind: 'none' }

export interface ImageCreateInput {
  name: string
  fields: ConsoleFields
  /** `auto` lets inspection decide (local files only). */
  diskFormat: DiskFormat | 'auto'
  containerFormat?: string
  tags?: string[]
  /** Extra custom properties (string values). */
  properties?: Record<string, string>
  source: ImageSource
  /** Save as an offline draft instead of running now. */
  draft?: boolean
  /** C1: `shared` (share with projects later) instead of `private`, when not public. */
  visibility?: 'private' | 'shared'
}

export interface ImageCreateResult {
  imageId?: string
  jobId?: string
  /** F2: a URL import whose URL could not be checked from here (no answer, a read that timed out): queued unverified. */
  urlNotChecked?: true
}

export interface ImageUpdateInput {
  name?: string
  fields?: Partial<ConsoleFields>
  /** Custom properties to set (string) or remove (null). */
  properties?: Record<string, string | null>
  /** C1: `private` or `shared` when not public (a public image made not public becomes this). */
  visibility?: 'private' | 'shared'
  /** For read-only profiles: the user confirmed twice. */
  confirmed?: boolean
}

/** C1: a tag edit: one JSON patch of /tags. */
export interface TagEdit {
  add: string[]
  remove: string[]
}

/** C1: the Keystone projects the caller may see; `complete` is false when it may list only its own. */
export interface ProjectList {
  projects: { id: string; name?: string; domainId?: string }[]
  complete: boolean
}

export interface MemberDTO {
  imageId: string
  memberId: string
  /** C1: the member project's name, when the caller may see it (Keystone). */
  memberName?: string
  status: 'pending' | 'accepted' | 'rejected'
  createdAt: string
  updatedAt: string
}

export interface StoreInfo {
  id: string
  description?: string
  default?: boolean
}

export interface QuotaInfo {
  /** Glance /v2/info/usage: resource -> {limit, usage}; limit -1 means unlimited. */
  [resource: string]: { limit: number; usage: number }
}

/** Stable codes for why an action is not allowed (the renderer translates `perm.cap.<code>`). */
export const PERMISSION_CODES = [
  'readOnlyRole',
  'noRole',
  'publicize',
  'noVolumeService',
  'noImport',
  'quotaFull',
  'notOwner',
  'protectedImage',
  'notActive',
  'notDeactivatable',
  'notShareable',
  // C2: the vendor-console preset and the one per-image rule (preload/rules/permissions.ts)
  'adminOnly',
  'adminProjectOnly',
  'notDeactivated',
  'volumeFormat',
] as const
export type PermissionCode = (typeof PERMISSION_CODES)[number]

export interface Permission {
  allowed: boolean
  /** Why not, in English words (logs, the CLI). */
  reason?: string
  /** Why not, as a stable code the UI shows in the user's language. */
  code?: PermissionCode
  /** C2: parameters of the reason (e.g. the image's status), worded by the UI. */
  params?: Record<string, string>
}

/** The image actions with a general permission: derived from the one action table, IMAGE_ACTIONS (preload/rules/permissions.ts). */
export type { ActionName } from '../rules/permissions'
import type { ActionName } from '../rules/permissions'

export interface Capabilities {
  roles: string[]
  isAdmin: boolean
  projectId: string
  /** Actions in general (for images the user's project owns when not admin). */
  can: Record<ActionName, Permission>
  importMethods: string[]
  stores: StoreInfo[]
  quota?: QuotaInfo
  volumeService: boolean
}

export interface ExportRequest {
  format: 'csv' | 'xlsx'
  /** The rows shown (ids), or everything matching `query`. */
  scope: { kind: 'ids'; ids: string[] } | { kind: 'query'; query: ImageQuery }
  columns: string[]
  locale: 'zh-CN' | 'en'
  /** A handle from files.pickSave. */
  fileHandle: string
}
