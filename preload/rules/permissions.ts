/**
 * Who may do what with images: ONE pure rule, shared by the main process (the Capabilities DTO, the volume service,
 * the CLI) and the renderer (enabling and explaining actions). No Electron, no Node, no DOM.
 *
 * Every image action is declared once, as a row of IMAGE_ACTIONS below: its general rule per policy preset, its
 * per-image narrowing, and how the UI shows it (label key, button scope, test id, danger). From the table derive
 * `ImageAction` (every row), `ActionName` (the rows with a general rule: the keys of `Capabilities.can`), the
 * capabilities (`computeCapabilities`), the per-image verdict (`imagePermission`) and the renderer's buttons
 * (renderer/lib/imageActions.ts). Recipe: docs/architecture.md, "Add an image action".
 *
 * The general rules read the facts of the token (`computeCapabilities`) and the preset's two bases:
 *
 * | base    | preset `glanceDefault` (Glance's default policy)     | preset `vendorConsole` (the seed console's table)        |
 * |---------|------------------------------------------------------|----------------------------------------------------------|
 * | write   | member or admin (else readOnlyRole / noRole)         | admin (else adminOnly)                                   |
 * | create  | write, then the image quota (quotaFull)              | admin in project Default/admin (else adminProjectOnly), then the quota |
 *
 * Under `glanceDefault` the server's real policy is unknown (a cloud may still run the legacy policies), so a refusal
 * for a reader / a user without a role says the cloud MAY refuse (codes readOnlyRole, noRole). Under `vendorConsole`
 * the table is the policy: codes adminOnly, adminProjectOnly.
 *
 * Per image (`imagePermission`): the general permission, then ownership (`ownImages`: a non-admin only on images its
 * project owns, notOwner), then the row's `onImage` narrowing (protection, status, format, visibility).
 *
 * Volume eligibility (`volumeEligibility`, also enforced by the main process before it calls Cinder): only QEMU images
 * (virtualization unset counts as QEMU, Glance's default) in qcow2 or raw, and only active ones.
 */
import type { Capabilities, ConsoleFields, ImageDTO, Permission, PermissionCode, PolicyPreset, QuotaInfo, StoreInfo } from '../api'

export interface CapabilityFacts {
  roles: string[]
  projectId: string
  /** The token's project name and domain id (the vendor console's "Default/admin" project). */
  projectName?: string
  projectDomainId?: string
  importMethods: string[]
  stores: StoreInfo[]
  quota?: QuotaInfo
  volumeService: boolean
  /** The profile's policy preset; `glanceDefault` when absent. */
  preset?: PolicyPreset
}

/** English reasons (logs, the CLI); the UI words the code (`perm.cap.<code>`, with `params`). */
export const REASONS: Record<PermissionCode, string> = {
  readOnlyRole: 'Your roles in this project are read-only (reader); the cloud may refuse changes.',
  noRole: 'You have no member or admin role in this project; the cloud may refuse this.',
  adminOnly: 'Under the vendor console policy only cloud administrators may do this.',
  adminProjectOnly: 'Under the vendor console policy only cloud administrators in the Default/admin project may create images.',
  publicize: 'Only an administrator can make an image public (Glance policy publicize_image).',
  noVolumeService: 'This region has no block-storage (Cinder) service.',
  noImport: 'This Glance offers no import method.',
  quotaFull: 'The image quota of this project is used up.',
  notOwner: 'The image belongs to another project.',
  protectedImage: 'The image is protected; unprotect it first.',
  notActive: 'The image is not active.',
  notDeactivatable: 'Only active images can be deactivated.',
  notDeactivated: 'Only deactivated images can be reactivated.',
  volumeFormat: 'Only QEMU images in qcow2 or raw format can become volumes.',
  notShareable: 'Only images with visibility "shared" can be shared with other projects.',
}

export const ALLOW: Permission = Object.freeze({ allowed: true }) as Permission

export function deny(code: PermissionCode, params?: Record<string, string>): Permission {
  const p: Permission = { allowed: false, reason: REASONS[code], code }
  if (params) p.params = params
  return p
}

const MEMBER_ROLES = new Set(['member', '_member_', 'Member'])
/** Keystone's default domain id (name "Default"). */
const DEFAULT_DOMAIN_ID = 'default'

