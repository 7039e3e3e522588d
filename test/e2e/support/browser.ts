/**
 * Debian's Chromium through playwright-core (never a downloaded browser), with a fresh profile per launch.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM } from '../../support/cloud'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface LaunchedBrowser {
  context: BrowserContext
  /** A new tab that records console errors, page errors and CSP violations in `problems`. */
  newPage(): Promise<Page & { problems: string[] }>
  userDataDir: string
  close(): Promise<void>
}

export interface LaunchOptions {
  viewport?: { width: number; height: number }
  locale?: string
}

export async function launchBrowser(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'glance-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1360, height: 860 },
    locale: opts.locale ?? 'en-US',
  })
  return {
    context,
    userDataDir,
    async newPage() {
      const page = (await context.newPage()) as Page & { problems: string[] }
      page.problems = []
      page.on('console', (m) => {
        if (m.type() === 'error') page.problems.push(`console: ${m.text()}`)
      })
      page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`))
      return page
    },
    async close() {
      await context.close().catch(() => {})
      rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}
