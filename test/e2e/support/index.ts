/** Shared helpers for the end-to-end suites (harness + Debian's Chromium). */
export { launchBrowser, CHROMIUM_ARGS, type LaunchedBrowser, type LaunchOptions } from './browser'
export { startTestHarness, setDialogAnswer, cloudEnv, type TestHarness, type TestHarnessOptions, type HarnessState } from './harness'
export { screenshot, waitForIdle, SCREENSHOT_DIR } from './screenshot'
export type { PageGlobals } from './page'
export { openImagesApp, createFromFile, submitCreate, type OpenedApp } from './app'
