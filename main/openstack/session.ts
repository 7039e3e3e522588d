/**
 * A Keystone v3 session: password or application-credential auth, the service catalog, endpoint choice, and a token
 * that is renewed before it runs out and once on a 401, so that long work never fails for a stale token.
 */
import type { Readable } from 'node:stream'
import { AppError } from '../../preload/api'
import { reasonError } from '../../preload/rules/messages'
import { unreachable } from '../../preload/rules/profile-auth'
import { HttpClient, type HttpRequest, type HttpResponse } from './http'
import type { CatalogEntry, SessionOptions } from './types'

/** Service-type aliases: the first is canonical. */
export const SERVICE_ALIASES: Record<string, string[]> = {
  image: ['image'],
  volume: ['volumev3', 'block-storage', 'volume'],
  volumev3: ['volumev3', 'block-storage', 'volume'],
  'block-storage': ['volumev3', 'block-storage', 'volume'],
  identity: ['identity'],
}

export interface TokenInfo {
  user: { id: string; name: string; domainId?: string }
  project: { id: string; name: string; domainId?: string }
  roles: string[]
  expiresAt: Date
  issuedAt: Date
  catalog: CatalogEntry[]
}

export interface SessionRequest extends Omit<HttpRequest, 'url'> {
  /** An absolute URL. */
  url: string
  /** Do not send X-Auth-Token (discovery documents). */
  noAuth?: boolean
}

/** Normalises an auth URL to its v3 root (`…/v3`). */
export function identityV3Url(authUrl: string): string {
  const u = authUrl.trim().replace(/\/+$/, '')
  if (/\/v3$/.test(u)) return u
  if (/\/v2\.0$/.test(u)) {
    throw reasonError('VALIDATION', 'keystoneV2', {}, 'Keystone v2.0 is not supported; use the v3 auth URL.')
  }
  return `${u}/v3`
}

/** The Keystone v3 auth request body for the session's credentials (pure). */
export function authBody(auth: SessionOptions['auth']): Record<string, unknown> {
  switch (auth.type) {
    case 'token':
      // a given token is validated (Session.authenticate -> adoptToken), never posted
      throw new AppError({ code: 'INTERNAL', message: 'A token issued beforehand has no auth request body.' })
    case 'password': {
      let user: Record<string, unknown>
      if (auth.userId) user = { id: auth.userId, password: auth.password }
      else if (auth.username) {
        user = { name: auth.username, password: auth.password, domain: domainRef(auth.userDomainId, auth.userDomainName) }
      } else throw reasonError('VALIDATION', 'needUser', {}, 'Password auth needs a user id or a user name.')
      const identity = { methods: ['password'], password: { user } }
      let scope: Record<string, unknown> | undefined
      if (auth.projectId) scope = { project: { id: auth.projectId } }
      else if (auth.projectName) {
        scope = { project: { name: auth.projectName, domain: domainRef(auth.projectDomainId, auth.projectDomainName) } }
      }
      return { auth: scope ? { identity, scope } : { identity } }
    }
    case 'applicationCredential': {
      let cred: Record<string, unknown>
      if (auth.id) cred = { id: auth.id, secret: auth.secret }
      else if (auth.name) {
        let user: Record<string, unknown>
        if (auth.userId) user = { id: auth.userId }
        else if (auth.username) user = { name: auth.username, domain: domainRef(undefined, auth.userDomainName) }
        else throw reasonError('VALIDATION', 'appCredNeedsUser', {}, 'An application credential by name needs its user (id or name).')
        cred = { name: auth.name, secret: auth.secret, user }
      } else throw reasonError('VALIDATION', 'appCredNeedsIdOrName', {}, 'Application credential auth needs an id or a name.')
      return { auth: { identity: { methods: ['application_credential'], application_credential: cred } } }
    }
    default:
      return unreachable(auth)
  }
}

function domainRef(id?: string, name?: string): Record<string, string> {
  if (id) return { id }
  return { name: name || 'Default' }
}

