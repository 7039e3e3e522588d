/**
 * Which cloud the integration and end-to-end suites run against: the standard OS_* variables (source an openrc), or the
 * loopback test cloud of `npm run cloud:up` (test/cloud/up.sh), which writes .cloud-state/{admin,demo,reader}-openrc.sh.
 *
 * Without a cloud (no credentials, or nothing answers at the auth URL) the suites are skipped and the reason is printed;
 * with REQUIRE_CLOUD=1 (CI) that is a failure instead.
 *
 * Extra clouds for fault tests (test/cloud/profiles/*.env, started by `test/cloud/up.sh --profile NAME`, and by .ci/run):
 *   faultCloud()      .cloud-state-faults      image size cap 1 MiB, tokens live 30 s; services may be stopped/killed (cloudService)
 *   shortTokenCloud() .cloud-state-shorttoken  Keystone tokens live 20 s
 * each also from OS_FAULT_* / OS_SHORTTOKEN_* variables (OS_FAULT_AUTH_URL, OS_FAULT_USERNAME...).
 */
import { spawnSync, execFile } from 'node:child_process'
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

export const REPO_ROOT = resolve(import.meta.dirname, '../..')
const STATE = resolve(REPO_ROOT, '.cloud-state')

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

/** OS_<PREFIX>_X variables renamed to OS_X (e.g. OS_FAULT_AUTH_URL -> OS_AUTH_URL). */
function prefixedVars(prefix: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  const p = `OS_${prefix}_`
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith(p)) out[`OS_${k.slice(p.length)}`] = v
  return out
}

export type CloudUser = 'admin' | 'demo' | 'reader'
const OPENRC: Record<CloudUser, string> = { admin: 'admin-openrc.sh', demo: 'demo-openrc.sh', reader: 'reader-openrc.sh' }

/** Credentials of one user of a loopback cloud started by test/cloud/up.sh in `stateDir`, or null. */
export function cloudFromState(stateDir: string, user: CloudUser = 'admin'): CloudCreds | null {
  const f = resolve(stateDir, OPENRC[user])
  if (!existsSync(f)) return null
  return fromVars(parseOpenrcVars(readFileSync(f, 'utf8')))
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

// ------------------------------------------------------------ extra clouds --

/** Profiles of test/cloud/profiles/*.env that tests use. */
export type CloudProfile = 'faults' | 'shorttoken'
const PROFILE_ENV: Record<CloudProfile, string> = { faults: 'FAULT', shorttoken: 'SHORTTOKEN' }

/** The state dir of a profile's loopback cloud: CLOUD_STATE_DIR_FAULTS / _SHORTTOKEN, else <repo>/.cloud-state-NAME. */
export function profileStateDir(profile: CloudProfile): string {
  return process.env[`CLOUD_STATE_DIR_${profile.toUpperCase()}`] ?? resolve(REPO_ROOT, `.cloud-state-${profile}`)
}

/** A user of a profile's cloud: OS_<FAULT|SHORTTOKEN>_* variables (admin only), else the profile's state dir. */
export function profileCloud(profile: CloudProfile, user: CloudUser = 'admin'): CloudCreds | null {
  if (user === 'admin') {
    const env = fromVars(prefixedVars(PROFILE_ENV[profile]))
    if (env) return env
  }
  return cloudFromState(profileStateDir(profile), user)
}

/** Second cloud (profile `faults`): Glance image size cap 1 MiB, tokens live 30 s; its services may be stopped and killed. */
export function faultCloud(user: CloudUser = 'admin'): CloudCreds | null {
  return profileCloud('faults', user)
}
/** Third cloud (profile `shorttoken`): Keystone tokens expire after 20 s; its services may be stopped and killed. */
export function shortTokenCloud(user: CloudUser = 'admin'): CloudCreds | null {
  return profileCloud('shorttoken', user)
}

/** The settings a loopback cloud was created with (ports, GLANCE_IMAGE_SIZE_CAP, KEYSTONE_TOKEN_EXPIRATION...). */
export function cloudSettings(stateDir: string): Record<string, string> {
  const f = resolve(stateDir, 'lab-settings.sh')
  const out: Record<string, string> = {}
  if (!existsSync(f)) return out
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line)
    if (m) out[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1').replace(/\\(.)/g, '$1')
  }
  return out
}

