/**
 * Who may do what with images: ONE pure rule, shared by the main process (the Capabilities DTO, the volume service,
 * the CLI) and the renderer (enabling and explaining actions). No Electron, no Node, no DOM.
 *
 * General permissions (`computeCapabilities`: the token's roles and project, the profile's policy preset, the cloud):
 *
 * | action             | preset `glanceDefault` (Glance's default policy)   | preset `vendorConsole` (the seed console's table) |
 * |--------------------|----------------------------------------------------|---------------------------------------------------|
 * | create, import     | member or admin; quota left; import: a method      | admin role in project Default/admin only          |
 * | modify, delete     | member or admin                                    | admin                                             |
 * | download           | everyone                                           | admin                                             |
 * | createVolume       | member or admin; a volume service                  | admin; a volume service                           |
 * | editTags           | member or admin                                    | admin                                             |
 * | publicize          | admin                                              | admin                                             |
 * | deactivate, share  | member or admin                                    | admin                                             |
 * Under `glanceDefault` the server's real policy is unknown (a cloud may still run the legacy policies), so a refusal
 * for a reader / a user without a role says the cloud MAY refuse (codes readOnlyRole, noRole). Under `vendorConsole`
 * the table is the policy: codes adminOnly, adminProjectOnly.
 *
 * Per image (`imagePermission`: the general permission narrowed by the image):
 *
 * | action                        | refused when                                                   | code              |
 * |-------------------------------|----------------------------------------------------------------|-------------------|
 * | modify, delete, editTags,     | not admin and the image's owner is another project             | notOwner          |
 * | deactivate, reactivate, share,|                                                                |                   |
 * | publicize                     |                                                                |                   |
 * | delete                        | protected                                                      | protectedImage    |
 * | download, deactivate          | not active                                                     | notActive {status}|
 * | reactivate                    | not deactivated                                                | notDeactivated    |
 * | createVolume                  | no volume service / not a QEMU qcow2|raw image / not active    | see volumeEligibility |
 * | share                         | visibility is not `shared`                                     | notShareable {visibility} |
 *
 * Volume eligibility (`volumeEligibility`, also enforced by the main process before it calls Cinder): only QEMU images
 * (virtualization unset counts as QEMU, Glance's default) in qcow2 or raw, and only active ones.
 */
import type { ActionName, Capabilities, ConsoleFields, ImageDTO, Permission, PermissionCode, PolicyPreset, QuotaInfo, StoreInfo } from '../api'

export type ImageAction = ActionName | 'reactivate'

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

export function computeCapabilities(f: CapabilityFacts): Capabilities {
  const roles = [...f.roles]
  const isAdmin = roles.includes('admin')
  const countQuota = f.quota?.image_count_total
  const quotaFull = countQuota !== undefined && countQuota.limit >= 0 && countQuota.usage >= countQuota.limit
  const preset: PolicyPreset = f.preset ?? 'glanceDefault'
  let can: Record<ActionName, Permission>
  if (preset === 'vendorConsole') {
    const admin = isAdmin ? ALLOW : deny('adminOnly')
    const inAdminProject = f.projectName === 'admin' && (f.projectDomainId ?? DEFAULT_DOMAIN_ID) === DEFAULT_DOMAIN_ID
    const create = !isAdmin || !inAdminProject ? deny('adminProjectOnly') : quotaFull ? deny('quotaFull') : ALLOW
    can = {
      create,
      modify: admin,
      delete: admin,
      download: admin,
      createVolume: !admin.allowed ? admin : f.volumeService ? ALLOW : deny('noVolumeService'),
      editTags: admin,
      publicize: admin,
      deactivate: admin,
      share: admin,
      import: !create.allowed ? create : f.importMethods.length ? ALLOW : deny('noImport'),
    }
  } else {
    const isMember = isAdmin || roles.some((r) => MEMBER_ROLES.has(r))
    const write = isMember ? ALLOW : deny(roles.includes('reader') ? 'readOnlyRole' : 'noRole')
    can = {
      create: !write.allowed ? write : quotaFull ? deny('quotaFull') : ALLOW,
      modify: write,
      delete: write,
      download: ALLOW,
      createVolume: !write.allowed ? write : f.volumeService ? ALLOW : deny('noVolumeService'),
      editTags: write,
      publicize: isAdmin ? ALLOW : isMember ? deny('publicize') : write,
      deactivate: write,
      share: write,
      import: !write.allowed ? write : f.importMethods.length ? ALLOW : deny('noImport'),
    }
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

/** The image facts the per-image rule reads. */
export type PermImage = Pick<ImageDTO, 'owner' | 'protected' | 'status' | 'visibility' | 'diskFormat'> & {
  fields: Pick<ConsoleFields, 'virtualization'>
}

/** Actions that a non-admin may do only on images their project owns. */
const OWNER_ACTIONS: readonly ImageAction[] = ['modify', 'delete', 'editTags', 'deactivate', 'reactivate', 'share', 'publicize']
const VOLUME_FORMATS = new Set(['qcow2', 'raw'])

/** Why an image cannot become a volume (undefined: it can). */
export function volumeEligibility(im: Pick<PermImage, 'status' | 'diskFormat' | 'fields'>): Permission {
  const virt = im.fields.virtualization ?? 'qemu'
  if (virt !== 'qemu' || !VOLUME_FORMATS.has(im.diskFormat ?? '')) return deny('volumeFormat')
  if (im.status !== 'active') return deny('notActive', { status: im.status })
  return ALLOW
}

/** The permission for one action on one image: the general one, narrowed by ownership, protection, status, format. */
export function imagePermission(action: ImageAction, im: PermImage, caps: Pick<Capabilities, 'can' | 'isAdmin' | 'projectId' | 'volumeService'>): Permission {
  const general = caps.can[action === 'reactivate' ? 'deactivate' : action]
  if (!general) return deny('noRole')
  if (!general.allowed) return general
  if (!caps.isAdmin && OWNER_ACTIONS.includes(action) && im.owner !== caps.projectId) return deny('notOwner')
  switch (action) {
    case 'delete':
      if (im.protected) return deny('protectedImage')
      break
    case 'download':
    case 'deactivate':
      if (im.status !== 'active') return deny('notActive', { status: im.status })
      break
    case 'reactivate':
      if (im.status !== 'deactivated') return deny('notDeactivated')
      break
    case 'createVolume':
      if (!caps.volumeService) return deny('noVolumeService')
      return volumeEligibility(im)
    case 'share':
      if (im.visibility !== 'shared') return deny('notShareable', { visibility: im.visibility })
      break
  }
  return ALLOW
}
