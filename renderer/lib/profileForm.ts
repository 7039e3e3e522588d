/**
 * The profile form: defaults, validation, and what to send. Pure.
 *
 * The dialog edits a FLAT state (`ProfileForm`: one field per input, so a user name typed survives switching the kind
 * of credentials back and forth); it becomes a ProfileInput (credentials as the `auth` union) in `profileFromForm`
 * and comes from one in `formFromProfile`, the only two places that know both shapes.
 */
import {
  appCredentialAuth,
  DEFAULT_PROPERTY_KEYS,
  defaultProfileInput,
  passwordAuth,
  type AuthType,
  type ProfileAuth,
  type ProfileDTO,
  type ProfileInput,
} from '@contract/api'
import { isHttpUrl, type Issue } from './imageForm'
import { unreachable } from '@contract/rules/profile-auth'
import { proxyProblems } from '@contract/rules/proxy'

export const PROFILE_COLORS = ['#3b82f6', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#64748b']

export { DEFAULT_PROPERTY_KEYS }

/** The kinds of credentials the dialog offers, in order: label key and test id of each radio. */
export const AUTH_KINDS: { [K in AuthType]: { labelKey: 'profile.authPassword' | 'profile.authAppCred'; testId: string } } = {
  password: { labelKey: 'profile.authPassword', testId: 'profile-auth-password' },
  applicationCredential: { labelKey: 'profile.authAppCred', testId: 'profile-auth-appcred' },
}

/** Every credential field of every kind, flat (the form's inputs). */
export interface FlatAuth {
  authType: AuthType
  username: string
  userId: string
  userDomainName: string
  userDomainId?: string
  projectName: string
  projectId: string
  projectDomainName: string
  projectDomainId?: string
  appCredentialId: string
  appCredentialName: string
}

/** The dialog's state: a profile with its credentials flat. */
export type ProfileForm = Omit<ProfileInput, 'auth'> & FlatAuth

export function emptyProfile(): ProfileInput {
  return defaultProfileInput({ color: PROFILE_COLORS[0]! })
}

/** The form's state for a profile (a DTO's own fields dropped); the other kind's fields at their defaults. */
export function formFromProfile(p: ProfileDTO | ProfileInput): ProfileForm {
  const { auth, ...rest } = profileInputFrom(p)
  const { type: _p, ...pw } = passwordAuth()
  const { type: _a, ...ac } = appCredentialAuth()
  void [_p, _a]
  const base = { ...rest, ...pw, ...ac }
  switch (auth.type) {
    case 'password': {
      const { type, ...fields } = auth
      return { ...base, ...fields, authType: type }
    }
    case 'applicationCredential': {
      const { type, ...fields } = auth
      return { ...base, ...fields, authType: type }
    }
    default:
      return unreachable(auth)
  }
}

/** The ProfileInput the form describes: the credentials of the chosen kind only. */
export function profileFromForm(f: ProfileForm): ProfileInput {
  const {
    authType,
    username,
    userId,
    userDomainName,
    userDomainId,
    projectName,
    projectId,
    projectDomainName,
    projectDomainId,
    appCredentialId,
    appCredentialName,
    ...rest
  } = f
  const user = { username, userId, userDomainName, ...(userDomainId !== undefined ? { userDomainId } : {}) }
  let auth: ProfileAuth
  switch (authType) {
    case 'password':
      auth = passwordAuth({ ...user, projectName, projectId, projectDomainName, ...(projectDomainId !== undefined ? { projectDomainId } : {}) })
      break
    case 'applicationCredential':
      auth = appCredentialAuth({ ...user, appCredentialId, appCredentialName })
      break
    default:
      return unreachable(authType)
  }
  return { ...rest, auth }
}

/** The one-line "who" of a profile in the list: user @ project, or the application credential. */
export function profileWho(p: ProfileInput): string {
  const a = p.auth
  switch (a.type) {
    case 'password':
      return `${a.username || a.userId} @ ${a.projectName || a.projectId}`
    case 'applicationCredential':
      return a.appCredentialName || a.appCredentialId
    default:
      return unreachable(a)
  }
}

/** The project a profile names (an application credential names none: it carries its own). */
export function profileProject(p: ProfileInput): string {
  const a = p.auth
  switch (a.type) {
    case 'password':
      return a.projectName || a.projectId
    case 'applicationCredential':
      return ''
    default:
      return unreachable(a)
  }
}

/** What the secret field is called for this kind of credential (an i18n key). */
export function secretLabelKey(p: ProfileInput): 'profile.password' | 'profile.appCredSecret' {
  const a = p.auth
  switch (a.type) {
    case 'password':
      return 'profile.password'
    case 'applicationCredential':
      return 'profile.appCredSecret'
    default:
      return unreachable(a)
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
  const a = p.auth
  switch (a.type) {
    case 'password':
      if (!a.username.trim() && !a.userId.trim()) add(errors, 'username', { key: 'valid.needUser' })
      if (!a.projectName.trim() && !a.projectId.trim()) add(errors, 'projectName', { key: 'valid.needProject' })
      break
    case 'applicationCredential':
      if (!a.appCredentialId.trim() && !(a.appCredentialName.trim() && (a.username.trim() || a.userId.trim()))) {
        add(errors, 'appCredentialId', { key: 'valid.needAppCred' })
      }
      break
    default:
      unreachable(a)
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
  const auth = out.auth as unknown as Record<string, unknown>
  for (const [k, v] of Object.entries(auth)) if (typeof v === 'string') auth[k] = v.trim()
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
