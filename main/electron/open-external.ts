/**
 * The one place that hands a URL to the operating system. Everything else (window.open, the Help menu, the
 * `app:openExternal` command through Platform.shell) calls openExternalChecked; eslint bans `shell.openExternal`
 * elsewhere.
 */
import { shell } from 'electron'
import { isSafeExternalUrl } from '../external'

/** Opens an http(s) URL in the user's browser; returns false (and opens nothing) for anything else. */
export async function openExternalChecked(url: string): Promise<boolean> {
  if (!isSafeExternalUrl(url)) return false
  // eslint-disable-next-line no-restricted-properties -- this is the checked helper
  await shell.openExternal(url, { activate: true })
  return true
}
