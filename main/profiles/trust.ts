/**
 * What a stored secret is bound to, and which profile changes widen where it (or the token it buys) may go. Pure.
 *
 *   change (before -> after)                         effect on a profile that holds a secret
 *   ----------------------------------------------   -------------------------------------------------------------
 *   auth URL origin (scheme, host, port)             identity changes: the secret is dropped / must be typed again
 *   user (id, or name + domain), auth type           identity changes: the secret is dropped / must be typed again
 *   application credential id (or name)              identity changes: the secret is dropped / must be typed again
 *   insecure false -> true                           `insecureTls` confirmation in the main process
 *   caFile set or changed                            `caFile` confirmation
 *   endpoint override added or changed               `endpointOverride` confirmation (the token goes there)
 *   http:// auth URL to a non-loopback host          `plainHttp` confirmation (also without a stored secret: the
 *                                                    secret typed next travels in clear)
 *   manual proxy (not on loopback) set or changed    `plainHttpProxy` confirmation (issue 14: the proxy reads the
 *     while the auth URL or an override is http://  secret and the token; through https:// it sees only CONNECT)
 *   anything else (name, regions, notes, project)    nothing
 *
 * The identity is compared exactly (user names are case-sensitive in Keystone); the origin through URL parsing, so
 * `https://KS:443/v3` and `https://ks/identity/v3` are one origin and `https://ks.evil` is another.
 */
import { createHash } from 'node:crypto'
import type { ProfileInput } from '../../preload/api'
import { unreachable, userKey, userRef } from '../../preload/rules/profile-auth'
import { manualProxyUrls, proxyOf } from '../../preload/rules/proxy'

function originOf(url: string): string {
  try {
    return new URL(url).origin.toLowerCase()
  } catch {
    return `invalid:${url}`
  }
}

/** The identity a secret is saved for: auth URL origin, auth type, user, application credential. */
export function secretIdentity(p: ProfileInput): string {
  const a = p.auth
  switch (a.type) {
    case 'password':
      return JSON.stringify([originOf(p.authUrl), a.type, userKey(userRef(a))])
    case 'applicationCredential':
      return JSON.stringify([originOf(p.authUrl), a.type, a.appCredentialId ? `id:${a.appCredentialId}` : `name:${a.appCredentialName}/${userKey(userRef(a))}`])
    default:
      return unreachable(a)
  }
}

/** A short non-reversible tag of the identity, kept next to the encrypted secret. */
export function identityTag(p: ProfileInput): string {
  return createHash('sha256').update(secretIdentity(p)).digest('base64url').slice(0, 22)
}

export function sameSecretIdentity(a: ProfileInput, b: ProfileInput): boolean {
  return secretIdentity(a) === secretIdentity(b)
}

/** Loopback hosts: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h)
}

/** Whether an auth URL sends credentials in clear to another machine. */
export function isPlainHttpRemote(url: string): boolean {
  try {
    const u = new URL(url)
    return u.protocol === 'http:' && !isLoopbackHost(u.hostname)
  } catch {
    return false
  }
}

export type TrustChangeKind = 'insecureTls' | 'caFile' | 'endpointOverride' | 'plainHttp' | 'plainHttpProxy'

export interface TrustChange {
  kind: TrustChangeKind
  /** What it is about: the override key and URL, the CA file, the auth URL. */
  subject: string
}

/** Issue 14: the origin of the manual proxy http:// requests go through, when it is on another computer ('' otherwise). */
function plainHttpProxy(p: ProfileInput): string {
  const x = proxyOf(p)
  const url = x.mode === 'manual' ? manualProxyUrls(x).http : undefined
  if (!url) return ''
  try {
    const u = new URL(url)
    return isLoopbackHost(u.hostname) ? '' : u.origin.toLowerCase()
  } catch {
    return ''
  }
}

function sendsPlainHttp(p: ProfileInput): boolean {
  return [p.authUrl, ...Object.values(p.endpointOverrides)].some((u) => /^http:/i.test(u.trim()))
}

/** Changes from `before` (null: a new profile) to `after` that need the user's confirmation (see the table). */
export function trustChanges(before: ProfileInput | null, after: ProfileInput): TrustChange[] {
  const out: TrustChange[] = []
  if (isPlainHttpRemote(after.authUrl) && !(before && isPlainHttpRemote(before.authUrl) && originOf(before.authUrl) === originOf(after.authUrl))) {
    out.push({ kind: 'plainHttp', subject: after.authUrl })
  }
  if (after.insecure && !before?.insecure) out.push({ kind: 'insecureTls', subject: after.authUrl })
  if (after.caFile && after.caFile !== (before?.caFile ?? '')) out.push({ kind: 'caFile', subject: after.caFile })
  for (const [key, url] of Object.entries(after.endpointOverrides)) {
    if (before?.endpointOverrides[key] !== url) out.push({ kind: 'endpointOverride', subject: `${key} = ${url}` })
  }
  const proxy = plainHttpProxy(after)
  if (proxy && sendsPlainHttp(after) && !(before && sendsPlainHttp(before) && plainHttpProxy(before) === proxy)) {
    out.push({ kind: 'plainHttpProxy', subject: proxy })
  }
  return out
}