/** Parses a token response body (pure). */
export function parseToken(body: unknown): TokenInfo {
  const t = (body as { token?: Record<string, unknown> } | undefined)?.token
  if (!t || typeof t.expires_at !== 'string') {
    throw reasonError('BAD_RESPONSE', 'noToken', {}, 'Keystone returned no token.')
  }
  const user = (t.user ?? {}) as { id?: string; name?: string; domain?: { id?: string } }
  const project = (t.project ?? {}) as { id?: string; name?: string; domain?: { id?: string } }
  const roles = Array.isArray(t.roles) ? (t.roles as { name?: string }[]).map((r) => r.name ?? '').filter(Boolean) : []
  const info: TokenInfo = {
    user: { id: user.id ?? '', name: user.name ?? '' },
    project: { id: project.id ?? '', name: project.name ?? '' },
    roles,
    expiresAt: new Date(t.expires_at),
    issuedAt: new Date(typeof t.issued_at === 'string' ? t.issued_at : Date.now()),
    catalog: Array.isArray(t.catalog) ? (t.catalog as CatalogEntry[]) : [],
  }
  if (user.domain?.id) info.user.domainId = user.domain.id
  if (project.domain?.id) info.project.domainId = project.domain.id
  return info
}

/** Picks an endpoint from a catalog (pure): service type with aliases, region (name or id), interface, overrides. */
export function pickEndpoint(
  catalog: CatalogEntry[],
  serviceType: string,
  region: string,
  iface: string,
  overrides: Record<string, string> = {},
  projectId = '',
): string {
  const types = SERVICE_ALIASES[serviceType] ?? [serviceType]
  const subst = (u: string) => u.replace(/%\(project_id\)s|\$\(project_id\)s|\{project_id\}|%\(tenant_id\)s|\$\(tenant_id\)s/g, projectId).replace(/\/+$/, '')
  for (const t of types) {
    const o = overrides[`${region}/${t}`]
    if (o) return subst(o)
  }
  for (const t of types) {
    const o = overrides[t]
    if (o) return subst(o)
  }
  for (const t of types) {
    for (const entry of catalog) {
      if (entry.type !== t) continue
      const ep = entry.endpoints.find((e) => e.interface === iface && (e.region === region || e.region_id === region))
      if (ep) return subst(ep.url)
    }
  }
  const regions = catalogRegions(catalog.filter((e) => types.includes(e.type)))
  throw reasonError(
    'NO_ENDPOINT',
    regions.length ? 'noEndpointElsewhere' : 'noEndpoint',
    { service: types[0] ?? serviceType, region, interface: iface, regions: regions.join(', ') },
    `The service catalog has no ${iface} ${types[0]} endpoint in region ${region}` + (regions.length ? ` (it has: ${regions.join(', ')}).` : '.'),
    { details: { serviceType: types[0], region, interface: iface } },
  )
}

/**
 * The regions in which a service type (with its aliases) has an endpoint of the given interface (pure), sorted.
 * An endpoint override `REGION/type` counts as an endpoint of that region.
 */
export function serviceRegions(catalog: CatalogEntry[], serviceType: string, iface: string, overrides: Record<string, string> = {}): string[] {
  const types = SERVICE_ALIASES[serviceType] ?? [serviceType]
  const out = new Set<string>()
  for (const e of catalog) {
    if (!types.includes(e.type)) continue
    for (const ep of e.endpoints) {
      const r = ep.region || ep.region_id
      if (r && ep.interface === iface) out.add(r)
    }
  }
  for (const k of Object.keys(overrides)) {
    const i = k.lastIndexOf('/')
    if (i > 0 && types.includes(k.slice(i + 1))) out.add(k.slice(0, i))
  }
  return [...out].sort()
}

export function catalogRegions(catalog: CatalogEntry[]): string[] {
  const out = new Set<string>()
  for (const e of catalog) for (const ep of e.endpoints) if (ep.region || ep.region_id) out.add(ep.region || ep.region_id!)
  return [...out].sort()
}

export class Session {
  readonly http: HttpClient
  private token: string | undefined
  private info: TokenInfo | undefined
  private authenticating: Promise<void> | undefined
  /** For tests: the clock. */
  now: () => number = Date.now

