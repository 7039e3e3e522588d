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
