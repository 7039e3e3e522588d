/**
 * The one typed contract between the main process and the renderer.
 *
 * Pure TypeScript: no Electron, no Node imports. It is compiled into the main process, the preload, the browser
 * harness bridge and the renderer alike. Every command is declared once in preload/contract/commands/<domain>.ts (its
 * types are re-exported here), every event channel in `EventMap`; `Api` is what `window.api` offers. Commands
 * resolve to a `Result<T>` envelope (they never throw across the bridge); the renderer's `unwrap` turns an error envelope back into an `AppError`.
 */

// ---------------------------------------------------------------------------------------------------------------
// Errors and results: preload/contract/errors.ts (ERROR_CODES, ErrorCode, AppErrorData, AppError, Result)
// ---------------------------------------------------------------------------------------------------------------

export * from './contract/errors'
import type { AppErrorData, Result } from './contract/errors'

// ---------------------------------------------------------------------------------------------------------------
// Context: which profile and region a cloud command is about
// ---------------------------------------------------------------------------------------------------------------

export interface CloudContext {
  profileId: string
  /** Region name; the profile's default region when omitted. */
  region?: string
}

// ---------------------------------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------------------------------

export type AuthType = 'password' | 'applicationCredential'
export type Interface = 'public' | 'internal' | 'admin'

/** Per-profile Glance keys for the console fields that vary between clouds. */
export interface PropertyKeyMap {
  /** Virtualization type key: `hypervisor_type` (default) or e.g. Skyline's `usage_type`. */
  virtualization: string
  /** Vendor-private online-resize key (default `hw_online_resize`). */
  onlineResize: string
  /** Vendor-private encrypted-initial-password key (default `hw_passwd_encrypted`). */
  encryptedPassword: string
}

export interface ProfileInput {
  name: string
  color: string
  group: string
  authUrl: string
  authType: AuthType
  /** password auth */
  username: string
  userId: string
  userDomainName: string
  projectName: string
  projectId: string
  projectDomainName: string
  /** Domain ids, when a clouds.yaml / openrc names domains by id (`user_domain_id`, `project_domain_id`). */
  userDomainId?: string
  projectDomainId?: string
  /** application credential auth */
  appCredentialId: string
  appCredentialName: string
  regions: string[]
  defaultRegion: string
  interface: Interface
  /** A CA bundle file path (PEM). Empty for the system trust store. */
  caFile: string
  insecure: boolean
  /** Endpoint overrides keyed by service type (`image`, `volumev3`) or `REGION/type`. */
  endpointOverrides: Record<string, string>
  propertyKeys: PropertyKeyMap
  /** The production guard: destructive actions ask twice. */
  readOnly: boolean
  notes: string
  /** C2: whose policy the UI assumes when it enables actions; `glanceDefault` when absent (preload/rules/permissions.ts). */
  policyPreset?: PolicyPreset
}

/** C2: `glanceDefault`: Glance's default policy; `vendorConsole`: the seed console's table (admins only). */
export const POLICY_PRESETS = ['glanceDefault', 'vendorConsole'] as const
export type PolicyPreset = (typeof POLICY_PRESETS)[number]

/** The documented defaults of the per-profile keys (console fields whose Glance key varies between clouds). */
export const DEFAULT_PROPERTY_KEYS: Readonly<PropertyKeyMap> = Object.freeze({
  virtualization: 'hypervisor_type',
  onlineResize: 'hw_online_resize',
  encryptedPassword: 'hw_passwd_encrypted',
})

export const DEFAULT_PROFILE_COLOR = '#409eff'

