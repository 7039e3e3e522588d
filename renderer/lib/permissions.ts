/**
 * What the user may do, and why not, from the capabilities the main process discovered (never guessed here) plus the
 * facts of the image itself (protected, status, format, owner). Pure: returns a reason the UI translates.
 */
import type { ActionName, Capabilities, ImageDTO, PermissionCode } from '@contract/api'
import type { Issue } from './imageForm'

export type ImageAction = ActionName | 'reactivate'
export type CapsState = { state: 'loading' } | { state: 'failed' } | { state: 'ready'; caps: Capabilities }

export interface Verdict {
  allowed: boolean
  reason?: Issue
}

const OK: Verdict = { allowed: true }

/** Actions that a non-admin may do only on images their project owns. */
const OWNER_ACTIONS: ImageAction[] = ['modify', 'delete', 'editTags', 'deactivate', 'reactivate', 'share', 'publicize']

/** The capability's own reason: its code in the user's language, else an i18n key we know, else the text as is. */
function capReason(reason: string | undefined, code?: PermissionCode): Issue {
  if (code) return { key: `perm.cap.${code}` }
  if (!reason) return { key: 'perm.adminOnly' }
  if (/^[a-z]+\.[A-Za-z.]+$/.test(reason)) return { key: reason }
  return { key: '@raw', params: { text: reason } }
}

/** The general permission (no image): e.g. for "Create image". */
export function can(action: ActionName, caps: CapsState | undefined): Verdict {
  if (!caps || caps.state === 'loading') return { allowed: false, reason: { key: 'perm.capsLoading' } }
  if (caps.state === 'failed') return { allowed: false, reason: { key: 'perm.capsUnknown' } }
  const p = caps.caps.can[action]
  if (!p) return { allowed: false, reason: { key: 'perm.capsUnknown' } }
  return p.allowed ? OK : { allowed: false, reason: capReason(p.reason, p.code) }
}

/** Permission for an action on one image. */
export function canOnImage(action: ImageAction, im: ImageDTO, caps: CapsState | undefined): Verdict {
  const general = can(action === 'reactivate' ? 'deactivate' : action, caps)
  if (!general.allowed) return general
  const c = (caps as { caps: Capabilities }).caps
  if (!c.isAdmin && OWNER_ACTIONS.includes(action) && im.owner !== c.projectId) return { allowed: false, reason: { key: 'perm.notOwner' } }
  switch (action) {
    case 'delete':
      if (im.protected) return { allowed: false, reason: { key: 'perm.protected' } }
      break
    case 'download':
      if (im.status !== 'active') return { allowed: false, reason: { key: 'perm.notActive', params: { status: `@status.${im.status}` } } }
      break
    case 'deactivate':
      if (im.status !== 'active') return { allowed: false, reason: { key: 'perm.notActive', params: { status: `@status.${im.status}` } } }
      break
    case 'reactivate':
      if (im.status !== 'deactivated') return { allowed: false, reason: { key: 'perm.notDeactivated' } }
      break
    case 'createVolume':
      if (!c.volumeService) return { allowed: false, reason: { key: 'perm.noVolumeService' } }
      if (!volumeEligible(im)) return { allowed: false, reason: { key: 'perm.volumeFormat' } }
      if (im.status !== 'active') return { allowed: false, reason: { key: 'perm.notActive', params: { status: `@status.${im.status}` } } }
      break
    case 'share':
      if (im.visibility !== 'shared')
        return { allowed: false, reason: { key: 'perm.shareVisibility', params: { visibility: `@visibility.${im.visibility}` } } }
      break
  }
  return OK
}

/** The console: only QEMU images in qcow2 or raw can become volumes (unset virtualization counts as QEMU, Glance's default). */
export function volumeEligible(im: Pick<ImageDTO, 'diskFormat' | 'fields'>): boolean {
  const virt = im.fields.virtualization ?? 'qemu'
  return virt === 'qemu' && (im.diskFormat === 'qcow2' || im.diskFormat === 'raw')
}

/** Permission for a batch action: allowed when allowed for at least one selected image; `allowedIds` lists them. */
export function canOnSelection(
  action: ImageAction,
  images: readonly ImageDTO[],
  caps: CapsState | undefined,
): Verdict & { allowedIds: string[] } {
  if (!images.length) return { allowed: false, reason: { key: 'perm.selectSome' }, allowedIds: [] }
  const verdicts = images.map((im) => ({ im, v: canOnImage(action, im, caps) }))
  const ok = verdicts.filter((x) => x.v.allowed).map((x) => x.im.id)
  if (ok.length) return { allowed: true, allowedIds: ok }
  const first = verdicts[0]!.v
  return { allowed: false, reason: first.reason ?? { key: 'perm.capsUnknown' }, allowedIds: [] }
}

/** Require exactly one image, then the single-image rule. */
export function canOnOne(action: ImageAction, images: readonly ImageDTO[], caps: CapsState | undefined): Verdict {
  if (images.length !== 1) return { allowed: false, reason: { key: 'perm.selectOne' } }
  return canOnImage(action, images[0]!, caps)
}
