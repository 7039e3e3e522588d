/**
 * Profile + region -> an authenticated CloudClient (Session, GlanceClient, CinderClient | null, the key map).
 *
 * One Session per profile (all regions share its token), dropped when the profile or its secret changes (a
 * fingerprint of both is checked on every call, and ProfileService change events drop it early). `openCloudClient`
 * is the pure factory the CLI uses; `testConnection` builds the "test connection" report.
 */
import { createHash } from 'node:crypto'
import { AppError, type Capabilities, type CloudContext, type ConnectionReport, type ProfileDTO, type ProfileInput } from '../../preload/api'
import type { Logger } from '../log'
import { unreachable } from '../../preload/rules/profile-auth'
import { Session, authBody, catalogRegions, identityV3Url } from '../openstack/session'
import { GlanceClient } from '../openstack/glance'
import { CinderClient } from '../openstack/cinder'
import type { CloudClient, RequestRecord, SessionOptions } from '../openstack/types'
import type { ProfileService } from './service'
import { pickRegion, zProfileInput } from './model'
import { explainConnectionError, unknownProjectError } from './explain'
import { computeCapabilities, sessionFacts } from '../openstack/capabilities'
import { discoverGlance, type DiscoveryResult } from '../openstack/discovery'
import { sameSecretIdentity, trustChanges } from './trust'
import { proxyEnvFor, type ProxyEnv } from '../openstack/proxy'

export const USER_AGENT = 'glance-desktop'

/** Logs every HTTP exchange of a session: method, URL, status, request id, duration (never headers or bodies). */
export function requestLogger(log: Logger): (r: RequestRecord) => void {
  return (r) => (r.error || (r.status !== undefined && r.status >= 400) ? log.warn('http', { ...r }) : log.info('http', { ...r }))
}

/** SessionOptions hooks for a logger: every exchange logged, every token registered with the redactor. */
export function loggedSession(log: Logger): Pick<SessionOptions, 'onRequest' | 'onToken'> {
  return { onRequest: requestLogger(log), onToken: (t) => log.addSecret(t) }
}

/** What the secret of a profile is called (logs, CLI). */
function secretWord(p: ProfileInput): string {
  const a = p.auth
  switch (a.type) {
    case 'password':
      return 'password'
    case 'applicationCredential':
      return 'application credential secret'
    default:
      return unreachable(a)
  }
}

/** SessionOptions for a profile and its secret (pure); `processEnv`: where a `system` proxy setting reads its variables. */
export function sessionOptions(p: ProfileInput, secret: string, extra: Partial<SessionOptions> = {}, processEnv: ProxyEnv = process.env): SessionOptions {
  let auth: SessionOptions['auth']
  const a = p.auth
  switch (a.type) {
    case 'applicationCredential':
      auth = { type: 'applicationCredential', secret }
      if (a.appCredentialId) auth.id = a.appCredentialId
      if (a.appCredentialName) auth.name = a.appCredentialName
      if (a.userId) auth.userId = a.userId
      if (a.username) auth.username = a.username
      if (a.userDomainName) auth.userDomainName = a.userDomainName
      break
    case 'password':
      auth = { type: 'password', password: secret }
      if (a.userId) auth.userId = a.userId
      if (a.username) auth.username = a.username
      if (a.userDomainId) auth.userDomainId = a.userDomainId
      else if (a.userDomainName) auth.userDomainName = a.userDomainName
      if (a.projectId) auth.projectId = a.projectId
      else if (a.projectName) {
        auth.projectName = a.projectName
        if (a.projectDomainId) auth.projectDomainId = a.projectDomainId
        else if (a.projectDomainName) auth.projectDomainName = a.projectDomainName
      }
      break
    default:
      return unreachable(a)
  }
  const o: SessionOptions = { authUrl: p.authUrl, auth, interface: p.interface, userAgent: USER_AGENT, proxyEnv: proxyEnvFor(p, processEnv), ...extra }
  if (p.caFile) o.caFile = p.caFile
  if (p.insecure) o.insecure = true
  if (Object.keys(p.endpointOverrides).length) o.endpointOverrides = { ...p.endpointOverrides }
  return o
}