export type CloudServiceName = 'glance1' | 'glance2' | 'keystone' | 'cinder'
/**
 * Stops, kills, starts or restarts one service of a loopback cloud (test/cloud/glance.sh). Resolves when done (a start
 * waits until the service answers); rejects with the script's output on failure. Only for clouds with a state dir.
 */
export function cloudService(stateDir: string, action: 'stop' | 'kill' | 'start' | 'restart' | 'status', name: CloudServiceName = 'glance1'): Promise<string> {
  const script = resolve(REPO_ROOT, 'test/cloud/glance.sh')
  return new Promise((resolveP, reject) => {
    execFile('bash', [script, stateDir, action, name], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && !(action === 'status' && err.code === 3)) reject(new Error(`glance.sh ${action} ${name} failed: ${stderr || err.message}`))
      else resolveP(`${stdout}${stderr}`)
    })
  })
}

// ------------------------------------------------------------ availability --

const probes = new Map<string, string | null>()
/** null when something accepts TCP connections at the URL's host:port, else why not. Synchronous, cached. */
function unreachable(url: string): string | null {
  if (process.env.CLOUD_PROBE === '0') return null
  const cached = probes.get(url)
  if (cached !== undefined) return cached
  let reason: string | null = null
  try {
    const u = new URL(url)
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80))
    const code =
      'const s=require("net").connect(Number(process.argv[2]),process.argv[1]);' +
      's.setTimeout(3000,()=>{console.log("timeout");process.exit(1)});' +
      's.on("connect",()=>process.exit(0));s.on("error",(e)=>{console.log(e.code||e.message);process.exit(1)})'
    const r = spawnSync(process.execPath, ['-e', code, u.hostname, String(port)], { timeout: 6000, encoding: 'utf8' })
    if (r.status !== 0) reason = `nothing answers at ${url} (${(r.stdout || 'timeout').trim()})`
  } catch (e) {
    reason = `bad auth URL ${url}: ${String(e)}`
  }
  probes.set(url, reason)
  return reason
}

const REASON = 'no cloud: set OS_AUTH_URL/OS_USERNAME/OS_PASSWORD/OS_PROJECT_NAME or run `npm run cloud:up`'

function skipOrFail(name: string, reason: string): void {
  if (process.env.REQUIRE_CLOUD === '1') throw new Error(`REQUIRE_CLOUD=1 but ${reason}`)
  // printed by vitest with the file name, so `npm test` shows why a suite did not run
  console.warn(`[cloud] SKIPPED "${name}": ${reason}`)
  describe.skip(`${name} (skipped: ${reason})`, () => {})
}

function describeWith(name: string, cloud: CloudCreds | null, missing: string, fn: (cloud: CloudCreds) => void): void {
  if (!cloud) return skipOrFail(name, missing)
  const down = unreachable(cloud.authUrl)
  if (down) return skipOrFail(name, `${down}; start it with \`npm run cloud:up\``)
  describe(name, () => fn(cloud))
}

/**
 * `describe` when a cloud is available, else `describe.skip` (with the reason printed). Under REQUIRE_CLOUD=1 a missing
 * cloud throws instead, failing the run.
 */
export function describeCloud(name: string, fn: (cloud: CloudCreds) => void): void {
  describeWith(name, adminCloud(), REASON, fn)
}

/** describeCloud for the `faults` cloud (faultCloud()). */
export function describeFaultCloud(name: string, fn: (cloud: CloudCreds) => void): void {
  describeWith(name, faultCloud(), `no fault cloud: set OS_FAULT_* or run \`test/cloud/up.sh --profile faults\``, fn)
}
/** describeCloud for the `shorttoken` cloud (shortTokenCloud()). */
export function describeShortTokenCloud(name: string, fn: (cloud: CloudCreds) => void): void {
  describeWith(name, shortTokenCloud(), `no short-token cloud: set OS_SHORTTOKEN_* or run \`test/cloud/up.sh --profile shorttoken\``, fn)
}

/** Like describeCloud for suites that need Debian's Chromium as well. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export function describeBrowser(name: string, fn: (cloud: CloudCreds) => void): void {
  if (!existsSync(CHROMIUM)) return skipOrFail(name, `no Chromium at ${CHROMIUM} (apt-get install chromium)`)
  describeCloud(name, fn)
}
