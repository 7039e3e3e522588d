/**
 * Which URLs are the app's own: `app://glance/...` in production, the electron-vite dev server in development.
 * Pure: no Electron import.
 */
import { APP_ORIGIN_STRING } from './scheme'

export function originOf(raw: string): string | null {
  try {
    const u = new URL(raw)
    // URL.origin is "null" for non-special schemes unless registered; compute it ourselves.
    if (!u.host) return null
    return `${u.protocol}//${u.host}`
  } catch {
    return null
  }
}

/** A predicate for "this URL is our app", given the dev server URL (if any). */
export function appUrlMatcher(devServerUrl?: string): (url: string) => boolean {
  const allowed = new Set<string>([APP_ORIGIN_STRING])
  if (devServerUrl) {
    const o = originOf(devServerUrl)
    if (o) allowed.add(o)
  }
  return (url) => {
    if (typeof url !== 'string') return false
    const o = originOf(url)
    return o !== null && allowed.has(o)
  }
}
