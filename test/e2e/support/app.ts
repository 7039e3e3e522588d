/**
 * How most e2e suites start: the browser harness for a cloud, Chromium, and the app on its images page with the list
 * and the permissions loaded.
 */
import type { Locator, Page } from 'playwright-core'
import type { CloudCreds } from '../../support/cloud'
import { launchBrowser, type LaunchOptions, type LaunchedBrowser } from './browser'
import { startTestHarness, type TestHarness, type TestHarnessOptions } from './harness'
import { tid, waitForCaps, waitForImages } from './ui'

export interface OpenedApp {
  h: TestHarness
  browser: LaunchedBrowser
  page: Page
}

export async function openImagesApp(
  cloud: CloudCreds,
  opts: { harness?: Omit<TestHarnessOptions, 'cloud'>; browser?: LaunchOptions } = {},
): Promise<OpenedApp> {
  const h = await startTestHarness({ cloud, ...opts.harness })
  const browser = await launchBrowser(opts.browser)
  const page = await browser.newPage()
  await h.open(page, '#/images')
  await waitForImages(page)
  await waitForCaps(page)
  return { h, browser, page }
}

/**
 * Opens the create dialog, picks `path` as the local file (the harness answers the file dialog), waits for the
 * inspection and fills in the name. Returns the dialog, for the caller to go on (more fields, submit or draft).
 */
export async function createFromFile(page: Page, h: TestHarness, path: string, name: string): Promise<Locator> {
  await page.locator(tid('btn-create-image')).click()
  const dialog = page.locator(tid('create-dialog'))
  await dialog.waitFor()
  await h.setDialogAnswer(path)
  await dialog.locator(tid('create-source-file')).click()
  await dialog.locator(tid('create-inspection')).waitFor({ timeout: 30_000 })
  await dialog.locator(tid('create-name')).fill(name)
  return dialog
}

/**
 * Presses the create dialog's Create (or Save as draft) button, and again when the first press only showed the
 * cross-field warnings ("Create anyway"); waits for the dialog to close.
 */
export async function submitCreate(dialog: Locator, button: 'create-submit' | 'create-draft' = 'create-submit'): Promise<void> {
  await dialog.locator(tid(button)).click()
  if (await dialog.locator(tid('create-warnings')).isVisible()) await dialog.locator(tid(button)).click()
  await dialog.waitFor({ state: 'hidden', timeout: 30_000 })
}
