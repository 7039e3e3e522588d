/** The profile form: defaults, validation, and what to send. Pure. */
import { DEFAULT_PROPERTY_KEYS, defaultProfileInput, type ProfileDTO, type ProfileInput } from '@contract/api'
import { isHttpUrl, type Issue } from './imageForm'
import { unreachable } from '@contract/rules/profile-auth'
import { proxyProblems } from '@contract/rules/proxy'

export const PROFILE_COLORS = ['#3b82f6', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#64748b']

export { DEFAULT_PROPERTY_KEYS }

export function emptyProfile(): ProfileInput {
  return defaultProfileInput({ color: PROFILE_COLORS[0]! })
}

/** The one-line "who" of a profile in the list: user @ project, or the application credential. */
export function profileWho(p: ProfileInput): string {
  const type = p.authType
  switch (type) {
    case 'password':
      return `${p.username || p.userId} @ ${p.projectName || p.projectId}`
    case 'applicationCredential':
      return p.appCredentialName || p.appCredentialId
    default:
      return unreachable(type)
  }
}

/** What the secret field is called for this kind of credential (an i18n key). */
export function secretLabelKey(p: ProfileInput): 'profile.password' | 'profile.appCredSecret' {
  const type = p.authType
  switch (type) {
    case 'password':
      return 'profile.password'
    case 'applicationCredential':
      return 'profile.appCredSecret'
    default:
      return unreachable(type)
  }
}

/** A ProfileInput from a DTO (drops id, source, secretState, order). */
export function profileInputFrom(p: ProfileDTO | ProfileInput): ProfileInput {
  const out = emptyProfile() as unknown as Record<string, unknown>
  const skip = new Set(['id', 'source', 'secretState', 'order'])
  for (const [k, v] of Object.entries(p)) if (!skip.has(k) && v !== undefined) out[k] = structuredCloneSafe(v)
  const r = out as unknown as ProfileInput
  r.propertyKeys = { ...DEFAULT_PROPERTY_KEYS, ...r.propertyKeys }
  return r
}

function structuredCloneSafe<T>(v: T): T {
  if (Array.isArray(v)) return [...v] as T
  if (v && typeof v === 'object') return { ...v } as T
  return v
}

export interface ProfileFormCheck {
  errors: Record<string, Issue[]>
}

function add(errors: Record<string, Issue[]>, field: string, issue: Issue): void {
  ;(errors[field] ??= []).push(issue)
}

/**
 * Validate a profile. `otherNames` are the names of the other profiles (for uniqueness).
 * The secret is not part of the profile; `secretGiven`/`secretStored` only decide nothing here (a profile may exist without one).
 */
export function validateProfile(p: ProfileInput, otherNames: readonly string[]): ProfileFormCheck {
  const errors: Record<string, Issue[]> = {}
  const name = p.name.trim()
  if (!name) add(errors, 'name', { key: 'valid.required', params: { field: '@profile.name' } })
  else if (name.length > 100) add(errors, 'name', { key: 'valid.tooLong', params: { field: '@profile.name', max: 100 } })
  else if (otherNames.some((n) => n.trim().toLowerCase() === name.toLowerCase())) add(errors, 'name', { key: 'valid.notUnique', params: { name } })
  if (p.color && !/^#[0-9a-fA-F]{6}$/.test(p.color)) add(errors, 'color', { key: 'valid.badColor' })
  if (!p.authUrl.trim()) add(errors, 'authUrl', { key: 'valid.required', params: { field: '@profile.authUrl' } })
  else if (!isHttpUrl(p.authUrl)) add(errors, 'authUrl', { key: 'valid.badUrl' })
  const type = p.authType
  switch (type) {
    case 'password':
      if (!p.username.trim() && !p.userId.trim()) add(errors, 'username', { key: 'valid.needUser' })
      if (!p.projectName.trim() && !p.projectId.trim()) add(errors, 'projectName', { key: 'valid.needProject' })
      break
    case 'applicationCredential':
      if (!p.appCredentialId.trim() && !(p.appCredentialName.trim() && (p.username.trim() || p.userId.trim()))) {
        add(errors, 'appCredentialId', { key: 'valid.needAppCred' })
      }
      break
    default:
      unreachable(type)
  }
  if (p.regions.length && p.defaultRegion && !p.regions.includes(p.defaultRegion)) add(errors, 'defaultRegion', { key: 'valid.defaultRegion' })
  for (const [k, v] of Object.entries(p.endpointOverrides)) {
    if (!k.trim() || !isHttpUrl(v)) add(errors, 'endpointOverrides', { key: 'valid.badOverride', params: { key: k || '?' } })
  }
  for (const v of Object.values(p.propertyKeys)) {
    if (!v.trim() || v.startsWith('os_glance')) {
      add(errors, 'propertyKeys', { key: 'valid.badKey' })
      break
    }
  }
  validateProxy(p, errors)
  return { errors }
}

/** Issue 14: the proxy fields (`proxy.httpProxy`, `proxy.httpsProxy`, `proxy.noProxy`), checked in manual mode only. */
function validateProxy(p: ProfileInput, errors: Record<string, Issue[]>): void {
  if (p.proxy?.mode !== 'manual') return
  for (const x of proxyProblems(p.proxy)) add(errors, `proxy.${x.field}`, { key: `valid.${x.reason}`, ...(x.params ? { params: x.params } : {}) })
}

/** Issue 14: the URLs and list trimmed, and dropped unless the mode is manual (they would not be used). */
function normalizeProxy(p: ProfileInput): void {
  const x = p.proxy
  if (!x) return
  if (x.mode !== 'manual') {
    p.proxy = { mode: x.mode }
    return
  }
  const out: NonNullable<ProfileInput['proxy']> = { mode: 'manual' }
  for (const k of ['httpProxy', 'httpsProxy', 'noProxy'] as const) {
    const v = x[k]?.trim()
    if (v) out[k] = v
  }
  p.proxy = out
}

/** Trim strings, drop empty override rows, default region = first region when unset. */
export function normalizeProfile(p: ProfileInput): ProfileInput {
  const out = profileInputFrom(p)
  for (const k of Object.keys(out) as (keyof ProfileInput)[]) {
    const v = out[k]
    if (typeof v === 'string' && k !== 'notes') (out as unknown as Record<string, unknown>)[k] = v.trim()
  }
  out.regions = [...new Set(out.regions.map((r) => r.trim()).filter(Boolean))]
  if (!out.defaultRegion && out.regions.length) out.defaultRegion = out.regions[0]!
  const ov: Record<string, string> = {}
  for (const [k, v] of Object.entries(out.endpointOverrides)) if (k.trim() && v.trim()) ov[k.trim()] = v.trim()
  out.endpointOverrides = ov
  normalizeProxy(out)
  return out
}

/** Group profiles for the list: by group name (ungrouped last), each in `order`. */
export function groupProfiles(profiles: readonly ProfileDTO[]): { group: string; profiles: ProfileDTO[] }[] {
  const map = new Map<string, ProfileDTO[]>()
  for (const p of [...profiles].sort((a, b) => a.order - b.order)) {
    const g = p.group.trim()
    const list = map.get(g) ?? []
    list.push(p)
    map.set(g, list)
  }
  return [...map.entries()].sort((a, b) => (a[0] === '' ? 1 : b[0] === '' ? -1 : a[0].localeCompare(b[0]))).map(([group, list]) => ({ group, profiles: list }))
}

/** Move an id up/down in an ordered id list (clamped). */
export function moveId(ids: readonly string[], id: string, delta: -1 | 1): string[] {
  const out = [...ids]
  const i = out.indexOf(id)
  const j = i + delta
  if (i < 0 || j < 0 || j >= out.length) return out
  ;[out[i], out[j]] = [out[j]!, out[i]!]
  return out
}

/** A name not in `taken`: "x", "x (2)", "x (3)"... */
export function uniqueName(name: string, taken: readonly string[]): string {
  const set = new Set(taken.map((n) => n.toLowerCase()))
  if (!set.has(name.toLowerCase())) return name
  for (let i = 2; ; i++) {
    const c = `${name} (${i})`
    if (!set.has(c.toLowerCase())) return c
  }
}
