/**
 * Starts the browser harness in-process for a test: a fresh temp data dir, an environment built from the test
 * cloud's credentials (OS_*), and helpers to open it, script its file dialogs and read its state.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { CloudCreds } from '../../support/cloud'
import type { PageGlobals } from './page'
import { startHarness, type Harness, type HarnessOptions } from '../../../web/harness'

/** The standard OS_* variables for a cloud (what `source admin-openrc.sh` would set). */
export function cloudEnv(cloud: CloudCreds): Record<string, string> {
  const env: Record<string, string> = {
    OS_AUTH_URL: cloud.authUrl,
    OS_USERNAME: cloud.username,
    OS_PASSWORD: cloud.password,
    OS_PROJECT_NAME: cloud.projectName,
    OS_USER_DOMAIN_NAME: cloud.userDomainName,
    OS_PROJECT_DOMAIN_NAME: cloud.projectDomainName,
    OS_REGION_NAME: cloud.region,
    OS_INTERFACE: cloud.interface,
    OS_IDENTITY_API_VERSION: '3',
  }
  if (cloud.cacert) env.OS_CACERT = cloud.cacert
  if (cloud.insecure) env.OS_INSECURE = 'true'
  return env
}

export interface TestHarness extends Harness {
  /** Navigates the page to the harness (with the secret) and waits for the app to mount. */
  open(page: Page, hash?: string): Promise<void>
  /** Queues the answer of the next file dialog: a path, or null for "cancelled". */
  setDialogAnswer(path: string | null): Promise<void>
  /** Dialogs asked, URLs opened, notifications shown (GET /__harness/state). */
  state(): Promise<HarnessState>
  /** Harness log lines (refused requests, dialogs, ...). */
  lines: string[]
}

export interface HarnessState {
  dialogsPending: number
  dialogsAsked: { kind: 'open' | 'save'; opts: Record<string, unknown> }[]
  opened: string[]
  notifications: { title: string; body: string }[]
  progress: number
  clients: number
}

export interface TestHarnessOptions extends Omit<HarnessOptions, 'env' | 'dataDir'> {
  /** The cloud whose OS_* the services see (a ready `env` profile). Omit for a cloud-less harness. */
  cloud?: CloudCreds | null
  /** Extra environment (merged over the cloud's). Nothing of process.env leaks in but PATH; HOME is the temp data dir. */
  env?: Record<string, string>
  /** Keep the data dir after close (for debugging). */
  keepData?: boolean
}

export async function startTestHarness(opts: TestHarnessOptions = {}): Promise<TestHarness> {
  const { cloud, env, keepData, ...rest } = opts
  const dataDir = mkdtempSync(join(tmpdir(), 'glance-e2e-'))
  const lines: string[] = []
  const harness = await startHarness({
    startQueue: true,
    ...rest,
    dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dataDir, // no clouds.yaml or other state from the machine's real home
      ...(cloud ? cloudEnv(cloud) : {}),
      ...(env ?? {}),
    },
    log: (l) => lines.push(l),
  })
  return {
    ...harness,
    lines,
    async open(page, hash = '') {
      await page.goto(`${harness.url}${hash}`)
      await page.waitForFunction(() => {
        const el = (globalThis as unknown as PageGlobals).document.querySelector('#app')
        return !!el && el.childElementCount > 0
      })
    },
    setDialogAnswer: (path) => setDialogAnswer(harness, path),
    async state() {
      const r = await fetch(`${harness.origin}/__harness/state`, { headers: { 'x-harness-token': harness.token } })
      if (!r.ok) throw new Error(`harness state: HTTP ${r.status}`)
      return (await r.json()) as HarnessState
    },
    async close() {
      await harness.close()
      if (!keepData) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Queues the answer of the harness's next file dialog (POST /__harness/dialog, authenticated). */
export async function setDialogAnswer(harness: Pick<Harness, 'origin' | 'token'>, path: string | null): Promise<void> {
  const r = await fetch(`${harness.origin}/__harness/dialog`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-harness-token': harness.token },
    body: JSON.stringify({ path }),
  })
  if (!r.ok) throw new Error(`harness dialog: HTTP ${r.status} ${await r.text()}`)
}
