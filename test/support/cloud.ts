/**
 * Which cloud the integration and end-to-end suites run against: the standard OS_* variables (source an openrc, or
 * run `npm run cloud:up`, which writes .cloud-state/*-openrc.sh and the test command picks them up).
 *
 * Without a cloud the suites are skipped with the reason; with REQUIRE_CLOUD=1 (CI) a missing cloud is a failure.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe } from 'vitest'

export interface CloudCreds {
  authUrl: string
  username: string
  password: string
  projectName: string
  userDomainName: string
  projectDomainName: string
  region: string
  interface: 'public' | 'internal' | 'admin'
  cacert?: string
  insecure?: boolean
}

const STATE = resolve(import.meta.dirname, '../../.cloud-state')

/** Parses `export OS_X=value` lines (quotes removed). Never executes anything. */
export function parseOpenrcVars(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?(OS_[A-Z0-9_]+)=(.*)$/.exec(line)
    if (!m) continue
    let v = m[2]!.trim()
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1)
    out[m[1]!] = v
  }
  return out
}

function fromVars(v: Record<string, string | undefined>): CloudCreds | null {
  if (!v.OS_AUTH_URL || !v.OS_USERNAME || !v.OS_PASSWORD || !v.OS_PROJECT_NAME) return null
  const c: CloudCreds = {
    authUrl: v.OS_AUTH_URL,
    username: v.OS_USERNAME,
    password: v.OS_PASSWORD,
    projectName: v.OS_PROJECT_NAME,
    userDomainName: v.OS_USER_DOMAIN_NAME ?? 'Default',
    projectDomainName: v.OS_PROJECT_DOMAIN_NAME ?? 'Default',
    region: v.OS_REGION_NAME ?? 'RegionOne',
    interface: (v.OS_INTERFACE as CloudCreds['interface']) ?? 'public',
  }
  if (v.OS_CACERT) c.cacert = v.OS_CACERT
  if (v.OS_INSECURE === 'true' || v.OS_INSECURE === '1') c.insecure = true
  return c
}

function fromStateFile(name: string): CloudCreds | null {
  const f = resolve(process.env.CLOUD_STATE_DIR ?? STATE, name)
  if (!existsSync(f)) return null
  return fromVars(parseOpenrcVars(readFileSync(f, 'utf8')))
}

/** The admin cloud: OS_* from the environment, else the loopback cloud's admin-openrc.sh. */
export function adminCloud(): CloudCreds | null {
  return fromVars(process.env) ?? fromStateFile('admin-openrc.sh')
}
/** A member (non-admin) user of the same cloud: OS_MEMBER_* variables or the loopback cloud's demo user. */
export function memberCloud(): CloudCreds | null {
  const e = process.env
  if (e.OS_MEMBER_USERNAME && e.OS_MEMBER_PASSWORD && e.OS_MEMBER_PROJECT_NAME) {
    const base = adminCloud()
    if (!base) return null
    return { ...base, username: e.OS_MEMBER_USERNAME, password: e.OS_MEMBER_PASSWORD, projectName: e.OS_MEMBER_PROJECT_NAME }
  }
  return fromStateFile('demo-openrc.sh')
}
/** The reader user of the loopback cloud, if any. */
export function readerCloud(): CloudCreds | null {
  return fromStateFile('reader-openrc.sh')
}

const REASON = 'no cloud: set OS_AUTH_URL/OS_USERNAME/OS_PASSWORD/OS_PROJECT_NAME or run `npm run cloud:up`'

/**
 * `describe` when a cloud is available, else `describe.skip` (with the reason printed). Under REQUIRE_CLOUD=1 a missing
 * cloud throws instead, failing the run.
 */
export function describeCloud(name: string, fn: (cloud: CloudCreds) => void): void {
  const cloud = adminCloud()
  if (!cloud) {
    if (process.env.REQUIRE_CLOUD === '1') throw new Error(`REQUIRE_CLOUD=1 but ${REASON}`)
    describe.skip(`${name} (skipped: ${REASON})`, () => {})
    return
  }
  describe(name, () => fn(cloud))
}

/** Like describeCloud for suites that need Debian's Chromium as well. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export function describeBrowser(name: string, fn: (cloud: CloudCreds) => void): void {
  if (!existsSync(CHROMIUM)) {
    if (process.env.REQUIRE_CLOUD === '1') throw new Error(`REQUIRE_CLOUD=1 but no Chromium at ${CHROMIUM} (apt-get install chromium)`)
    describe.skip(`${name} (skipped: no Chromium at ${CHROMIUM})`, () => {})
    return
  }
  describeCloud(name, fn)
}
