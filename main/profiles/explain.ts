/**
 * Connection errors in the user's terms: wrong password, unknown project, unreachable host (host:port), certificate
 * not trusted (with the certificate's subject and issuer, and a hint to pick a CA file), no image service in a region.
 */
import tls from 'node:tls'
import { AppError } from '../../preload/api'
import type { PasswordProfileAuth, ProfileInput } from '../../preload/api'
import { unreachable } from '../../preload/rules/profile-auth'
import type { ReasonParams } from '../../preload/rules/messages'
import { proxyFor, type ProxyEnv } from '../openstack/proxy'
import { openTunnel } from '../openstack/tunnel'

export interface PeerCertificateInfo {
  subject: string
  issuer: string
  validFrom?: string
  validTo?: string
  fingerprint256?: string
  selfSigned: boolean
}

function dn(x: unknown): string {
  if (!x || typeof x !== 'object') return ''
  return Object.entries(x as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ')
}

/**
 * The certificate a TLS server presents (without trusting it), through `proxy` (a CONNECT tunnel) when the profile's
 * requests go through one. Null when it cannot be fetched.
 */
export async function fetchPeerCertificate(host: string, port: number, timeoutMs = 5000, proxy: URL | null = null): Promise<PeerCertificateInfo | null> {
  const tunnel = proxy ? await openTunnel(proxy, host, port, timeoutMs).catch(() => null) : undefined
  if (tunnel === null) return null
  return new Promise((resolve) => {
    let done = false
    const finish = (v: PeerCertificateInfo | null): void => {
      if (done) return
      done = true
      socket.destroy()
      resolve(v)
    }
    const servername = /^[\d.]+$|:/.test(host) ? undefined : host
    const where = tunnel ? { socket: tunnel } : { host, port }
    const socket = tls.connect({ ...where, rejectUnauthorized: false, ...(servername ? { servername } : {}) }, () => {
      const c = socket.getPeerCertificate()
      if (!c || Object.keys(c).length === 0) return finish(null)
      const subject = dn(c.subject)
      const issuer = dn(c.issuer)
      const info: PeerCertificateInfo = { subject, issuer, selfSigned: subject === issuer }
      if (c.valid_from) info.validFrom = c.valid_from
      if (c.valid_to) info.validTo = c.valid_to
      if (c.fingerprint256) info.fingerprint256 = c.fingerprint256
      finish(info)
    })
    socket.setTimeout(timeoutMs, () => finish(null))
    socket.once('error', () => finish(null))
  })
}

function hostPort(url: string | undefined): { host: string; port: number; hostPort: string } | null {
  if (!url) return null
  try {
    const u = new URL(url)
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80
    const host = u.hostname.replace(/^\[|\]$/g, '')
    return { host, port, hostPort: `${u.hostname}:${port}` }
  } catch {
    return null
  }
}

export interface ExplainContext {
  profile: ProfileInput
  /** The URL the failing request went to, when the error does not carry one. */
  url?: string
  region?: string
  /** What was being done: authenticating with Keystone, or talking to a service. */
  phase: 'auth' | 'service'
  /** Issue 14: the profile's proxy variables (the certificate is fetched the way the request went). */
  proxyEnv?: ProxyEnv
}

/**
 * Rewrites a connection error into the user's terms. Always returns an AppError (the original as `cause`).
 * `message` is English (logs, CLI); the UI words `details.reason` + `details.params` (errorReason.<CODE>.<reason>):
 *
 * | error                        | reason (params)                                                          |
 * |------------------------------|--------------------------------------------------------------------------|
 * | NETWORK, ECONNREFUSED         | refused (host, phase)                                                     |
 * | NETWORK/TIMEOUT, ENOTFOUND    | dnsFailed (host, phase)                                                   |
 * | TIMEOUT (other)               | noAnswer (host, phase)                                                    |
 * | NETWORK (other)               | unreachable (host, phase, os = the Node code or message)                  |
 * | TLS, certificate fetched      | untrustedCert (host, subject, issuer, selfSigned)                         |
 * | TLS, no certificate           | untrusted (host, os)                                                      |
 * | AUTH_FAILED at auth, password | credentials (user, domain)                                                |
 * | AUTH_FAILED, app credential   | appCredential (credential)                                                |
 * | NOT_FOUND at auth             | noKeystone (url)                                                          |
 * | unknownProjectError           | project (project, domain, user)                                           |
 * | a failure of the proxy        | as it is (proxyRefused, proxyDns, ...: http-errors.ts, naming the proxy)  |
 * phase: 'auth' (the auth URL) or 'service' (an endpoint).
 */
export async function explainConnectionError(e: unknown, ctx: ExplainContext): Promise<AppError> {
  if (!(e instanceof AppError))
    return e instanceof Error ? new AppError({ code: 'INTERNAL', message: e.message }, { cause: e }) : new AppError({ code: 'INTERNAL', message: String(e) })
  const p = ctx.profile
  const url = e.url ?? ctx.url ?? p.authUrl
  const hp = hostPort(url)
  const base = { ...(e.method ? { method: e.method } : {}), ...(e.url ? { url: e.url } : {}), ...(e.status ? { status: e.status } : {}) }
  // the proxy's own failure already names the proxy and what to check (issue 14)
  const given = e.details?.reason
  if (typeof given === 'string' && given.startsWith('proxy')) return e
  switch (e.code) {
    case 'NETWORK':
    case 'TIMEOUT': {
      const raw = (e.cause as NodeJS.ErrnoException | undefined)?.code
      const why =
        raw === 'ECONNREFUSED'
          ? 'the connection was refused (nothing listens there)'
          : raw === 'ENOTFOUND' || raw === 'EAI_AGAIN'
            ? 'the host name could not be resolved'
            : e.code === 'TIMEOUT'
              ? 'it did not answer in time'
              : e.message
      const where = hp?.hostPort ?? url ?? ''
      const reason =
        raw === 'ECONNREFUSED' ? 'refused' : raw === 'ENOTFOUND' || raw === 'EAI_AGAIN' ? 'dnsFailed' : e.code === 'TIMEOUT' ? 'noAnswer' : 'unreachable'
      const params: ReasonParams = { host: where, phase: ctx.phase }
      if (reason === 'unreachable') params.os = raw ?? e.message
      return new AppError(
        {
          code: e.code,
          message: `Cannot reach ${where}: ${why}. Check the ${ctx.phase === 'auth' ? 'auth URL' : 'endpoint'}, your network, VPN or proxy.`,
          ...base,
          retryable: true,
          details: { host: hp?.host, port: hp?.port, hostPort: where, ...(raw ? { os: raw } : {}), reason, params },
        },
        { cause: e },
      )
    }
    case 'TLS': {
      let proxy: URL | null = null
      try {
        proxy = proxyFor(url, ctx.proxyEnv ?? process.env)
      } catch {
        /* not a URL: no certificate either */
      }
      const cert = hp ? await fetchPeerCertificate(hp.host, hp.port, 5000, proxy).catch(() => null) : null
      const details: Record<string, unknown> = {
        hostPort: hp?.hostPort,
        pickCaFile: true,
        reason: cert ? 'untrustedCert' : 'untrusted',
        params: cert
          ? { host: hp?.hostPort ?? '', subject: cert.subject, issuer: cert.issuer, selfSigned: cert.selfSigned }
          : { host: hp?.hostPort ?? url ?? '', os: e.message },
      }
      if (cert) Object.assign(details, cert)
      const what = cert
        ? `The certificate of ${hp?.hostPort} is not trusted (subject: ${cert.subject}; issuer: ${cert.issuer}${cert.selfSigned ? '; self-signed' : ''}).`
        : `The certificate of ${hp?.hostPort ?? url} is not trusted (${e.message}).`
      return new AppError({ code: 'TLS', message: `${what} Choose the CA file that signed it.`, ...base, details }, { cause: e })
    }
    case 'AUTH_FAILED': {
      if (ctx.phase !== 'auth') return e
      let who: string
      let what: string
      let reason: string
      let params: ReasonParams
      const a = p.auth
      switch (a.type) {
        case 'applicationCredential':
          who = `application credential ${a.appCredentialId || a.appCredentialName}`
          what = 'The application credential id or secret is wrong, or it expired or was deleted'
          reason = 'appCredential'
          params = { credential: a.appCredentialId || a.appCredentialName || '' }
          break
        case 'password': {
          const domain = a.username ? a.userDomainId || a.userDomainName || 'Default' : ''
          who = `user ${a.username || a.userId}${domain ? ` (domain ${domain})` : ''}`
          what = 'The user name or password is wrong'
          reason = 'credentials'
          params = { user: a.username || a.userId || '', domain }
          break
        }
        default:
          return unreachable(a)
      }
      return new AppError({ code: 'AUTH_FAILED', message: `${what}: Keystone refused ${who}.`, ...base, details: { reason, params } }, { cause: e })
    }
    case 'NOT_FOUND':
      if (ctx.phase === 'auth') {
        return new AppError(
          {
            code: 'NOT_FOUND',
            message: `No Keystone v3 identity service at ${p.authUrl}; check the auth URL (it usually ends in /v3).`,
            ...base,
            details: { reason: 'noKeystone', params: { url: p.authUrl } },
          },
          { cause: e },
        )
      }
      return e
    default:
      return e
  }
}

/** The error for "signed in, but the project is unknown or the user has no role on it". */
export function unknownProjectError(a: PasswordProfileAuth, cause: unknown): AppError {
  const domain = a.projectId ? '' : a.projectDomainId || a.projectDomainName || 'Default'
  const project = a.projectId ? `id ${a.projectId}` : `${a.projectName} (domain ${domain})`
  return new AppError(
    {
      code: 'AUTH_FAILED',
      message: `The password is right, but project ${project} does not exist or user ${a.username || a.userId} has no role on it.`,
      details: {
        reason: 'project',
        project: a.projectId || a.projectName,
        params: { project: a.projectId || a.projectName || '', domain, user: a.username || a.userId || '' },
      },
    },
    { cause },
  )
}