  constructor(readonly options: SessionOptions) {
    const h: ConstructorParameters<typeof HttpClient>[0] = {}
    if (options.caFile) h.caFile = options.caFile
    if (options.insecure) h.insecure = true
    if (options.connectTimeoutMs) h.connectTimeoutMs = options.connectTimeoutMs
    if (options.idleTimeoutMs) h.idleTimeoutMs = options.idleTimeoutMs
    if (options.userAgent) h.userAgent = options.userAgent
    if (options.proxyEnv) h.env = options.proxyEnv
    this.http = new HttpClient(h)
  }

  get identityUrl(): string {
    return identityV3Url(this.options.authUrl)
  }

  /** Authenticates now (a fresh token), whatever the current token's state. */
  async authenticate(signal?: AbortSignal): Promise<void> {
    if (!this.authenticating) {
      this.authenticating = (async () => {
        const auth = this.options.auth
        if (auth.type === 'token') return this.adoptToken(auth.token, signal)
        const req: HttpRequest = { method: 'POST', url: `${this.identityUrl}/auth/tokens`, json: authBody(auth) }
        if (signal) req.signal = signal
        const res = await this.send(req)
        const tok = res.headers['x-subject-token']
        if (typeof tok !== 'string' || !tok) {
          throw reasonError('BAD_RESPONSE', 'noSubjectToken', {}, 'Keystone returned no X-Subject-Token.', { url: req.url })
        }
        this.options.onToken?.(tok)
        this.info = parseToken(res.body)
        this.token = tok
      })().finally(() => {
        this.authenticating = undefined
      })
    }
    return this.authenticating
  }

  /**
   * A token issued beforehand: Keystone validates it (a user may validate their own token) and reports its scope and
   * catalog; the token is then used as it is.
   */
  private async adoptToken(token: string, signal?: AbortSignal): Promise<void> {
    this.options.onToken?.(token)
    const req: HttpRequest = {
      method: 'GET',
      url: `${this.identityUrl}/auth/tokens`,
      headers: { 'x-auth-token': token, 'x-subject-token': token },
    }
    if (signal) req.signal = signal
    let res: HttpResponse<unknown>
    try {
      res = await this.send(req)
    } catch (e) {
      if (e instanceof AppError && (e.status === 401 || e.status === 404)) {
        throw reasonError(
          'AUTH_FAILED',
          'tokenRejected',
          {},
          'Keystone does not accept the given token (OS_TOKEN): it expired or was revoked. Issue a new one (openstack token issue).',
          { status: e.status, url: req.url },
          { cause: e },
        )
      }
      throw e
    }
    const info = parseToken(res.body)
    if (info.expiresAt.getTime() <= this.now()) {
      throw reasonError('AUTH_FAILED', 'tokenExpired', {}, 'The given token (OS_TOKEN) has expired. Issue a new one (openstack token issue).')
    }
    this.info = info
    this.token = token
  }

  /** Seconds of safety margin before expiry: renewBeforeSeconds (300), at most a quarter of the token's life. */
  private margin(): number {
    // a given token cannot be renewed: it is used until it expires
    if (this.options.auth.type === 'token') return 0
    const want = this.options.renewBeforeSeconds ?? 300
    if (!this.info) return want
    const life = (this.info.expiresAt.getTime() - this.info.issuedAt.getTime()) / 1000
    return Math.max(0, Math.min(want, life / 4))
  }

  /** Whether the current token is missing or expires within `minValidSeconds` (default: the renew margin). */
  needsRenewal(minValidSeconds = this.margin()): boolean {
    if (!this.token || !this.info) return true
    return this.info.expiresAt.getTime() - this.now() <= minValidSeconds * 1000
  }

  /** A token valid for at least the renew margin (authenticating when needed). */
  async getToken(signal?: AbortSignal): Promise<string> {
    if (this.needsRenewal()) await this.authenticate(signal)
    return this.token!
  }

  /**
   * For streaming uploads (not replayable): a token that stays valid for at least `minValidSeconds` (default: the
   * renew margin, or `renewBeforeSeconds`), renewing it first when it would not.
   */
  async freshToken(minValidSeconds?: number, signal?: AbortSignal): Promise<string> {
    const life = this.info ? (this.info.expiresAt.getTime() - this.info.issuedAt.getTime()) / 1000 : Infinity
    const want = Math.min(minValidSeconds ?? this.margin(), life * 0.9)
    if (this.needsRenewal(want)) await this.authenticate(signal)
    return this.token!
  }

