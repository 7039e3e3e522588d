/**
 * The profile schema: the zod schema every profile passes (IPC input, stored documents, imports) and the cross-field
 * rules. Pure: zod and the contract's types. Moved here from main/profiles/model.ts (which re-exports it) so that the
 * profiles command table (preload/contract/commands/profiles.ts) can name it.
 */
import { z } from 'zod'
import {
  POLICY_PRESETS,
  PROXY_MODES,
  type AppCredentialProfileAuth,
  type PasswordProfileAuth,
  type ProfileAuth,
  type ProfileInput,
  type ProfileProxy,
} from '../../api'
import { unreachable } from '../../rules/profile-auth'
import { MAX_NO_PROXY, MAX_PROXY_URL, proxyProblems } from '../../rules/proxy'

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

/** Issue 14: a profile's proxy (preload/rules/proxy.ts: http(s):// only, no user:password, a no-proxy list). */
export const zProfileProxy = z
  .strictObject({
    mode: z.enum(PROXY_MODES),
    httpProxy: clean(MAX_PROXY_URL).optional(),
    httpsProxy: clean(MAX_PROXY_URL).optional(),
    noProxy: clean(MAX_NO_PROXY).optional(),
  })
  .superRefine((p, ctx) => {
    for (const x of proxyProblems(p)) ctx.addIssue({ code: 'custom', path: [x.field], message: x.message })
  }) satisfies z.ZodType<ProfileProxy>

export const zPasswordAuth = z.strictObject({
  type: z.literal('password'),
  username: clean(),
  userId: clean(),
  userDomainName: clean(),
  userDomainId: clean().optional(),
  projectName: clean(),
  projectId: clean(),
  projectDomainName: clean(),
  projectDomainId: clean().optional(),
}) satisfies z.ZodType<PasswordProfileAuth>

export const zAppCredentialAuth = z.strictObject({
  type: z.literal('applicationCredential'),
  appCredentialId: clean(),
  appCredentialName: clean(),
  username: clean(),
  userId: clean(),
  userDomainName: clean(),
  userDomainId: clean().optional(),
}) satisfies z.ZodType<AppCredentialProfileAuth>

/** One schema per kind, keyed by kind: a kind of ProfileAuth without its schema here fails the typecheck. */
const AUTH_SCHEMAS = {
  password: zPasswordAuth,
  applicationCredential: zAppCredentialAuth,
} satisfies { [K in ProfileAuth['type']]: z.ZodType<Extract<ProfileAuth, { type: K }>> }

export const zProfileAuth = z.discriminatedUnion('type', [AUTH_SCHEMAS.password, AUTH_SCHEMAS.applicationCredential]) satisfies z.ZodType<ProfileAuth>

/** The fields, without the cross-field rules (used to build the stored-document schema as well). */
export const zProfileFields = z.strictObject({
  name: clean(128).trim().min(1, 'a name is required'),
  color: z.string().regex(/^(#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}))?$/, 'must be a colour like #409eff'),
  group: clean(64),
  authUrl: zHttpUrl,
  auth: zProfileAuth,
  regions: z
    .array(zRegion)
    .max(64)
    .refine((r) => new Set(r).size === r.length, 'regions must not repeat'),
  defaultRegion: clean(),
  interface: z.enum(['public', 'internal', 'admin']),
  caFile: clean(4096),
  insecure: z.boolean(),
  endpointOverrides: z
    .record(
      z
        .string()
        .min(1)
        .max(300)
        .regex(/^([^/\s]+\/)?[a-z0-9-]+$/, 'must be a service type or REGION/type'),
      zHttpUrl,
    )
    .refine((r) => Object.keys(r).length <= 32, 'at most 32 endpoint overrides'),
  propertyKeys: zPropertyKeyMap,
  readOnly: z.boolean(),
  notes: z.string().max(4000),
  // C2: the policy the UI assumes (issue 14.6); absent = glanceDefault
  policyPreset: z.enum(POLICY_PRESETS).optional(),
  proxy: zProfileProxy.optional(), // issue 14: absent = system
}) satisfies z.ZodType<ProfileInput>

/** Cross-field rules: what a profile needs before it can authenticate. Returns human messages. */
/** B3: a problem of a profile as a reason (errorReason.PROFILE_IMPORT.<reason>) with its English sentence (logs, CLI, zod). */
export interface ProfileProblem {
  reason: 'needUser' | 'needProject' | 'needAppCredential' | 'defaultRegionNotListed'
  params?: Record<string, string>
  message: string
}

export function profileProblemList(p: ProfileInput): ProfileProblem[] {
  const out: ProfileProblem[] = []
  const a = p.auth
  switch (a.type) {
    case 'password':
      if (!a.username && !a.userId) out.push({ reason: 'needUser', message: 'A user name or user id is required for password authentication.' })
      if (!a.projectName && !a.projectId) out.push({ reason: 'needProject', message: 'A project name or project id is required for password authentication.' })
      break
    case 'applicationCredential':
      if (!a.appCredentialId && !(a.appCredentialName && (a.username || a.userId))) {
        out.push({ reason: 'needAppCredential', message: 'An application credential id (or its name and the user) is required.' })
      }
      break
    default:
      unreachable(a)
  }
  if (p.regions.length > 0 && p.defaultRegion && !p.regions.includes(p.defaultRegion)) {
    out.push({
      reason: 'defaultRegionNotListed',
      params: { region: p.defaultRegion },
      message: `The default region ${p.defaultRegion} is not one of the profile's regions.`,
    })
  }
  return out
}

export function profileProblems(p: ProfileInput): string[] {
  return profileProblemList(p).map((x) => x.message)
}

export const zProfileInput = zProfileFields.superRefine((p, ctx) => {
  for (const message of profileProblems(p)) ctx.addIssue({ code: 'custom', message })
})