/**
 * Authenticates a session, explaining failures in the user's terms. A 401 for a project-scoped password login is
 * told apart: when the same credentials work unscoped, the project is the problem, not the password.
 */
export async function authenticate(session: Session, p: ProfileInput, signal?: AbortSignal): Promise<void> {
  try {
    await session.authenticate(signal)
  } catch (e) {
    const a = p.auth
    const auth = session.options.auth
    // Only a project-scoped password login has a scope to drop (an application credential carries its own).
    if (AppError.is(e, 'AUTH_FAILED') && a.type === 'password' && (a.projectId || a.projectName) && auth.type === 'password') {
      const unscoped: typeof auth = { ...auth }
      delete unscoped.projectId
      delete unscoped.projectName
      delete unscoped.projectDomainId
      delete unscoped.projectDomainName
      const ok = await session.http
        .request({ method: 'POST', url: `${identityV3Url(p.authUrl)}/auth/tokens`, json: authBody(unscoped), responseType: 'none' })
        .then(
          () => true,
          () => false,
        )
      if (ok) throw unknownProjectError(a, e)
    }
    throw await explainConnectionError(e, { profile: p, phase: 'auth', url: `${p.authUrl}`, ...proxyEnvOf(session) })
  }
}

/** The session's proxy variables, for explain.ts (which fetches a certificate the way the request went). */
function proxyEnvOf(session: Session): { proxyEnv?: ProxyEnv } {
  const env = session.options.proxyEnv
  return env ? { proxyEnv: env } : {}
}

/** The endpoint of a service, or a NO_ENDPOINT error that names the region and what the catalog offers. */
function imageEndpoint(session: Session, region: string): string {
  try {
    return session.endpoint('image', region)
  } catch (e) {
    if (AppError.is(e, 'NO_ENDPOINT')) {
      const offered = catalogRegions(session.catalog.filter((c) => c.type === 'image'))
      throw new AppError(
        {
          code: 'NO_ENDPOINT',
          message:
            `There is no image service (Glance) in region ${region}` +
            (offered.length ? `; this cloud has one in: ${offered.join(', ')}.` : '; the catalog has no image service at all.'),
          details: { region, serviceType: 'image', available: offered },
        },
        { cause: e },
      )
    }
    throw e
  }
}

function volumeEndpoint(session: Session, region: string): string | undefined {
  try {
    return session.endpoint('volumev3', region)
  } catch {
    return undefined
  }
}

function clientFor(session: Session, profile: ProfileDTO, region: string): CloudClient {
  imageEndpoint(session, region)
  const glance = new GlanceClient(session, region)
  const cinder = volumeEndpoint(session, region) ? new CinderClient(session, region) : null
  return { profile, region, session, glance, cinder, keys: { ...profile.propertyKeys } }
}

function transientDto(p: ProfileInput): ProfileDTO {
  return { ...structuredClone(p), id: 'transient', source: 'env', secretState: 'session', order: 0 }
}

/** The ProfileInput part of a DTO (the schema is strict). */
export function inputOf(p: ProfileDTO): ProfileInput {
  const { id: _id, source: _source, secretState: _state, order: _order, ...input } = p
  void [_id, _source, _state, _order]
  return input
}

function checkProfile(p: ProfileInput): ProfileInput {
  const r = zProfileInput.safeParse(p)
  if (!r.success) {
    const i = r.error.issues[0]
    throw new AppError({ code: 'VALIDATION', message: `Invalid profile${i?.path.length ? ` (${i.path.join('.')})` : ''}: ${i?.message ?? 'invalid'}` })
  }
  return r.data
}

/** A CloudClient for a profile and its secret, with no cache (the CLI; tests). */
export async function openCloudClient(profile: ProfileInput, secret: string, region?: string): Promise<CloudClient> {
  const p = checkProfile(profile)
  const session = new Session(sessionOptions(p, secret))
  await authenticate(session, p)
  return clientFor(session, transientDto(p), pickRegion(p, region))
}

