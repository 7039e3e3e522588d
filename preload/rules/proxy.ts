/**
 * Issue 14: a profile's proxy setting, the rules both sides apply (the profile schema in the main process, the form in
 * the renderer). Pure.
 *
 *   what                                    reason (params)                 why
 *   --------------------------------------  ------------------------------  ------------------------------------------
 *   not a URL (no scheme://, blanks, ...)    proxyNotUrl                     -
 *   socks://, socks4://, socks5(h)://        proxySocks (scheme)             only HTTP CONNECT / absolute-URI proxies
 *   another scheme                           proxyScheme (scheme)            http:// or https:// only
 *   no host                                  proxyNoHost                     -
 *   user:password@ in the URL                proxyUserinfo                   proxy authentication is not supported yet:
 *                                                                            a password there would sit in settings.json
 *   a path, query or fragment                proxyPath                       a proxy is scheme://host:port
 *   manual mode with neither URL             proxyMissing                    -
 *   a no-proxy entry that is no host, .domain,  noProxyEntry (entry)         -
 *     host:port, CIDR or *
 *
 * A problem names its field (`httpProxy`, `httpsProxy`, `noProxy`), a reason (the renderer words `valid.<reason>`) and
 * an English message (zod, logs, the CLI).
 */
import type { ProfileInput, ProfileProxy } from '../api'

export type ProxyField = 'httpProxy' | 'httpsProxy' | 'noProxy'
export type ProxyProblemReason = 'proxyNotUrl' | 'proxySocks' | 'proxyScheme' | 'proxyNoHost' | 'proxyUserinfo' | 'proxyPath' | 'proxyMissing' | 'noProxyEntry'

export interface ProxyProblem {
  field: ProxyField
  reason: ProxyProblemReason
  params?: Record<string, string>
  message: string
}

/** The longest proxy URL and no-proxy list accepted. */
export const MAX_PROXY_URL = 2048
export const MAX_NO_PROXY = 4096

/** A profile's proxy setting; a profile saved before issue 14 (no field) uses the system's. */
export function proxyOf(p: Pick<ProfileInput, 'proxy'>): ProfileProxy {
  return p.proxy ?? { mode: 'system' }
}

/** The proxy URLs of a manual setting by target scheme: `httpsProxy` empty -> `httpProxy` for https too. */
export function manualProxyUrls(p: ProfileProxy): { http?: string; https?: string } {
  const http = p.httpProxy?.trim() || undefined
  const https = p.httpsProxy?.trim() || http
  return { ...(http ? { http } : {}), ...(https ? { https } : {}) }
}

/** Why a proxy URL is refused, or null when it is an http:// or https:// proxy (see the table). */
export function proxyUrlProblem(url: string, field: ProxyField = 'httpProxy'): ProxyProblem | null {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase()
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(url) || url.length > MAX_PROXY_URL || !scheme) {
    return { field, reason: 'proxyNotUrl', message: 'A proxy must be a URL like http://proxy.example.com:3128.' }
  }
  if (/^socks/.test(scheme)) {
    return {
      field,
      reason: 'proxySocks',
      params: { scheme },
      message: `SOCKS proxies (${scheme}://) are not supported: use an HTTP proxy (http:// or https://).`,
    }
  }
  if (scheme !== 'http' && scheme !== 'https') {
    return { field, reason: 'proxyScheme', params: { scheme }, message: `A proxy URL must start with http:// or https://, not ${scheme}://.` }
  }
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return { field, reason: 'proxyNotUrl', message: 'A proxy must be a URL like http://proxy.example.com:3128.' }
  }
  if (!u.hostname) return { field, reason: 'proxyNoHost', message: 'The proxy URL names no host.' }
  if (u.username || u.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url)) {
    return {
      field,
      reason: 'proxyUserinfo',
      message: 'Proxy authentication is not supported yet: remove user:password@ from the proxy URL (a password there would be saved in clear).',
    }
  }
  if ((u.pathname && u.pathname !== '/') || u.search || u.hash) {
    return { field, reason: 'proxyPath', message: 'A proxy URL is scheme://host:port, without a path.' }
  }
  return null
}

/** One entry of a no-proxy list: `*`, a host or IP, `.domain` / `*.domain`, `host:port`, `[v6]:port`, an IPv4 CIDR. */
const NO_PROXY_ENTRY =
  /^(\*|(\*?\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?(:\d{1,5})?|\d{1,3}(\.\d{1,3}){3}(\/\d{1,2}|:\d{1,5})?|\[[0-9a-f:.]+\](:\d{1,5})?|[0-9a-f:.]*:[0-9a-f:.]+)$/i

/** The entries of a no-proxy list (commas and blanks separate them). */
export function noProxyEntries(list: string): string[] {
  return list.split(/[\s,]+/).filter(Boolean)
}

/** Every problem of a proxy setting (none for `system` and `none`: their URLs are not used, but still checked). */
export function proxyProblems(p: ProfileProxy): ProxyProblem[] {
  const out: ProxyProblem[] = []
  for (const field of ['httpProxy', 'httpsProxy'] as const) {
    const v = p[field]?.trim()
    if (v) {
      const problem = proxyUrlProblem(v, field)
      if (problem) out.push(problem)
    }
  }
  const list = p.noProxy ?? ''
  if (list.length > MAX_NO_PROXY) {
    out.push({
      field: 'noProxy',
      reason: 'noProxyEntry',
      params: { entry: `${list.slice(0, 32)}…` },
      message: `The no-proxy list is longer than ${MAX_NO_PROXY} characters.`,
    })
  } else {
    const bad = noProxyEntries(list).find((e) => !NO_PROXY_ENTRY.test(e))
    if (bad !== undefined) {
      out.push({
        field: 'noProxy',
        reason: 'noProxyEntry',
        params: { entry: bad },
        message: `“${bad}” is not a no-proxy entry (a host, .domain, host:port, IPv4 CIDR, or *).`,
      })
    }
  }
  if (p.mode === 'manual' && !p.httpProxy?.trim() && !p.httpsProxy?.trim()) {
    out.push({ field: 'httpProxy', reason: 'proxyMissing', message: 'A manual proxy needs a proxy URL (http://host:port).' })
  }
  return out
}
