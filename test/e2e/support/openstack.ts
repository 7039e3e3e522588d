/**
 * Direct calls to the test cloud's Keystone, Glance and Cinder with fetch, independent of the app's own clients: the
 * e2e suites use them to make fixtures, to clean up, and to check what the server really holds after a UI action.
 */
import { randomBytes } from 'node:crypto'
import type { CloudCreds } from '../../support/cloud'

export interface OsSession {
  token: string
  projectId: string
  userId: string
  roles: string[]
  /** service type -> region -> public URL */
  endpoints: Record<string, Record<string, string>>
  expiresAt: number
}

interface CatalogEntry {
  type: string
  endpoints: { region: string; interface: string; url: string }[]
}

/** A unique, recognisable name for a fixture (`e2e-<what>-<random>`). */
export function unique(what: string): string {
  return `e2e-${what}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
}

const sessions = new Map<string, OsSession>()

/** A project-scoped token for the cloud's user (cached until shortly before it expires). */
export async function osSession(cloud: CloudCreds): Promise<OsSession> {
  const key = `${cloud.authUrl}|${cloud.username}|${cloud.projectName}`
  const cached = sessions.get(key)
  if (cached && cached.expiresAt - Date.now() > 120_000) return cached
  const r = await fetch(`${cloud.authUrl.replace(/\/$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: cloud.username, domain: { name: cloud.userDomainName }, password: cloud.password } },
        },
        scope: { project: { name: cloud.projectName, domain: { name: cloud.projectDomainName } } },
      },
    }),
  })
  if (r.status !== 201) throw new Error(`keystone: HTTP ${r.status} ${await r.text()}`)
  const body = (await r.json()) as {
    token: { project: { id: string }; user: { id: string }; roles: { name: string }[]; catalog: CatalogEntry[]; expires_at: string }
  }
  const endpoints: OsSession['endpoints'] = {}
  for (const e of body.token.catalog) {
    for (const ep of e.endpoints) {
      if (ep.interface !== cloud.interface) continue
      ;(endpoints[e.type] ??= {})[ep.region] = ep.url.replace(/\/$/, '')
    }
  }
  const s: OsSession = {
    token: r.headers.get('x-subject-token')!,
    projectId: body.token.project.id,
    userId: body.token.user.id,
    roles: body.token.roles.map((x) => x.name),
    endpoints,
    expiresAt: Date.parse(body.token.expires_at),
  }
  sessions.set(key, s)
  return s
}

export interface RawImage {
  id: string
  name: string
  status: string
  visibility: string
  protected: boolean
  owner: string
  disk_format: string | null
  container_format: string | null
  size: number | null
  virtual_size: number | null
  checksum: string | null
  min_disk: number
  min_ram: number
  tags: string[]
  [property: string]: unknown
}

export interface HttpResult<T = unknown> {
  status: number
  body: T
  text: string
}

/** A thin Glance v2 client for one user and region. */
export class Glance {
  constructor(
    readonly cloud: CloudCreds,
    readonly region = 'RegionOne',
  ) {}

  async base(): Promise<string> {
    const s = await osSession(this.cloud)
    const url = s.endpoints.image?.[this.region]
    if (!url) throw new Error(`no image endpoint in ${this.region}`)
    return url
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const s = await osSession(this.cloud)
    const init: RequestInit = { method, headers: { 'x-auth-token': s.token, accept: 'application/json', ...headers } }
    if (body !== undefined) {
      if (body instanceof Uint8Array) init.body = body
      else {
        init.body = JSON.stringify(body)
        if (!headers['content-type']) (init.headers as Record<string, string>)['content-type'] = 'application/json'
      }
    }
    const r = await fetch(`${await this.base()}${path}`, init)
    const text = r.headers.get('content-type')?.includes('octet-stream') ? '' : await r.text()
    let parsed: unknown = undefined
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    return { status: r.status, body: parsed as T, text }
  }

  async create(attrs: Record<string, unknown>): Promise<RawImage> {
    const r = await this.request<RawImage>('POST', '/v2/images', { container_format: 'bare', disk_format: 'raw', ...attrs })
    if (r.status !== 201) throw new Error(`glance create: HTTP ${r.status} ${r.text}`)
    return r.body
  }

  async upload(id: string, data: Uint8Array): Promise<void> {
    const r = await this.request('PUT', `/v2/images/${id}/file`, data, { 'content-type': 'application/octet-stream' })
    if (r.status !== 204) throw new Error(`glance upload: HTTP ${r.status} ${r.text}`)
  }

  /** Create an image with bytes and wait until it is active. */
  async createActive(attrs: Record<string, unknown>, data: Uint8Array): Promise<RawImage> {
    const im = await this.create(attrs)
    await this.upload(im.id, data)
    return this.waitFor(im.id, (x) => x.status === 'active', 30_000)
  }

  async get(id: string): Promise<RawImage | null> {
    const r = await this.request<RawImage>('GET', `/v2/images/${id}`)
    if (r.status === 404) return null
    if (r.status !== 200) throw new Error(`glance get: HTTP ${r.status} ${r.text}`)
    return r.body
  }