/**
 * A CloudClient for a token issued beforehand (the CLI with `OS_AUTH_TYPE=v3token` + `OS_TOKEN`): the profile gives
 * the endpoint settings (auth URL, interface, CA, region); user and project are the token's.
 */
export async function openCloudClientWithToken(profile: ProfileInput, token: string, region?: string): Promise<CloudClient> {
  const p = checkProfile(profile)
  const session = new Session({ ...sessionOptions(p, ''), auth: { type: 'token', token } })
  await session.authenticate()
  return clientFor(session, transientDto(p), pickRegion(p, region))
}

// ---------------------------------------------------------------------------------------------------------------
// Test connection
// ---------------------------------------------------------------------------------------------------------------

/** Authenticates and reports what the profile can reach. Errors are explained (see explain.ts). */
export async function testConnection(p: ProfileInput, secret: string, region?: string, log?: Logger, processEnv?: ProxyEnv): Promise<ConnectionReport> {
  const profile = checkProfile(p)
  const session = new Session(sessionOptions(profile, secret, log ? loggedSession(log) : {}, processEnv))
  try {
    await authenticate(session, profile)
    const catalogRegionsAll = session.regions()
    const regions = catalogRegionsAll.length ? catalogRegionsAll : profile.regions
    const endpoints = regions.map((r) => {
      const e: ConnectionReport['endpoints'][number] = { region: r }
      try {
        e.image = session.endpoint('image', r)
      } catch {
        /* none */
      }
      const v = volumeEndpoint(session, r)
      if (v) e.volume = v
      return e
    })
    const target = pickRegion(profile, region)
    const endpoint = imageEndpoint(session, target)
    let disc: DiscoveryResult
    try {
      disc = await discoverGlance(new GlanceClient(session, target), log ? { log } : {})
    } catch (e) {
      throw await explainConnectionError(e, { profile, phase: 'service', url: endpoint, region: target, ...proxyEnvOf(session) })
    }
    const capabilities: Capabilities = computeCapabilities({
      ...sessionFacts(session, profile.policyPreset), // C2: roles, project (+ domain) under the profile's policy preset
      importMethods: disc.importMethods,
      stores: disc.stores,
      ...(disc.quota ? { quota: disc.quota } : {}),
      volumeService: !!volumeEndpoint(session, target),
    })
    const report: ConnectionReport = {
      ok: true,
      user: { id: session.user.id, name: session.user.name },
      project: { id: session.project.id, name: session.project.name },
      roles: [...session.roles],
      regions,
      endpoints,
      importMethods: disc.importMethods,
      stores: disc.stores,
      capabilities,
      tokenExpiresAt: session.expiresAt.toISOString(),
    }
    if (disc.glanceVersion) report.glanceVersion = disc.glanceVersion
    if (disc.quota) report.quota = disc.quota
    return report
  } finally {
    session.close()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The connector
// ---------------------------------------------------------------------------------------------------------------

/** What a warm-up did (CloudConnector.warm): signed in and reached Glance, or why not. */
export type WarmOutcome = 'ok' | 'noProfile' | 'noSecret' | 'failed'

/** How long the warm-up's Glance request may take (it is only worth having before the renderer's first list). */
export const WARM_GLANCE_TIMEOUT_MS = 10_000

/** What a client() waiting for a warm-up learns: the sign-in's failure, if it failed. */
interface WarmWait {
  authError?: unknown
}

interface CachedSession {
  fingerprint: string
  session: Session
}

export interface CloudConnectorDeps {
  profiles: ProfileService
  log: Logger
  /** Issue 14: the environment a `system` proxy setting reads (Platform.env; default process.env). */
  env?: ProxyEnv
}

export class CloudConnector {
  private readonly sessions = new Map<string, CachedSession>()
  /** Issue 16.4: the warm-up in flight per profile|region: its sign-in, then its Glance request (never rejects). */
  private readonly warming = new Map<string, Promise<WarmWait>>()

  constructor(readonly deps: CloudConnectorDeps) {
    deps.profiles.onChange?.((id) => {
      if (id) this.check(id)
      else for (const key of [...this.sessions.keys()]) this.check(key)
    })
  }

  /** Drops the cached session of a profile when the profile or its secret changed (or the profile is gone). */
  private check(id: string): void {
    const cached = this.sessions.get(id)
    if (!cached) return
    let fp: string | null = null
    try {
      const secret = this.deps.profiles.secret(id)
      if (secret !== undefined) fp = this.fingerprint(this.deps.profiles.get(id), secret)
    } catch {
      /* removed */
    }
    if (fp !== cached.fingerprint) this.invalidate(id)
  }

  private fingerprint(p: ProfileInput, secret: string): string {
    // what the session is built from: sessionOptions() reads these (the whole `auth`, of either kind)
    const relevant = JSON.stringify([p.authUrl, p.auth, p.interface, p.caFile, p.insecure, p.endpointOverrides])
    const proxy = JSON.stringify(p.proxy ?? null) // issue 14: another proxy, another session
    return createHash('sha256').update(relevant).update('\0').update(proxy).update('\0').update(secret).digest('hex')
  }

  /** Forget a profile's session (the next client() authenticates again). */
  invalidate(profileId: string): void {
    const c = this.sessions.get(profileId)
    if (!c) return
    this.sessions.delete(profileId)
    c.session.close()
  }

  /** The session for a profile: cached, or new. Throws PROFILE_NOT_FOUND or NO_SECRET. */
  private sessionFor(profile: ProfileDTO): Session {
    const secret = this.deps.profiles.secret(profile.id)
    if (secret === undefined || secret === '') {
      throw new AppError({
        code: 'NO_SECRET',
        message: `No ${secretWord(profile)} for "${profile.name}": enter it to connect.`,
        details: { profileId: profile.id },
      })
    }
    this.deps.log.addSecret(secret)
    const fp = this.fingerprint(profile, secret)
    const cached = this.sessions.get(profile.id)
    if (cached && cached.fingerprint === fp) return cached.session
    if (cached) this.invalidate(profile.id)
    const session = new Session(sessionOptions(profile, secret, loggedSession(this.deps.log), this.deps.env))
    this.sessions.set(profile.id, { fingerprint: fp, session })
    return session
  }

  async client(ctx: CloudContext): Promise<CloudClient> {
    const profile = this.deps.profiles.get(ctx.profileId)
    // A warm-up of this profile + region in flight: wait for it, so that this request shares its sign-in (and its
    // failure, as joining the sign-in would) and finds the token validated by Glance (keystonemiddleware validates a
    // new token once per request in flight). Its Glance request is bounded by WARM_GLANCE_TIMEOUT_MS.
    const warm = this.warming.get(`${profile.id}|${pickRegion(profile, ctx.region)}`)
    if (warm) {
      const { authError } = await warm
      if (authError !== undefined) throw authError
    }
    return this.connect(profile, ctx)
  }

  private async connect(profile: ProfileDTO, ctx: CloudContext): Promise<CloudClient> {
    const session = this.sessionFor(profile)
    if (!session.authenticated) {
      try {
        await authenticate(session, profile)
      } catch (e) {
        // Do not keep a session whose credentials fail.
        if (this.sessions.get(profile.id)?.session === session) this.invalidate(profile.id)
        throw e
      }
    }
    return clientFor(session, profile, pickRegion(profile, ctx.region))
  }

  /**
   * Issue 16.4: sign in with a profile's stored secret (the cached session: a client() meanwhile shares this very
   * authentication) and send its Glance one cheap authenticated request (GET /v2/info/import), so that Glance has
   * validated the token before the first real request. Never throws and reports nothing to the user: a profile
   * without a usable secret is skipped before anything is sent; a failure is one debug line (no secret, no token).
   * `probe`: that Glance request instead of GET /v2/info/import (the warm start's first page of the image list); a
   * client() for this profile + region meanwhile waits for it too.
   */
  async warm(ctx: CloudContext, signal?: AbortSignal, probe?: (c: CloudClient, signal: AbortSignal) => Promise<unknown>): Promise<WarmOutcome> {
    let profile: ProfileDTO
    try {
      profile = this.deps.profiles.get(ctx.profileId)
    } catch {
      return 'noProfile'
    }
    // 'none': no secret, or one saved for another identity (secret() would refuse it too).
    if (profile.secretState === 'none' || profile.secretState === 'locked') return 'noSecret'
    const key = `${profile.id}|${pickRegion(profile, ctx.region)}`
    try {
      if (this.deps.profiles.secret(profile.id) === undefined) return 'noSecret'
    } catch {
      return 'noSecret'
    }
    let done: (w: WarmWait) => void = () => {}
    const entry = new Promise<WarmWait>((r) => (done = r))
    this.warming.set(key, entry)
    try {
      let c: CloudClient
      try {
        c = await this.connect(profile, ctx)
      } catch (e) {
        done({ authError: e })
        throw e
      }
      if (signal?.aborted) return 'failed'
      const timeout = AbortSignal.timeout(WARM_GLANCE_TIMEOUT_MS)
      const both = signal ? AbortSignal.any([signal, timeout]) : timeout
      await (probe ? probe(c, both) : c.glance.importInfo({ signal: both }))
      return 'ok'
    } catch (e) {
      this.deps.log.debug('warm-up skipped', { profileId: profile.id, code: AppError.is(e) ? e.code : 'ERROR' })
      return 'failed'
    } finally {
      done({})
      if (this.warming.get(key) === entry) this.warming.delete(key)
    }
  }

  /**
   * C4: the context an offline draft is saved under: the profile (it must exist) and its region, with no network and
   * no authentication (the draft authenticates when it is run).
   */
  offlineContext(ctx: CloudContext): Required<CloudContext> {
    const profile = this.deps.profiles.get(ctx.profileId)
    return { profileId: profile.id, region: pickRegion(profile, ctx.region) }
  }

  /** profiles:test: a fresh authentication (not the cached session) and the report. */
  async test(ctx: CloudContext): Promise<ConnectionReport> {
    const profile = this.deps.profiles.get(ctx.profileId)
    const secret = this.deps.profiles.secret(profile.id)
    if (secret === undefined || secret === '') {
      throw new AppError({
        code: 'NO_SECRET',
        message: `No secret for "${profile.name}": enter it to test the connection.`,
        details: { profileId: profile.id },
      })
    }
    return testConnection(inputOf(profile), secret, ctx.region, this.deps.log, this.deps.env)
  }

  /**
   * Test a profile that is not saved (the edit dialog). Without `secret`, the stored secret of `profileId` is used,
   * but only for the identity it was saved for (auth URL origin, user, application credential): a draft naming
   * another one needs the secret typed again (NO_SECRET/identityChanged). Sending it with TLS checks off, another CA,
   * new endpoint overrides (they receive the token) or over http:// to another host needs the user's confirmation,
   * asked here in the main process.
   */
  async testDraft(input: ProfileInput, secret: string | undefined, profileId?: string, region?: string): Promise<ConnectionReport> {
    const draft = checkProfile(input)
    let s = secret
    if (s) {
      await this.deps.profiles.confirmTrust(
        trustChanges(null, draft).filter((c) => c.kind === 'plainHttp'),
        draft.name,
      )
    } else if (profileId) {
      const saved = inputOf(this.deps.profiles.get(profileId))
      if (!sameSecretIdentity(saved, draft)) {
        throw new AppError({
          code: 'NO_SECRET',
          message: 'The draft names another server or user than the stored secret was saved for: enter the password or secret to test it.',
          details: { reason: 'identityChanged', params: { profileId } },
        })
      }
      s = this.deps.profiles.secret(profileId)
      if (s) await this.deps.profiles.confirmTrust(trustChanges(saved, draft), draft.name)
    }
    if (!s) throw new AppError({ code: 'NO_SECRET', message: 'Enter the password or secret to test the connection.' })
    this.deps.log.addSecret(s)
    return testConnection(draft, s, region, this.deps.log, this.deps.env)
  }

  /** Close every session (app exit). */
  close(): void {
    for (const id of [...this.sessions.keys()]) this.invalidate(id)
  }
}
