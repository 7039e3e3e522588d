/**
 * The profile model: defaults, the zod schema every profile passes (IPC input, stored documents, imports), and small
 * helpers shared by the store, the importers and the connector. Pure: no I/O.
 */
import { z } from 'zod'
import { DEFAULT_PROFILE_COLOR, DEFAULT_PROPERTY_KEYS, defaultProfileInput, type ProfileInput } from '../../preload/api'

export { DEFAULT_PROPERTY_KEYS, defaultProfileInput }
export const DEFAULT_COLOR = DEFAULT_PROFILE_COLOR


// ---------------------------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------------------------

const SHORT = 255
const str = (max = SHORT): z.ZodString => z.string().max(max)
/** No control characters (they would end up in HTTP headers, YAML and logs). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const clean = (max = SHORT): z.ZodString => str(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== ''
  } catch {
    return false
  }
}

const zHttpUrl = clean(2048).refine(isHttpUrl, 'must be an http:// or https:// URL')
const zRegion = clean().min(1)
/** A Glance property key: what Glance accepts as a custom property name. */
const zPropertyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_:.-]+$/, 'must be a property key (letters, digits, _ : . -)')
  .refine((k) => !k.startsWith('os_glance'), 'keys starting with os_glance are reserved')

export const zPropertyKeyMap = z.strictObject({
  virtualization: zPropertyKey,
  onlineResize: zPropertyKey,
  encryptedPassword: zPropertyKey,
})

/** The fields, without the cross-field rules (used to build the stored-document schema as well). */
export const zProfileFields = z.strictObject({
  name: clean(128).trim().min(1, 'a name is required'),
  color: z.string().regex(/^(#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}))?$/, 'must be a colour like #409eff'),
  group: clean(64),
  authUrl: zHttpUrl,
  authType: z.enum(['password', 'applicationCredential']),
  username: clean(),
  userId: clean(),
  userDomainName: clean(),
  projectName: clean(),
  projectId: clean(),
  projectDomainName: clean(),
  userDomainId: clean().optional(),
  projectDomainId: clean().optional(),
  appCredentialId: clean(),
  appCredentialName: clean(),
  regions: z
    .array(zRegion)
    .max(64)
    .refine((r) => new Set(r).size === r.length, 'regions must not repeat'),
  defaultRegion: clean(),
  interface: z.enum(['public', 'internal', 'admin']),
  caFile: clean(4096),
  insecure: z.boolean(),
  endpointOverrides: z
    .record(z.string().min(1).max(300).regex(/^([^/\s]+\/)?[a-z0-9-]+$/, 'must be a service type or REGION/type'), zHttpUrl)
    .refine((r) => Object.keys(r).length <= 32, 'at most 32 endpoint overrides'),
  propertyKeys: zPropertyKeyMap,
  readOnly: z.boolean(),
  notes: z.string().max(4000),
})

/** Cross-field rules: what a profile needs before it can authenticate. Returns human messages. */
export function profileProblems(p: ProfileInput): string[] {
  const out: string[] = []
  if (p.authType === 'password') {
    if (!p.username && !p.userId) out.push('A user name or user id is required for password authentication.')
    if (!p.projectName && !p.projectId) out.push('A project name or project id is required for password authentication.')
  } else if (!p.appCredentialId && !(p.appCredentialName && (p.username || p.userId))) {
    out.push('An application credential id (or its name and the user) is required.')
  }
  if (p.regions.length > 0 && p.defaultRegion && !p.regions.includes(p.defaultRegion)) {
    out.push(`The default region ${p.defaultRegion} is not one of the profile's regions.`)
  }
  return out
}

export const zProfileInput = zProfileFields.superRefine((p, ctx) => {
  for (const message of profileProblems(p as ProfileInput)) ctx.addIssue({ code: 'custom', message })
})

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
  const who =
    p.authType === 'applicationCredential'
      ? `ac:${p.appCredentialId || `${p.appCredentialName}/${p.userId || p.username}`}`
      : `u:${p.userId || `${p.username}@${p.userDomainId || p.userDomainName}`}`
  const project = p.authType === 'applicationCredential' ? '' : p.projectId || `${p.projectName}@${p.projectDomainId || p.projectDomainName}`
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
