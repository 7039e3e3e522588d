/**
 * What the user's roles allow, for the "test connection" report. A role-based estimate (default Glance policies):
 * admin can do everything; member can manage its project's images but not publicize; reader only reads.
 */
import type { ActionName, Capabilities, Permission, QuotaInfo, StoreInfo } from '../../preload/api'

export interface CapabilityInput {
  roles: string[]
  projectId: string
  importMethods: string[]
  stores: StoreInfo[]
  quota?: QuotaInfo
  volumeService: boolean
}

const ACTIONS: ActionName[] = ['create', 'modify', 'delete', 'download', 'createVolume', 'editTags', 'publicize', 'deactivate', 'share', 'import']

export function basicCapabilities(i: CapabilityInput): Capabilities {
  const roles = i.roles.map((r) => r.toLowerCase())
  const isAdmin = roles.includes('admin')
  const isMember = isAdmin || roles.includes('member') || roles.includes('_member_')
  const can = {} as Record<ActionName, Permission>
  for (const a of ACTIONS) {
    let p: Permission
    if (a === 'download') p = { allowed: true }
    else if (a === 'publicize' || a === 'deactivate') p = isAdmin ? { allowed: true } : { allowed: false, reason: 'Only an administrator can do this (default policy).' }
    else if (a === 'createVolume') {
      p = !i.volumeService
        ? { allowed: false, reason: 'There is no volume service (Cinder) in this region.' }
        : isMember
          ? { allowed: true }
          : { allowed: false, reason: 'Your role can only read.' }
    } else if (a === 'import') {
      p = i.importMethods.length === 0 ? { allowed: false, reason: 'This cloud offers no import methods.' } : isMember ? { allowed: true } : { allowed: false, reason: 'Your role can only read.' }
    } else p = isMember ? { allowed: true } : { allowed: false, reason: 'Your role can only read.' }
    can[a] = p
  }
  const out: Capabilities = {
    roles: [...i.roles],
    isAdmin,
    projectId: i.projectId,
    can,
    importMethods: [...i.importMethods],
    stores: [...i.stores],
    volumeService: i.volumeService,
  }
  if (i.quota) out.quota = i.quota
  return out
}