/** The image facts the per-image rule reads. */
export type PermImage = Pick<ImageDTO, 'owner' | 'protected' | 'status' | 'visibility' | 'diskFormat'> & {
  fields: Pick<ConsoleFields, 'virtualization'>
}

const VOLUME_FORMATS = new Set(['qcow2', 'raw'])

/** Why an image cannot become a volume (undefined: it can). */
export function volumeEligibility(im: Pick<PermImage, 'status' | 'diskFormat' | 'fields'>): Permission {
  const virt = im.fields.virtualization ?? 'qemu'
  if (virt !== 'qemu' || !VOLUME_FORMATS.has(im.diskFormat ?? '')) return deny('volumeFormat')
  if (im.status !== 'active') return deny('notActive', { status: im.status })
  return ALLOW
}

/** What a general rule reads: the token's and the cloud's facts, and the preset's two bases (see the top of this file). */
export interface RuleFacts {
  f: CapabilityFacts
  isAdmin: boolean
  /** May change images. */
  write: Permission
  /** May create images (the quota included). */
  create: Permission
}
/** An action's general permission (`Capabilities.can[action]`). */
export type Rule = (g: RuleFacts) => Permission
/** One rule for both presets, or one per preset. */
export type PresetRule = Rule | Readonly<Record<PolicyPreset, Rule>>
/** What the per-image narrowing reads of the capabilities. */
export type ImageCaps = Pick<Capabilities, 'isAdmin' | 'projectId' | 'volumeService'>
/** An action's narrowing on one image, once the general permission and ownership allow it. */
export type ImageRule = (im: PermImage, caps: ImageCaps) => Permission

export interface ActionRow {
  /** The general rule; a row without one is not an `ActionName` and has `general`. */
  rule?: PresetRule
  /** The action whose general permission this one uses (`reactivate`: `deactivate`'s). */
  general?: string
  /** A non-admin may do it only on images its project owns (notOwner). */
  ownImages?: true
  /** The narrowing on one image (absent: the general permission and ownership decide). */
  onImage?: ImageRule
  /** UI: the catalogue key of its label (renderer/i18n). */
  label: string
  /**
   * UI: a button on images. 'one': exactly one selected image may do it; 'selection': the selected images that may
   * do it (both: a button in the detail drawer). Absent: not a button (create, publicize, import).
   */
  on?: 'one' | 'selection'
  /** UI: the toolbar button's test id, `btn-<name>` when absent (the drawer's is `detail-<name>`). */
  testid?: string
  /** UI: a red button. */
  danger?: true
}

const WRITE: Rule = (g) => g.write
/** `base` when it refuses, else `ok` or a refusal with `code`. */
const gate = (base: Permission, ok: boolean, code: PermissionCode): Permission => (!base.allowed ? base : ok ? ALLOW : deny(code))
const ACTIVE: ImageRule = (im) => (im.status === 'active' ? ALLOW : deny('notActive', { status: im.status }))

/** THE image actions, in button order. One row per action: see `ActionRow`. */
export const IMAGE_ACTIONS = {
  create: { rule: (g) => g.create, label: 'nav.newImage' },
  publicize: {
    rule: { glanceDefault: (g) => (g.isAdmin ? ALLOW : g.write.allowed ? deny('publicize') : g.write), vendorConsole: WRITE },
    ownImages: true,
    label: 'field.public',
  },
  import: {
    rule: {
      glanceDefault: (g) => gate(g.write, g.f.importMethods.length > 0, 'noImport'),
      vendorConsole: (g) => gate(g.create, g.f.importMethods.length > 0, 'noImport'),
    },
    label: 'transfers.kind.import',
  },
  modify: { rule: WRITE, ownImages: true, label: 'action.modify', on: 'one' },
  editTags: { rule: WRITE, ownImages: true, label: 'action.tags', on: 'selection', testid: 'btn-tags' },
  download: { rule: { glanceDefault: () => ALLOW, vendorConsole: WRITE }, onImage: ACTIVE, label: 'action.download', on: 'selection' },
  createVolume: {
    rule: (g) => gate(g.write, g.f.volumeService, 'noVolumeService'),
    onImage: (im, caps) => (caps.volumeService ? volumeEligibility(im) : deny('noVolumeService')),
    label: 'action.createVolume',
    on: 'one',
    testid: 'btn-create-volume',
  },
  share: {
    rule: WRITE,
    ownImages: true,
    onImage: (im) => (im.visibility === 'shared' ? ALLOW : deny('notShareable', { visibility: im.visibility })),
    label: 'action.share',
    on: 'one',
  },
  deactivate: { rule: WRITE, ownImages: true, onImage: ACTIVE, label: 'action.deactivate', on: 'one' },
  reactivate: {
    general: 'deactivate',
    ownImages: true,
    onImage: (im) => (im.status === 'deactivated' ? ALLOW : deny('notDeactivated')),
    label: 'action.reactivate',
    on: 'one',
  },
  delete: {
    rule: WRITE,
    ownImages: true,
    onImage: (im) => (im.protected ? deny('protectedImage') : ALLOW),
    label: 'action.delete',
    on: 'selection',
    danger: true,
  },
} as const satisfies Record<string, ActionRow>

