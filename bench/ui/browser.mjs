// The one Chromium launch of the UI scripts (bench/ui.mjs, bench/ui/coldstart.mjs, profile.mjs, screenshots.mjs):
// Debian's Chromium (CHROMIUM_PATH to override), headless, in a fresh profile directory (a cold start every time).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A persistent context in a new temporary profile dir named by `prefix`; `options`: viewport, locale, ... */
export async function launchBrowser(prefix, options = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), prefix))
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS, ...options })
  return { context, userDataDir }
}