  async waitFor(id: string, ok: (im: RawImage) => boolean, timeoutMs = 60_000): Promise<RawImage> {
    const end = Date.now() + timeoutMs
    let last: RawImage | null = null
    for (;;) {
      last = await this.get(id)
      if (last && ok(last)) return last
      if (Date.now() > end) throw new Error(`image ${id}: condition not met in ${timeoutMs} ms (last: ${JSON.stringify(last)})`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }

  /** Images whose name equals `name` (Glance matches whole names). */
  async byName(name: string): Promise<RawImage[]> {
    const r = await this.request<{ images: RawImage[] }>('GET', `/v2/images?name=${encodeURIComponent(name)}&limit=100`)
    if (r.status !== 200) throw new Error(`glance list: HTTP ${r.status} ${r.text}`)
    return r.body.images
  }

  /** Images whose name starts with `prefix` (scans the list). */
  async byPrefix(prefix: string): Promise<RawImage[]> {
    const out: RawImage[] = []
    let path: string | undefined = '/v2/images?limit=1000'
    while (path) {
      const r: HttpResult<{ images: RawImage[]; next?: string }> = await this.request('GET', path)
      if (r.status !== 200) throw new Error(`glance list: HTTP ${r.status} ${r.text}`)
      out.push(...r.body.images.filter((im) => im.name?.startsWith(prefix)))
      path = r.body.images.length ? r.body.next : undefined
    }
    return out
  }

  async patch(id: string, ops: unknown[]): Promise<HttpResult<RawImage>> {
    return this.request<RawImage>('PATCH', `/v2/images/${id}`, ops, { 'content-type': 'application/openstack-images-v2.1-json-patch' })
  }

  /** Delete, unprotecting and reactivating first; never throws (cleanup). */
  async destroy(id: string): Promise<void> {
    try {
      const im = await this.get(id)
      if (!im) return
      if (im.protected) await this.patch(id, [{ op: 'replace', path: '/protected', value: false }])
      if (im.status === 'deactivated') await this.request('POST', `/v2/images/${id}/actions/reactivate`)
      await this.request('DELETE', `/v2/images/${id}`)
    } catch (e) {
      console.warn(`cleanup of image ${id} failed: ${String(e)}`)
    }
  }

  async members(id: string): Promise<{ member_id: string; status: string }[]> {
    const r = await this.request<{ members: { member_id: string; status: string }[] }>('GET', `/v2/images/${id}/members`)
    if (r.status !== 200) throw new Error(`glance members: HTTP ${r.status} ${r.text}`)
    return r.body.members
  }
}

export interface RawVolume {
  id: string
  name: string
  status: string
  size: number
  volume_image_metadata?: Record<string, string>
}

/** A thin Cinder v3 client. */
export class Cinder {
  constructor(
    readonly cloud: CloudCreds,
    readonly region = 'RegionOne',
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
    const s = await osSession(this.cloud)
    const base = s.endpoints.volumev3?.[this.region] ?? s.endpoints['block-storage']?.[this.region]
    if (!base) throw new Error(`no volume endpoint in ${this.region}`)
    const init: RequestInit = { method, headers: { 'x-auth-token': s.token, accept: 'application/json' } }
    if (body !== undefined) {
      init.body = JSON.stringify(body)
      ;(init.headers as Record<string, string>)['content-type'] = 'application/json'
    }
    const r = await fetch(`${base}${path}`, init)
    const text = await r.text()
    let parsed: unknown
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    return { status: r.status, body: parsed as T, text }
  }

  async byName(name: string): Promise<RawVolume[]> {
    const r = await this.request<{ volumes: RawVolume[] }>('GET', `/volumes/detail?name=${encodeURIComponent(name)}`)
    if (r.status !== 200) throw new Error(`cinder list: HTTP ${r.status} ${r.text}`)
    return r.body.volumes
  }

  async waitFor(name: string, ok: (v: RawVolume) => boolean, timeoutMs = 120_000): Promise<RawVolume> {
    const end = Date.now() + timeoutMs
    let last: RawVolume | undefined
    for (;;) {
      last = (await this.byName(name))[0]
      if (last && ok(last)) return last
      if (Date.now() > end) throw new Error(`volume ${name}: condition not met in ${timeoutMs} ms (last: ${JSON.stringify(last)})`)
      await new Promise((r) => setTimeout(r, 1000))
    }
  }

  /** Delete every volume with this name once it is no longer busy; never throws (cleanup). */
  async destroyByName(name: string): Promise<void> {
    try {
      const end = Date.now() + 60_000
      for (const v of await this.byName(name)) {
        let cur: RawVolume | undefined = v
        while (cur && ['creating', 'downloading', 'attaching'].includes(cur.status) && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 1000))
          cur = (await this.byName(name)).find((x) => x.id === v.id)
        }
        await this.request('DELETE', `/volumes/${v.id}`)
      }
    } catch (e) {
      console.warn(`cleanup of volume ${name} failed: ${String(e)}`)
    }
  }
}

/** The id of a project, by name (admin token). */
export async function projectId(admin: CloudCreds, name: string): Promise<string> {
  const s = await osSession(admin)
  const r = await fetch(`${admin.authUrl.replace(/\/$/, '')}/projects?name=${encodeURIComponent(name)}`, {
    headers: { 'x-auth-token': s.token, accept: 'application/json' },
  })
  const body = (await r.json()) as { projects: { id: string }[] }
  const id = body.projects[0]?.id
  if (!id) throw new Error(`no project ${name}`)
  return id
}

/** Deterministic pseudo-random bytes (a fixture's content). */
export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed * 2654435761
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}