  /** Forgets the token (the next call authenticates). */
  invalidate(): void {
    this.token = undefined
  }

  private requireInfo(): TokenInfo {
    if (!this.info) throw new AppError({ code: 'INTERNAL', message: 'Not authenticated yet: call authenticate() first.' })
    return this.info
  }
  get roles(): string[] {
    return this.requireInfo().roles
  }
  get user(): TokenInfo['user'] {
    return this.requireInfo().user
  }
  get project(): TokenInfo['project'] {
    return this.requireInfo().project
  }
  get expiresAt(): Date {
    return this.requireInfo().expiresAt
  }
  get catalog(): CatalogEntry[] {
    return this.requireInfo().catalog
  }
  get authenticated(): boolean {
    return !!this.info
  }
  /** Regions that appear in the catalog. */
  regions(): string[] {
    return catalogRegions(this.catalog)
  }
  /** Regions with an endpoint of `serviceType` for this session's interface (or an override). */
  serviceRegions(serviceType: string): string[] {
    return serviceRegions(this.catalog, serviceType, this.options.interface, this.options.endpointOverrides)
  }

  /** The base URL of a service in a region (authenticate first). Throws NO_ENDPOINT. */
  endpoint(serviceType: string, region: string): string {
    const info = this.requireInfo()
    return pickEndpoint(info.catalog, serviceType, region, this.options.interface, this.options.endpointOverrides, info.project.id)
  }

  /** endpoint() after making sure the session is authenticated. */
  async endpointFor(serviceType: string, region: string, signal?: AbortSignal): Promise<string> {
    if (!this.info) await this.authenticate(signal)
    return this.endpoint(serviceType, region)
  }

  /**
   * An authenticated request: adds X-Auth-Token (renewing it when close to expiry) and, for replayable bodies (none,
   * JSON, Buffer, string), re-authenticates and retries once on a 401.
   */
  async request<T = unknown>(req: SessionRequest): Promise<HttpResponse<T>> {
    if (req.noAuth) return this.send<T>(req)
    const replayable = !(req.body !== undefined && typeof req.body !== 'string' && !Buffer.isBuffer(req.body))
    const send = async () => {
      const token = await this.getToken(req.signal)
      return { token, res: this.send<T>({ ...req, headers: { ...req.headers, 'x-auth-token': token } }) }
    }
    const first = await send()
    try {
      return await first.res
    } catch (e) {
      if (!(AppError.is(e, 'AUTH_FAILED') && replayable)) throw e
      // Only renew when nobody else did meanwhile.
      if (this.token === first.token) this.invalidate()
      const second = await send()
      return await second.res
    }
  }

  /** One HTTP exchange, reported to options.onRequest (method, URL without query secrets, status, request id, time). */
  private async send<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const t0 = performance.now()
    const report = this.options.onRequest
    try {
      const res = await this.http.request<T>(req)
      report?.({
        method: req.method,
        url: req.url,
        status: res.status,
        ...(res.requestId ? { requestId: res.requestId } : {}),
        ms: Math.round(performance.now() - t0),
      })
      return res
    } catch (e) {
      if (report) {
        const a = e instanceof AppError ? e : undefined
        report({
          method: req.method,
          url: req.url,
          ...(a?.status !== undefined ? { status: a.status } : {}),
          ...(a?.requestId ? { requestId: a.requestId } : {}),
          ms: Math.round(performance.now() - t0),
          error: a?.code ?? (e as NodeJS.ErrnoException)?.code ?? 'ERROR',
        })
      }
      throw e
    }
  }

  /** A stream body is never retried; use this to say so explicitly. */
  async requestStream<T = unknown>(req: SessionRequest & { body: Readable }): Promise<HttpResponse<T>> {
    return this.request<T>(req)
  }

  /** Revokes nothing; closes idle sockets. */
  close(): void {
    this.http.close()
  }
}
