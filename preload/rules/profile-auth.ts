/**
 * A profile's credentials as a discriminated union (issue 11.5), for main and renderer alike. Pure.
 *
 * ProfileInput keeps its flat, stored fields (settings.json, clouds.yaml import/export and the edit form read them
 * as they are); every place that DECIDES something by the kind of credential goes through `profileAuth(p)` and a
 * `switch (auth.type)` that ends in `unreachable(auth)`. Adding a third AuthType therefore fails the typecheck
 * first here (the switch below), then, once ProfileAuth gains its variant, in every such switch: nothing silently
 * treats a new kind as a password.
 *
 *   authType                 variant                                     a user   a project scope
 *   -----------------------  ------------------------------------------  -------  -------------------------------
 *   password                 { type: 'password', user, project }         yes      project id, or name + domain
 *   applicationCredential    { type: 'applicationCredential', credential } by name  none (the credential's own)
 */
import type { ProfileInput } from '../api'

/** A user: by id, or by name in a domain (id or name; Keystone's default domain when neither). */
export type UserRef = { id: string } | { name: string; domainId?: string; domainName: string }
/** A project scope: by id, or by name in a domain. */
export type ProjectRef = { id: string } | { name: string; domainId?: string; domainName: string }

export type ProfileAuth =
  | { type: 'password'; user: UserRef | null; project: ProjectRef | null }
  | { type: 'applicationCredential'; credential: { id: string } | { name: string; user: UserRef | null } }

export type ProfileAuthType = ProfileAuth['type']

/** For the `default:` of an exhaustive switch: a value of type never. */
export function unreachable(x: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(x)}`)
}

function userOf(p: ProfileInput): UserRef | null {
  if (p.userId) return { id: p.userId }
  if (!p.username) return null
  return { name: p.username, domainName: p.userDomainName || 'Default', ...(p.userDomainId ? { domainId: p.userDomainId } : {}) }
}

function projectOf(p: ProfileInput): ProjectRef | null {
  if (p.projectId) return { id: p.projectId }
  if (!p.projectName) return null
  return { name: p.projectName, domainName: p.projectDomainName || 'Default', ...(p.projectDomainId ? { domainId: p.projectDomainId } : {}) }
}

/** The credentials of a profile, by kind. */
export function profileAuth(p: ProfileInput): ProfileAuth {
  const type = p.authType
  switch (type) {
    case 'password':
      return { type, user: userOf(p), project: projectOf(p) }
    case 'applicationCredential':
      return { type, credential: p.appCredentialId ? { id: p.appCredentialId } : { name: p.appCredentialName, user: userOf(p) } }
    default:
      return unreachable(type)
  }
}

/** A stable text for a user reference (identity comparisons, duplicate detection). */
export function userKey(u: UserRef | null): string {
  if (!u) return ''
  return 'id' in u ? `id:${u.id}` : `name:${u.name}@${u.domainId ? `id:${u.domainId}` : `name:${u.domainName}`}`
}

/** A stable text for a project reference. */
export function projectKey(pr: ProjectRef | null): string {
  if (!pr) return ''
  return 'id' in pr ? `id:${pr.id}` : `name:${pr.name}@${pr.domainId ? `id:${pr.domainId}` : `name:${pr.domainName}`}`
}
