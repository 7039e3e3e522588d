/**
 * What the user may do in a profile + region (from the token's roles and this Glance's policy) and what the cloud
 * offers (import methods, stores, quota, a volume service) -> the Capabilities DTO the UI enables and explains
 * actions with. Every denied action carries a reason.
 *
 * Policy facts (Glance's defaults, checked against the loopback cloud by test/integration/openstack):
 * - admin: everything.
 * - member: creates and manages images of its own project (modify, delete, tags, deactivate, share), downloads what
 *   it can see; cannot publicize (publicize_image is admin-only), cannot touch other projects' images.
 * - reader (without member): read-only under the secure-RBAC defaults. A cloud still on the legacy policies may let a
 *   reader write; the UI stays on the safe side.
 */
import type { ActionName, Capabilities, ImageDTO, Permission, PermissionCode, QuotaInfo, StoreInfo } from '../../preload/api'

export interface CapabilityFacts {
  roles: string[]
  projectId: string
  importMethods: string[]
  stores: StoreInfo[]
  quota?: QuotaInfo
  volumeService: boolean
}

export const REASONS: Record<PermissionCode, string> = {
  readOnlyRole: 'Your roles in this project are read-only (reader); Glance refuses changes.',
  noRole: 'You have no member or admin role in this project.',
  publicize: 'Only an administrator can make an image public (Glance policy publicize_image).',
  noVolumeService: 'This region has no block-storage (Cinder) service.',
  noImport: 'This Glance offers no import method.',
  quotaFull: 'The image quota of this project is used up.',
  notOwner: 'The image belongs to another project.',
  protectedImage: 'The image is protected; unprotect it first.',
  notActive: 'The image has no data yet (not active).',
  notDeactivatable: 'Only active images can be deactivated.',
  notShareable: 'Only images with visibility "shared" can be shared with other projects.',
}

const allow: Permission = { allowed: true }
const deny = (code: PermissionCode): Permission => ({ allowed: false, reason: REASONS[code], code })

const MEMBER_ROLES = new Set(['member', '_member_', 'Member'])

export function computeCapabilities(f: CapabilityFacts): Capabilities {
  const roles = [...f.roles]
  const isAdmin = roles.includes('admin')
  const isMember = isAdmin || roles.some((r) => MEMBER_ROLES.has(r))
  const isReader = roles.includes('reader')
  const write = isMember ? allow : deny(isReader ? 'readOnlyRole' : 'noRole')
  const countQuota = f.quota?.image_count_total
  const quotaFull = countQuota !== undefined && countQuota.limit >= 0 && countQuota.usage >= countQuota.limit
  const can: Record<ActionName, Permission> = {
    create: !write.allowed ? write : quotaFull ? deny('quotaFull') : allow,
    modify: write,
    delete: write,
    download: allow,
    createVolume: !write.allowed ? write : f.volumeService ? allow : deny('noVolumeService'),
    editTags: write,
    publicize: isAdmin ? allow : isMember ? deny('publicize') : write,
    deactivate: write,
    share: write,
    import: !write.allowed ? write : f.importMethods.length ? allow : deny('noImport'),
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

/** The permissions for one image: the general ones narrowed by ownership, protection and status. */
export function capabilitiesForImage(caps: Capabilities, image: Pick<ImageDTO, 'owner' | 'protected' | 'status' | 'visibility'>): Record<ActionName, Permission> {
  const can = { ...caps.can }
  const foreign = !caps.isAdmin && image.owner !== caps.projectId
  const owned: ActionName[] = ['modify', 'delete', 'editTags', 'deactivate', 'share', 'publicize']
  if (foreign) for (const a of owned) if (can[a].allowed) can[a] = deny('notOwner')
  if (image.protected && can.delete.allowed) can.delete = deny('protectedImage')
  if (image.status !== 'active') {
    if (can.download.allowed) can.download = deny('notActive')
    if (can.createVolume.allowed) can.createVolume = deny('notActive')
    if (can.deactivate.allowed && image.status !== 'deactivated') can.deactivate = deny('notDeactivatable')
  }
  if (image.visibility !== 'shared' && can.share.allowed) can.share = deny('notShareable')
  return can
}
