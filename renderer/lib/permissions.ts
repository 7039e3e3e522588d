/**
 * What the user may do, and why not, in the UI's terms: the capabilities the main process discovered (never guessed
 * here) through the ONE shared rule (@contract/rules/permissions: presets, per-image narrowing, volume eligibility),
 * plus the renderer's own states (capabilities loading / failed, nothing or several selected). Pure: returns a
 * reason (an i18n key + params) the UI translates.
 *
 * | situation                          | reason key                                  |
 * |------------------------------------|---------------------------------------------|
 * | capabilities loading / failed      | perm.capsLoading / perm.capsUnknown         |
 * | the rule refuses with a code       | perm.cap.<code> (+ params: @status.x, ...)  |
 * | a refusal without a code           | its i18n key, else its text as is           |
 * | no / several images selected       | perm.selectSome / perm.selectOne            |
 */
import type { ActionName, Capabilities, ImageDTO, Permission, PermissionCode } from '@contract/api'
import { generalOf, imagePermission, volumeEligibility, type ImageAction } from '@contract/rules/permissions'
import type { Issue } from './imageForm'

export type { ImageAction }
export type CapsState = { state: 'loading' } | { state: 'failed' } | { state: 'ready'; caps: Capabilities }

export interface Verdict {
  allowed: boolean
  reason?: Issue
}

const OK: Verdict = { allowed: true }

/** Params whose values are themselves catalogue keys (`@status.active` is worded by issueText). */
const LOCALISED_PARAMS: Record<string, string> = { status: 'status', visibility: 'visibility' }

/** The capability's own reason: its code in the user's language, else an i18n key we know, else the text as is. */
function capReason(reason: string | undefined, code?: PermissionCode, params?: Record<string, string>): Issue {
  if (code) {
    const issue: Issue = { key: `perm.cap.${code}` }
    if (params) {
      const p: Record<string, string> = {}
      for (const [k, v] of Object.entries(params)) p[k] = LOCALISED_PARAMS[k] ? `@${LOCALISED_PARAMS[k]}.${v}` : v
      issue.params = p
    }
    return issue
  }
  if (!reason) return { key: 'perm.adminOnly' }
  if (/^[a-z]+\.[A-Za-z.]+$/.test(reason)) return { key: reason }
  return { key: '@raw', params: { text: reason } }
}

function verdict(p: Permission): Verdict {
  return p.allowed ? OK : { allowed: false, reason: capReason(p.reason, p.code, p.params) }
}

/** The general permission (no image): e.g. for "Create image". */
export function can(action: ActionName, caps: CapsState | undefined): Verdict {
  if (!caps || caps.state === 'loading') return { allowed: false, reason: { key: 'perm.capsLoading' } }
  if (caps.state === 'failed') return { allowed: false, reason: { key: 'perm.capsUnknown' } }
  const p = caps.caps.can[action]
  if (!p) return { allowed: false, reason: { key: 'perm.capsUnknown' } }
  return verdict(p)
}

/** Permission for an action on one image (the shared rule). */
export function canOnImage(action: ImageAction, im: ImageDTO, caps: CapsState | undefined): Verdict {
  const general = can(generalOf(action), caps)
  if (!general.allowed) return general
  return verdict(imagePermission(action, im, (caps as { caps: Capabilities }).caps))
}

/** Whether an image can become a volume at all (the shared rule; status and format). */
export function volumeEligible(im: Pick<ImageDTO, 'diskFormat' | 'fields'> & Partial<Pick<ImageDTO, 'status'>>): boolean {
  const p = volumeEligibility({ status: im.status ?? 'active', diskFormat: im.diskFormat, fields: im.fields })
  return p.allowed
}

/** Permission for a batch action: allowed when allowed for at least one selected image; `allowedIds` lists them. */
export function canOnSelection(action: ImageAction, images: readonly ImageDTO[], caps: CapsState | undefined): Verdict & { allowedIds: string[] } {
  if (!images.length) return { allowed: false, reason: { key: 'perm.selectSome' }, allowedIds: [] }
  const verdicts = images.map((im) => ({ im, v: canOnImage(action, im, caps) }))
  const ok = verdicts.filter((x) => x.v.allowed).map((x) => x.im.id)
  if (ok.length) return { allowed: true, allowedIds: ok }
  const first = verdicts[0]!.v
  return { allowed: false, reason: first.reason ?? { key: 'perm.capsUnknown' }, allowedIds: [] }
}

/** The images of a selection an action skips, grouped by reason (e.g. the protected ones of a batch delete). */
export function skippedOnSelection(action: ImageAction, images: readonly ImageDTO[], caps: CapsState | undefined): { reason: Issue; images: ImageDTO[] }[] {
  const groups = new Map<string, { reason: Issue; images: ImageDTO[] }>()
  for (const im of images) {
    const v = canOnImage(action, im, caps)
    if (v.allowed) continue
    const reason = v.reason ?? { key: 'perm.capsUnknown' }
    const k = JSON.stringify(reason)
    const g = groups.get(k) ?? { reason, images: [] }
    g.images.push(im)
    groups.set(k, g)
  }
  return [...groups.values()]
}

/** Require exactly one image, then the single-image rule. */
export function canOnOne(action: ImageAction, images: readonly ImageDTO[], caps: CapsState | undefined): Verdict {
  if (images.length !== 1) return { allowed: false, reason: { key: 'perm.selectOne' } }
  return canOnImage(action, images[0]!, caps)
}
