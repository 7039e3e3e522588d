/**
 * Deciding by the kind of a profile's credentials (issue 11.5), for main and renderer alike. Pure.
 *
 * `ProfileInput.auth` is a discriminated union (preload/contract/profiles.ts: password | application credential),
 * stored as it is. Every place that DECIDES something by the kind switches on `auth.type` and ends in
 * `unreachable(auth)`, so a third member of the union fails the typecheck in each such switch: nothing silently
 * treats a new kind as a password (test/main/profiles/auth-kinds.test.ts widens the union and checks the list).
 *
 *   auth.type                a user                          a project scope
 *   -----------------------  ------------------------------  -------------------------------------
 *   password                 id, or name + domain            project id, or name + domain
 *   applicationCredential    by name only (id: none needed)  none (the credential's own)
 */
import type { ProfileAuth } from '../api'

/** A user: by id, or by name in a domain (id or name; Keystone's default domain when neither). */
export type UserRef = { id: string } | { name: string; domainId?: string; domainName: string }

/** For the `default:` of an exhaustive switch: a value of type never. */
export function unreachable(x: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(x)}`)
}

/** The user of either kind of credentials: by id, by name in a domain, or null when neither is set. */
export function userRef(a: ProfileAuth): UserRef | null {
  if (a.userId) return { id: a.userId }
  if (!a.username) return null
  return { name: a.username, domainName: a.userDomainName || 'Default', ...(a.userDomainId ? { domainId: a.userDomainId } : {}) }
}

/** A stable text for a user reference (identity comparisons, duplicate detection). */
export function userKey(u: UserRef | null): string {
  if (!u) return ''
  return 'id' in u ? `id:${u.id}` : `name:${u.name}@${u.domainId ? `id:${u.domainId}` : `name:${u.domainName}`}`
}
