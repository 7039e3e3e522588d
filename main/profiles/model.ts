/**
 * The profile model: defaults, the profile schema (re-exported from the contract), and small
 * helpers shared by the store, the importers and the connector. Pure: no I/O.
 */
import { DEFAULT_PROFILE_COLOR, DEFAULT_PROPERTY_KEYS, defaultProfileInput, type ProfileInput } from '../../preload/api'
import { unreachable } from '../../preload/rules/profile-auth'

export { DEFAULT_PROPERTY_KEYS, defaultProfileInput }
export const DEFAULT_COLOR = DEFAULT_PROFILE_COLOR

// The schema (zProfileFields, zProfileInput, zPropertyKeyMap, profileProblems, isHttpUrl) lives in the contract,
// preload/contract/commands/profile-schema.ts, because the profiles command table names it.
export { isHttpUrl, profileProblemList, profileProblems, zProfileFields, zProfileInput, zPropertyKeyMap } from '../../preload/contract/commands/profile-schema'

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

/** The auth URL with a trailing slash removed and `/v3` appended when it names no identity version. */
export function normalizeAuthUrl(url: string): string {
  let u = url.trim().replace(/\/+$/, '')
  if (!/\/v(2\.0|3)$/.test(u)) u = `${u}/v3`
  return u
}

/** The identity a profile authenticates as: used to find duplicates (same cloud, same user, same project). */
export function identityKey(p: ProfileInput): string {
  let host = p.authUrl
  try {
    host = normalizeAuthUrl(new URL(p.authUrl).toString()).toLowerCase()
  } catch {
    /* keep as is */
  }
  let who: string
  let project: string
  const a = p.auth
  switch (a.type) {
    case 'applicationCredential':
      who = `ac:${a.appCredentialId || `${a.appCredentialName}/${a.userId || a.username}`}`
      project = ''
      break
    case 'password':
      who = `u:${a.userId || `${a.username}@${a.userDomainId || a.userDomainName}`}`
      project = a.projectId || `${a.projectName}@${a.projectDomainId || a.projectDomainName}`
      break
    default:
      return unreachable(a)
  }
  return `${host}|${who}|${project}`.toLowerCase()
}

/** The region to use: the one asked for, the profile's default, its first region, or `RegionOne`. */
export function pickRegion(p: ProfileInput, asked?: string): string {
  return asked || p.defaultRegion || p.regions[0] || 'RegionOne'
}

/** `name`, or `name (2)`, `name (3)` ... so that it is not in `taken` (case-insensitive). */
export function uniqueName(name: string, taken: Iterable<string>, suffix = ''): string {
  const set = new Set([...taken].map((n) => n.toLowerCase()))
  const base = `${name}${suffix}`.slice(0, 120)
  if (!set.has(base.toLowerCase())) return base
  for (let i = 2; ; i++) {
    const candidate = `${base} (${i})`
    if (!set.has(candidate.toLowerCase())) return candidate
  }
}
