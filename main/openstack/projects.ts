/**
 * Projects for sharing: a name or an id typed by the user becomes a Keystone project id, and member ids get names.
 * Glance takes any string as a member (sharing with "demo" added a member that is no project), so the id is
 * resolved or checked first. What Keystone lets the caller see decides how:
 *   | caller may                                 | name typed                      | id typed                              |
 *   |--------------------------------------------|---------------------------------|---------------------------------------|
 *   | list projects (GET /v3/projects: admin)    | ?name= -> its id; none:         | GET /v3/projects/{id}; 404: NOT_FOUND  |
 *   |                                            |   NOT_FOUND projectNotFound;    |   projectNotFound                      |
 *   |                                            |   several domains: VALIDATION   |                                        |
 *   |                                            |   projectAmbiguous              |                                        |
 *   | not list (member): own projects only       | one of its own projects -> id;  | an id's shape (hex/uuid) is checked:   |
 *   |   (GET /v3/auth/projects)                  |   else VALIDATION               |   else VALIDATION projectNameNeedsId;  |
 *   |                                            |   projectNameNeedsId            |   the name is shown when it is known   |
 * Names of members: all projects when listable, else the caller's own projects; unknown ids stay ids.
 */
import { AppError } from '../../preload/api'
import type { Session } from './session'

export interface ProjectRef {
  id: string
  name?: string
  domainId?: string
}

/** A Keystone project id: 32 hex digits, or a UUID with dashes (pure). */
export function looksLikeProjectId(s: string): boolean {
  return /^[0-9a-f]{32}$/i.test(s) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)
}

interface RawProject {
  id: string
  name?: string
  domain_id?: string
}

function ref(p: RawProject): ProjectRef {
  const out: ProjectRef = { id: p.id }
  if (p.name) out.name = p.name
  if (p.domain_id) out.domainId = p.domain_id
  return out
}

export class ProjectDirectory {
  /** Whether GET /v3/projects is allowed (unknown until tried). */
  private listable: boolean | undefined

  constructor(private readonly session: Session) {}

  private async get<T>(path: string): Promise<T> {
    return (await this.session.request<T>({ method: 'GET', url: `${this.session.identityUrl}${path}` })).body
  }

  /** Every project the caller may see: all of them (admin), or its own. `complete` says which. */
  async visible(): Promise<{ projects: ProjectRef[]; complete: boolean }> {
    if (this.listable !== false) {
      try {
        const b = await this.get<{ projects?: RawProject[] }>('/projects')
        this.listable = true
        return { projects: (b.projects ?? []).map(ref), complete: true }
      } catch (e) {
        if (!AppError.is(e, 'FORBIDDEN')) throw e
        this.listable = false
      }
    }
    return { projects: await this.own(), complete: false }
  }

  /** The caller's own projects (any user may list them). */
  async own(): Promise<ProjectRef[]> {
    const b = await this.get<{ projects?: RawProject[] }>('/auth/projects').catch(() => ({ projects: [] as RawProject[] }))
    const mine = (b.projects ?? []).map(ref)
    const current = this.session.project
    if (current?.id && !mine.some((p) => p.id === current.id)) mine.push({ id: current.id, name: current.name })
    return mine
  }

  /** Member id -> project name, for the ids this caller can name. */
  async names(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    if (!ids.length) return out
    const { projects } = await this.visible().catch(() => ({ projects: [] as ProjectRef[] }))
    for (const p of projects) if (p.name && ids.includes(p.id)) out.set(p.id, p.name)
    return out
  }

  /** A project name or id -> the project (see the table). */
  async resolve(input: string): Promise<ProjectRef> {
    const q = input.trim()
    if (!q) throw new AppError({ code: 'VALIDATION', message: 'Enter a project name or id.', details: { reason: 'projectEmpty', params: {} } })
    if (this.listable !== false) {
      try {
        const byName = await this.get<{ projects?: RawProject[] }>(`/projects?name=${encodeURIComponent(q)}`)
        this.listable = true
        const found = byName.projects ?? []
        if (found.length === 1) return ref(found[0]!)
        if (found.length > 1) {
          throw new AppError({
            code: 'VALIDATION',
            message: `Several projects are called "${q}" (in different domains): enter the project id.`,
            details: { reason: 'projectAmbiguous', params: { project: q, count: found.length } },
          })
        }
        try {
          return ref((await this.get<{ project: RawProject }>(`/projects/${encodeURIComponent(q)}`)).project)
        } catch (e) {
          if (AppError.is(e, 'NOT_FOUND')) throw notFound(q)
          throw e
        }
      } catch (e) {
        if (!AppError.is(e, 'FORBIDDEN')) throw e
        this.listable = false
      }
    }
    const mine = await this.own()
    const own = mine.find((p) => p.id === q || p.name === q)
    if (own) return own
    if (looksLikeProjectId(q)) return { id: q }
    throw new AppError({
      code: 'VALIDATION',
      message: `You may not look up projects by name here: enter the id of project "${q}" (32 hexadecimal digits; its owner can tell you).`,
      details: { reason: 'projectNameNeedsId', params: { project: q } },
    })
  }
}

function notFound(q: string): AppError {
  return new AppError({
    code: 'NOT_FOUND',
    message: `No project "${q}" in Keystone (neither a name nor an id).`,
    details: { reason: 'projectNotFound', params: { project: q } },
  })
}