/** A complete ProfileInput with every field at its default; `overrides` win. */
export function defaultProfileInput(overrides: Partial<ProfileInput> = {}): ProfileInput {
  const base: ProfileInput = {
    name: '',
    color: DEFAULT_PROFILE_COLOR,
    group: '',
    authUrl: '',
    authType: 'password',
    username: '',
    userId: '',
    userDomainName: 'Default',
    projectName: '',
    projectId: '',
    projectDomainName: 'Default',
    appCredentialId: '',
    appCredentialName: '',
    regions: [],
    defaultRegion: '',
    interface: 'public',
    caFile: '',
    insecure: false,
    endpointOverrides: {},
    propertyKeys: { ...DEFAULT_PROPERTY_KEYS },
    readOnly: false,
    notes: '',
  }
  return { ...base, ...overrides, propertyKeys: { ...base.propertyKeys, ...(overrides.propertyKeys ?? {}) } }
}

/** `locked`: a stored secret exists but cannot be decrypted in this session (keychain locked or changed). [B1] */
export type SecretState = 'stored' | 'session' | 'locked' | 'none'

export interface ProfileDTO extends ProfileInput {
  id: string
  /** `env`: built from OS_* variables / OS_CLOUD at start-up, not saved. */
  source: 'saved' | 'env'
  /** Whether a secret is available; the secret itself never reaches the renderer. */
  secretState: SecretState
  order: number
}

export interface ProfilesState {
  profiles: ProfileDTO[]
  /** Whether safeStorage can encrypt here; when false secrets are held for the session only. */
  encryptionAvailable: boolean
  /** A message when the settings file was corrupt and set aside (its backup path), for the user. */
  recovered?: { message: string; backupPath: string; reason?: string; params?: Record<string, string> } // B3: notice.<reason>
}

export interface SecretInput {
  profileId: string
  secret: string
  /** true: encrypt and save; false: hold in memory for this session only. */
  persist: boolean
}

export type ImportSource =
  | { kind: 'cloudsYaml'; /** a handle from files.pickOpen; standard locations when omitted */ fileHandle?: string }
  | { kind: 'openrc'; fileHandle: string }
  | { kind: 'text'; format: 'cloudsYaml' | 'openrc'; text: string; secureText?: string }

/** Test a profile that is not saved yet (the add/edit dialog). */
export interface ProfileTestDraft {
  input: ProfileInput
  /** The password / secret typed in the dialog; when omitted, the stored secret of `profileId` is used. */
  secret?: string
  profileId?: string
  region?: string
}

export interface ImportCandidate {
  key: string
  profile: ProfileInput
  hasSecret: boolean
  /** The name of an existing profile this one duplicates, if any. */
  duplicateOf?: string
  warnings: string[]
  /** Why this candidate cannot be created as it is (missing auth URL, user, ...); empty or absent when it can. */
  errors?: string[]
  /** B3: the same warnings and errors as reasons (the UI words errorReason.PROFILE_IMPORT.<reason>; the strings are the English fallback). */
  issues?: { warnings: ImportIssue[]; errors: ImportIssue[] }
}

/** B3: one import warning or error (= ReasonData of preload/rules/messages.ts). */
export interface ImportIssue {
  reason: string
  params?: Record<string, string | number | boolean | null>
}

export interface ImportPreview {
  candidates: ImportCandidate[]
  sources: string[]
}

export interface ImportDecision {
  key: string
  action: 'create' | 'skip' | 'rename'
  newName?: string
  /** Also save the imported secret (encrypted). */
  saveSecret: boolean
}

export interface ImportRequest {
  source: ImportSource
  decisions: ImportDecision[]
}

export interface ConnectionReport {
  ok: true
  user: { id: string; name: string }
  project: { id: string; name: string }
  roles: string[]
  regions: string[]
  endpoints: { region: string; image?: string; volume?: string }[]
  glanceVersion?: string
  importMethods: string[]
  stores: StoreInfo[]
  quota?: QuotaInfo
  capabilities: Capabilities
  tokenExpiresAt: string
}

// ---------------------------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------------------------

