/**
 * Which proxy a request goes through: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY (either case), pure; and
 * (issue 14) the one place a profile's proxy setting becomes those variables for its HttpClient (`proxyEnvFor`).
 */
import net from 'node:net'
import type { ProfileInput } from '../../preload/api'
import { manualProxyUrls, proxyOf } from '../../preload/rules/proxy'

export type ProxyEnv = Record<string, string | undefined>

/** The variables proxyFor reads (both cases). */
export const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'] as const

/**
 * The proxy variables a profile's requests use (Keystone, Glance, Cinder, transfers, the URL probe, test connection,
 * the certificate look-up): `system` (and a profile without the setting) -> the app's own environment's; `none` ->
 * none (direct, whatever the environment says); `manual` -> the profile's URLs and no-proxy list only. Only proxy
 * variables are returned: nothing else of the environment reaches the HTTP layer.
 */
export function proxyEnvFor(profile: Pick<ProfileInput, 'proxy'>, processEnv: ProxyEnv = process.env): ProxyEnv {
  const p = proxyOf(profile)
  switch (p.mode) {
    case 'none':
      return {}
    case 'manual': {
      const urls = manualProxyUrls(p)
      const out: ProxyEnv = {}
      if (urls.http) out.HTTP_PROXY = urls.http
      if (urls.https) out.HTTPS_PROXY = urls.https
      if (p.noProxy?.trim()) out.NO_PROXY = p.noProxy.trim()
      return out
    }
    case 'system': {
      const out: ProxyEnv = {}
      for (const k of PROXY_VARIABLES) if (processEnv[k] !== undefined) out[k] = processEnv[k]
      return out
    }
  }
}

/** The proxy for a target URL from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (either case), or null for a direct connection. */
export function proxyFor(target: string | URL, env: ProxyEnv = process.env): URL | null {
  const u = typeof target === 'string' ? new URL(target) : target
  const isHttps = u.protocol === 'https:'
  const raw = isHttps
    ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.ALL_PROXY ?? env.all_proxy)
    : (env.HTTP_PROXY ?? env.http_proxy ?? env.ALL_PROXY ?? env.all_proxy)
  if (!raw) return null
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').trim()
  if (noProxy && matchesNoProxy(u, noProxy)) return null
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`)
  } catch {
    return null
  }
}

function matchesNoProxy(u: URL, noProxy: string): boolean {
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const port = u.port || (u.protocol === 'https:' ? '443' : '80')
  for (let entry of noProxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') return true
    let entryPort: string | undefined
    const m = /^(.*):(\d+)$/.exec(entry)
    if (m && !entry.startsWith('[') && (m[1]!.includes('.') || !m[1]!.includes(':'))) {
      entry = m[1]!
      entryPort = m[2]
    }
    entry = entry.replace(/^\[|\]$/g, '')
    if (entryPort && entryPort !== port) continue
    if (entry.startsWith('*.')) entry = entry.slice(1)
    if (entry.startsWith('.')) {
      if (host.endsWith(entry) || host === entry.slice(1)) return true
    } else if (host === entry || host.endsWith(`.${entry}`)) return true
    else if (entry.includes('/') && net.isIP(host) === 4 && inCidr(host, entry)) return true
  }
  return false
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsS] = cidr.split('/')
  const bits = Number(bitsS)
  if (!base || net.isIP(base) !== 4 || !(bits >= 0 && bits <= 32)) return false
  const toInt = (a: string) => a.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
  return (toInt(ip) & mask) === (toInt(base) & mask)
}
