import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'

export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../../test-results/screenshots')

/**
 * Waits (best effort, up to `timeout` ms, default 6 s) until no loading spinner is visible (Element Plus `.el-loading-mask`,
 * anything with aria-busy="true"), so screenshots show data rather than spinners. Never fails the test.
 */
export async function waitForIdle(page: Page, timeout = 6_000): Promise<void> {
  await page
    .waitForFunction(
      () => {
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getClientRects(): ArrayLike<unknown> }> } }).document
        const busy = Array.from(doc.querySelectorAll('.el-loading-mask, [aria-busy="true"]'))
        return busy.every((el) => el.getClientRects().length === 0)
      },
      undefined,
      { timeout, polling: 100 },
    )
    .catch(() => {})
}

/** Saves a full-page PNG as test-results/screenshots/<name>.png (after waitForIdle) and returns its path. */
export async function screenshot(page: Page, name: string, opts: { idle?: boolean } = {}): Promise<string> {
  if (opts.idle !== false) await waitForIdle(page)
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = resolve(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