type Rows = typeof IMAGE_ACTIONS
/** Every image action (a row of IMAGE_ACTIONS). */
export type ImageAction = keyof Rows
/** The actions with a general permission of their own: the keys of `Capabilities.can`. */
export type ActionName = { [K in ImageAction]: Rows[K] extends { rule: unknown } ? K : never }[ImageAction]
type GeneralOf = { [K in ImageAction]: Rows[K] extends { general: infer G } ? G : K }[ImageAction]

/** The action whose general permission an action uses (itself, or its row's `general`). */
export function generalOf(action: ImageAction): ActionName {
  const row: ActionRow = IMAGE_ACTIONS[action]
  // typed by the table: a `general` that names no action with a rule fails the typecheck here
  const g = (row.general ?? action) as GeneralOf
  return g
}

export function computeCapabilities(f: CapabilityFacts): Capabilities {
  const roles = [...f.roles]
  const isAdmin = roles.includes('admin')
  const countQuota = f.quota?.image_count_total
  const quotaFull = countQuota !== undefined && countQuota.limit >= 0 && countQuota.usage >= countQuota.limit
  const preset: PolicyPreset = f.preset ?? 'glanceDefault'
  let write: Permission
  let creator: Permission
  if (preset === 'vendorConsole') {
    write = isAdmin ? ALLOW : deny('adminOnly')
    const inAdminProject = f.projectName === 'admin' && (f.projectDomainId ?? DEFAULT_DOMAIN_ID) === DEFAULT_DOMAIN_ID
    creator = isAdmin && inAdminProject ? ALLOW : deny('adminProjectOnly')
  } else {
    const isMember = isAdmin || roles.some((r) => MEMBER_ROLES.has(r))
    write = isMember ? ALLOW : deny(roles.includes('reader') ? 'readOnlyRole' : 'noRole')
    creator = write
  }
  const g: RuleFacts = { f, isAdmin, write, create: gate(creator, !quotaFull, 'quotaFull') }
  const can = {} as Record<ActionName, Permission>
  for (const [name, row] of Object.entries(IMAGE_ACTIONS) as [ImageAction, ActionRow][]) {
    if (row.rule) can[name as ActionName] = (typeof row.rule === 'function' ? row.rule : row.rule[preset])(g)
  }
  const out: Capabilities = {
    roles,
    isAdmin,
    projectId: f.projectId,
    can,
    importMethods: [...f.importMethods],
    stores: [...f.stores],
    volumeService: f.volumeService,
  }
  if (f.quota) out.quota = f.quota
  return out
}

/** The permission for one action on one image: the general one, narrowed by ownership, then by the row's `onImage`. */
export function imagePermission(action: ImageAction, im: PermImage, caps: Pick<Capabilities, 'can' | 'isAdmin' | 'projectId' | 'volumeService'>): Permission {
  const row: ActionRow = IMAGE_ACTIONS[action]
  const general = caps.can[generalOf(action)]
  if (!general) return deny('noRole')
  if (!general.allowed) return general
  if (!caps.isAdmin && row.ownImages && im.owner !== caps.projectId) return deny('notOwner')
  return row.onImage ? row.onImage(im, caps) : ALLOW
}
