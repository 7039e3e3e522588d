/** The one check before anything is handed to the OS to open: http(s) URLs with a host, nothing else. */
export function isSafeExternalUrl(raw: unknown): boolean {
  if (typeof raw !== 'string' || raw.length > 4096) return false
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    return false
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false
  if (!u.hostname) return false
  if (u.username || u.password) return false
  return true
}

/**
 * Where the renderer may send the user's browser (`app:openExternal`, `window.open`): the project's documentation
 * and OpenStack's. A compromised renderer cannot use the app to open arbitrary sites (phishing pages, local
 * services, `http://` links that leak on the network). The menu's own links are main-process constants.
 */
export const EXTERNAL_HOSTS: readonly string[] = ['github.com', 'docs.openstack.org']

/** isSafeExternalUrl, and https, on one of EXTERNAL_HOSTS (exactly; no subdomain, no port). */
export function isAllowedExternalUrl(raw: unknown): boolean {
  if (!isSafeExternalUrl(raw)) return false
  const u = new URL(raw as string)
  return u.protocol === 'https:' && u.port === '' && EXTERNAL_HOSTS.includes(u.hostname.toLowerCase())
}