export const OS_TYPES = [
  'centos',
  'windows',
  'coreos',
  'debian',
  'fedora',
  'freebsd',
  'kylin',
  'oraclelinux',
  'rhel',
  'suse',
  'ubuntu',
  'archlinux',
] as const
export type OsType = (typeof OS_TYPES)[number]
export type Architecture = 'arm' | 'x86'
export type Virtualization = 'qemu' | 'baremetal'
export type BootMode = 'bios' | 'uefi'
export type Visibility = 'public' | 'private' | 'shared' | 'community'
export const DISK_FORMATS = ['qcow2', 'raw', 'iso', 'vmdk', 'vhd', 'vhdx', 'vdi', 'ami', 'ari', 'aki', 'ploop'] as const
export type DiskFormat = (typeof DISK_FORMATS)[number]
export const IMAGE_STATUSES = [
  'queued',
  'saving',
  'uploading',
  'importing',
  'active',
  'deactivated',
  'killed',
  'deleted',
  'pending_delete',
] as const
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

export type ImageSource =
  | { kind: 'file'; fileHandle: string }
  | { kind: 'url'; url: string }
  | { kind: 'none' }

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

export type ActionName =
  | 'create'
  | 'modify'
  | 'delete'
  | 'download'
  | 'createVolume'
  | 'editTags'
  | 'publicize'
  | 'deactivate'
  | 'share'
  | 'import'

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

export interface VolumeCreateInput {
  imageId: string
  name: string
  sizeGiB: number
  volumeType?: string
  availabilityZone?: string
  description?: string
}

