/**
 * Shapes shared between the OpenStack core (main/openstack), the profiles (main/profiles/connector.ts) and the
 * transfer engine (main/transfers). Implementations: Session (session.ts), GlanceClient (glance.ts),
 * CinderClient (cinder.ts).
 */
import type { Interface, ProfileDTO, PropertyKeyMap } from '../../preload/api'

export type PasswordAuth = {
  type: 'password'
  password: string
  /** by id, or by name + domain */
  userId?: string
  username?: string
  userDomainName?: string
  userDomainId?: string
  /** scope: project by id, or by name + domain */
  projectId?: string
  projectName?: string
  projectDomainName?: string
  projectDomainId?: string
}

export type AppCredentialAuth = {
  type: 'applicationCredential'
  secret: string
  /** by id, or by name + user */
  id?: string
  name?: string
  userId?: string
  username?: string
  userDomainName?: string
}

/**
 * A token issued beforehand (`OS_AUTH_TYPE=v3token` + `OS_TOKEN`, as with the openstack CLI): used as it is, with the
 * catalog Keystone reports for it; it cannot be renewed, so work ends when it expires. The headless CLI only.
 */
export type TokenAuth = {
  type: 'token'
  token: string
}

export interface SessionOptions {
  authUrl: string
  auth: PasswordAuth | AppCredentialAuth | TokenAuth
  interface: Interface
  /** PEM CA bundle file; the system trust store is used as well. */
  caFile?: string
  insecure?: boolean
  /** Service type (`image`, `volumev3`) or `REGION/type` -> base URL. */
  endpointOverrides?: Record<string, string>
  /** Renew the token this many seconds before it expires (default 300). */
  renewBeforeSeconds?: number
  connectTimeoutMs?: number
  /** Idle (no bytes moving) timeout; there is never a total timeout on transfers. */
  idleTimeoutMs?: number
  userAgent?: string
  /** Issue 14: the proxy variables of the profile (main/openstack/proxy.ts proxyEnvFor); default: the process's. */
  proxyEnv?: Record<string, string | undefined>
  /** Told about every HTTP exchange (for the log): never given headers or bodies, so never a token or a password. */
  onRequest?: (r: RequestRecord) => void
  /** Told each token the session gets (issued or adopted), so that the logger can redact it (B1). */
  onToken?: (token: string) => void
}

export interface RequestRecord {
  method: string
  url: string
  status?: number
  requestId?: string
  /** Milliseconds until the response head (streams) or the whole body. */
  ms: number
  /** The error code when the exchange failed. */
  error?: string
}

export interface CatalogEndpoint {
  id?: string
  interface: string
  region: string
  region_id?: string
  url: string
}
export interface CatalogEntry {
  type: string
  name?: string
  endpoints: CatalogEndpoint[]
}

/**
 * One connected cloud for one profile and region, as built by main/profiles/connector.ts
 * (`client(ctx: CloudContext): Promise<CloudClient>`) and used by the image service and the transfer engine.
 */
export interface CloudClient {
  profile: ProfileDTO
  region: string
  session: import('./session').Session
  glance: import('./glance').GlanceClient
  cinder: import('./cinder').CinderClient | null
  keys: PropertyKeyMap
}