export interface VolumeDTO {
  id: string
  name: string
  status: string
  size: number
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

// ---------------------------------------------------------------------------------------------------------------
// Files (paths are chosen only by the main process: dialogs, dropped files; the renderer holds handles)
// ---------------------------------------------------------------------------------------------------------------

export interface FileRef {
  handle: string
  /** Base name, for display. */
  name: string
  /** Full path, for display only. */
  path: string
  size?: number
}

// [A] an inspection finding as data: a code (catalogue in renderer/lib/inspection.ts, worded en + zh-CN there) and
// its parameters (the field, file name, feature bit found)
export interface InspectionIssue {
  reason: string
  params: Record<string, string | number>
}

export interface InspectionReport {
  format: 'qcow2' | 'raw' | 'iso' | 'vmdk' | 'vhd' | 'vhdx' | 'vdi' | 'qed' | 'luks' | 'unknown'
  /** What to send as disk_format. */
  proposedDiskFormat: DiskFormat
  size: number
  virtualSize: number | null
  /** ceil(virtual size / GiB), at least 1. */
  proposedMinDiskGiB: number
  details: Record<string, string | number | boolean | null>
  /** Refusals: the file must not be uploaded (backing file, data file, unsafe vmdk, ...). English fallback text. */
  unsafe: string[]
  warnings: string[]
  /** [A] The same refusals and warnings as coded entries (the renderer words them: renderer/lib/inspection.ts). */
  issues?: { unsafe: InspectionIssue[]; warnings: InspectionIssue[] }
}

// ---------------------------------------------------------------------------------------------------------------
// Transfers
// ---------------------------------------------------------------------------------------------------------------

export type JobKind = 'upload' | 'download' | 'import' | 'copy' // D1: copy (preload/contract/copy.ts)
export type JobState = 'draft' | 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled'
export type JobPhase =
  | 'waiting'
  | 'inspecting'
  | 'hashing'
  | 'creating'
  | 'uploading'
  | 'downloading'
  | 'importing'
  | 'verifying'
  | 'finished'

export interface JobDTO {
  id: string
  kind: JobKind
  profileId: string
  region: string
  state: JobState
  phase: JobPhase
  imageId?: string
  imageName: string
  /** Local file (display path) for uploads and downloads. */
  file?: string
  /** Source URL for imports. */
  url?: string
  bytes: number
  total?: number
  attempts: number
  error?: AppErrorData
  createdAt: string
  updatedAt: string
  result?: { md5?: string; sha512?: string; verified: boolean; seconds?: number }
  /** B2: the job waits (paused) for the user: 'acceptUnverified' = a download Glance has no checksum for (transfers:acceptUnverified). */
  decision?: 'acceptUnverified'
  /** D1: kind `copy` only: the source and the method (profileId/region above are the target). */
  copy?: import('./contract/copy').CopyJobInfo
}

export interface ProgressEvent {
  jobId: string
  phase: JobPhase
  bytes: number
  total?: number
  /** Bytes per second, moving average. */
  speed: number
  /** Seconds; undefined when unknown. */
  eta?: number
}

export interface DownloadInput {
  imageId: string
  /** A handle from files.pickSave. */
  fileHandle: string
}

export interface DraftManifest {
  yaml: string
}

// ---------------------------------------------------------------------------------------------------------------
// App
// ---------------------------------------------------------------------------------------------------------------

export interface AppInfo {
  name: string
  version: string
  platform: string
  /** `electron` in the app, `web` in the browser harness. */
  shell: 'electron' | 'web'
  locale: string
  dataDir: string
}

export interface Notice {
  level: 'info' | 'warning' | 'error'
  /** English (logs); the UI words `reason` (notice.<reason>, with `params`) when it knows it. C2 */
  message: string
  reason?: string
  params?: Record<string, string | number | boolean | null>
}

// ---------------------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------------------

// Commands (invoke/handle) are declared once, in one table per domain: preload/contract/commands/<domain>.ts (name, zod
// argument schemas, parameter and result types). The channel names, the channel list (COMMAND_CHANNELS, exported by
// preload/contract/commands, not here: this module stays free of zod for the renderer) and the `window.api` type below are
// derived from those tables. To add a command see docs/architecture.md, "Add a command".
export type { CommandArgs, CommandChannel, CommandResult } from './contract/commands'
import type { CommandChannel, CommandsApi } from './contract/commands'

/** Event channels (main -> renderer): name -> payload. */
export interface EventMap {
  'transfers:progress': ProgressEvent[]
  'transfers:changed': JobDTO
  'transfers:removed': { jobId: string }
  'profiles:changed': ProfilesState
  'app:notice': Notice
  'app:command': { command: 'refresh' | 'newImage' | 'search' | 'profiles' | 'importProfiles' | 'transfers' | 'about' }
}
export type EventChannel = keyof EventMap
export const EVENT_CHANNELS = [
  'transfers:progress',
  'transfers:changed',
  'transfers:removed',
  'profiles:changed',
  'app:notice',
  'app:command',
] as const satisfies readonly EventChannel[]

export type Unsubscribe = () => void

// ---------------------------------------------------------------------------------------------------------------
// window.api
// ---------------------------------------------------------------------------------------------------------------

/**
 * What `window.api` offers: every command of preload/contract/commands as `api.<domain>.<method>(...)` resolving to a
 * `Result<T>`, except that `files.dropped` takes the dropped DOM File (the preload resolves its path, never the
 * renderer), plus `on` for events.
 */
export type Api = Omit<CommandsApi, 'files'> & {
  files: Omit<CommandsApi['files'], 'dropped'> & {
    /** A file dropped on the window (a DOM File); the preload resolves its path, never the renderer. */
    dropped(file: File): Promise<Result<FileRef>>
  }
  /** Subscribe to a main-process event; returns the unsubscribe function. */
  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): Unsubscribe
}

/** How a bridge reaches the main process: Electron's ipcRenderer in the preload, a WebSocket in the harness. */
export interface Transport {
  invoke(channel: CommandChannel, args: unknown[]): Promise<unknown>
  on(channel: EventChannel, listener: (payload: unknown) => void): Unsubscribe
  /** Resolve a dropped DOM File to a path (Electron: webUtils.getPathForFile). Empty when unknown. */
  pathForFile(file: File): string
}
