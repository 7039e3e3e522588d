/**
 * clouds.yaml / secure.yaml: the standard search order, parsing with file:line errors, the conversion of one cloud entry
 * into a ProfileInput (+ its secret), and export of profiles as clouds.yaml (never with secrets).
 *
 * Pure apart from `loadCloudsYaml`, which reads the standard locations (read-only).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { LineCounter, isMap, parseDocument, stringify, type Node as YamlNode } from 'yaml'
import { AppError, appCredentialAuth, passwordAuth, type AuthType, type Interface, type ProfileAuth, type ProfileInput } from '../../preload/api'
import { defaultProfileInput, isHttpUrl, profileProblemList, zProfileFields } from './model'
import type { ReasonData, ReasonParams } from '../../preload/rules/messages'
import { unreachable } from '../../preload/rules/profile-auth'

/** One profile found in a file (or the environment), before the user decides what to do with it. */
export interface ParsedProfile {
  /** The cloud's name in the file, or a name made up for an openrc. */
  name: string
  profile: ProfileInput
  secret?: string
  warnings: string[]
  /** Why it cannot be created as it is. */
  errors: string[]
  /** B3: the same warnings and errors as reasons (the UI words errorReason.PROFILE_IMPORT.<reason>; the strings are the English fallback). */
  issues: { warnings: ReasonData[]; errors: ReasonData[] }
  /** `file:line` where it was found. */
  origin: string
}

/** B3: adds one warning or error both as a reason (for the UI) and as its English sentence (logs, CLI). */
export function note(list: string[], reasons: ReasonData[], reason: string, params: ReasonParams, english: string): void {
  list.push(english)
  reasons.push({ reason, params })
}

export type CloudEntry = Record<string, unknown>

const MAX_FILE = 1024 * 1024

export function parseError(file: string, message: string, line?: number, col?: number): AppError {
  const where = line ? `${file}:${line}${col ? `:${col}` : ''}` : file
  return new AppError({
    code: 'VALIDATION',
    message: `${where}: ${message}`,
    details: { file, ...(line ? { line } : {}), ...(col ? { column: col } : {}) },
  })
}

/** Reads a small text file for import, with errors that name it. */
export function readImportFile(path: string): string {
  let size: number
  try {
    const st = statSync(path)
    if (st.isDirectory()) throw new AppError({ code: 'FILE', message: `${path} is a folder; choose a file.` })
    size = st.size
  } catch (e) {
    if (e instanceof AppError) throw e
    const code = (e as NodeJS.ErrnoException).code
    throw new AppError({
      code: 'FILE',
      message: `Cannot read ${path}: ${code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : (e as Error).message}.`,
    })
  }
  if (size > MAX_FILE) throw new AppError({ code: 'FILE', message: `${path} is too large for a configuration file (${size} bytes).` })
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw new AppError({ code: 'FILE', message: `Cannot read ${path}: ${(e as Error).message}.` })
  }
}

interface ParsedYaml {
  clouds: Record<string, CloudEntry>
  /** cloud name -> line number */
  lines: Record<string, number>
}

/** Parses a clouds.yaml or secure.yaml text. Throws a VALIDATION AppError naming the file and line. */
export function parseCloudsText(text: string, file: string): ParsedYaml {
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true })
  const err = doc.errors[0]
  if (err) {
    const pos = err.linePos?.[0] ?? lc.linePos(err.pos[0])
    throw parseError(file, `not valid YAML: ${err.message.split('\n')[0]}`, pos.line, pos.col)
  }
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as YamlNode | undefined)?.range
    return range ? lc.linePos(range[0]).line : undefined
  }
  const root: unknown = doc.toJS({ maxAliasCount: 100 })
  if (root === null || root === undefined) return { clouds: {}, lines: {} }
  if (typeof root !== 'object' || Array.isArray(root)) throw parseError(file, 'expected a mapping with a `clouds:` key', 1)
  const cloudsNode = doc.get('clouds', true)
  const clouds = (root as Record<string, unknown>).clouds
  if (clouds === undefined || clouds === null) return { clouds: {}, lines: {} }
  if (typeof clouds !== 'object' || Array.isArray(clouds) || !isMap(cloudsNode)) {
    throw parseError(file, '`clouds` must be a mapping of cloud names to settings', lineOf(cloudsNode))
  }
  const out: Record<string, CloudEntry> = {}
  const lines: Record<string, number> = {}
  for (const pair of cloudsNode.items) {
    const name = String((pair.key as { value?: unknown } | null)?.value ?? pair.key)
    const value = (clouds as Record<string, unknown>)[name]
    const line = lineOf(pair.key) ?? lineOf(pair.value)
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw parseError(file, `cloud "${name}" must be a mapping of settings`, line)
    }
    const auth = (value as CloudEntry).auth
    if (auth !== undefined && (auth === null || typeof auth !== 'object' || Array.isArray(auth))) {
      throw parseError(file, `cloud "${name}": \`auth\` must be a mapping`, lineOf(doc.getIn(['clouds', name, 'auth'], true)) ?? line)
    }
    out[name] = value as CloudEntry
    if (line) lines[name] = line
  }
  return { clouds: out, lines }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v)
}

/** secure.yaml values override clouds.yaml ones, key by key (deep for mappings), as openstacksdk does. */
export function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = out[k]
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeDeep(b, v) : v
  }
  return out
}

const INTERFACES: Record<string, Interface> = {
  public: 'public',
  publicurl: 'public',
  internal: 'internal',
  internalurl: 'internal',
  admin: 'admin',
  adminurl: 'admin',
}

function s(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (typeof v === 'string') return v.trim()
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return ''
}

const PASSWORD_TYPES = new Set(['', 'password', 'v3password'])
const APPCRED_TYPES = new Set(['v3applicationcredential', 'applicationcredential', 'application_credential', 'v3_application_credential'])
const CLIENT_CERT_KEYS = ['cert', 'key']

/** The credentials of one clouds.yaml entry, of the kind its auth_type names. */
function authFromEntry(kind: AuthType, auth: Record<string, unknown>, entry: CloudEntry): ProfileAuth {
  const domainName = s(auth.domain_name ?? entry.default_domain_name)
  const domainId = s(auth.domain_id ?? entry.default_domain ?? entry.default_domain_id)
  const userDomainId = s(auth.user_domain_id) || (s(auth.user_domain_name) ? '' : domainId)
  const user = {
    username: s(auth.username ?? auth.user_name),
    userId: s(auth.user_id),
    userDomainName: s(auth.user_domain_name) || (userDomainId ? '' : domainName || 'Default'),
    ...(userDomainId ? { userDomainId } : {}),
  }
  switch (kind) {
    case 'applicationCredential':
      return appCredentialAuth({ appCredentialId: s(auth.application_credential_id), appCredentialName: s(auth.application_credential_name), ...user })
    case 'password': {
      const projectDomainId = s(auth.project_domain_id) || (s(auth.project_domain_name) ? '' : domainId)
      return passwordAuth({
        ...user,
        projectName: s(auth.project_name ?? auth.tenant_name),
        projectId: s(auth.project_id ?? auth.tenant_id),
        projectDomainName: s(auth.project_domain_name) || (projectDomainId ? '' : domainName || 'Default'),
        ...(projectDomainId ? { projectDomainId } : {}),
      })
    }
    default:
      return unreachable(kind)
  }
}

/** The warning for a cloud whose files hold no secret, by kind. */
function missingSecret(a: ProfileAuth): { reason: string; english: string } {
  switch (a.type) {
    case 'password':
      return { reason: 'noPassword', english: 'No password in the file: enter it before connecting.' }
    case 'applicationCredential':
      return { reason: 'noAppCredentialSecret', english: 'No application credential secret in the file: enter it before connecting.' }
    default:
      return unreachable(a)
  }
}

/**
 * One clouds.yaml entry (already merged with secure.yaml) -> a profile. Never throws: problems go to `errors`
 * (cannot be created) or `warnings` (created, but something was not carried over).
 */
export function profileFromCloudEntry(name: string, entry: CloudEntry, origin = name): ParsedProfile {
  const warnings: string[] = []
  const errors: string[] = []
  const issues: ParsedProfile['issues'] = { warnings: [], errors: [] }
  const warn = (reason: string, params: ReasonParams, english: string): void => note(warnings, issues.warnings, reason, params, english)
  const fail = (reason: string, params: ReasonParams, english: string): void => note(errors, issues.errors, reason, params, english)
  const auth = isPlainObject(entry.auth) ? entry.auth : {}
  const authType = s(entry.auth_type).toLowerCase()
  const p = defaultProfileInput({ name: name.slice(0, 128) })

  let secret: string | undefined
  // an unsupported auth_type is an error (the candidate cannot be created); it is shown with password fields
  let kind: AuthType = 'password'
  if (APPCRED_TYPES.has(authType)) {
    kind = 'applicationCredential'
    secret = s(auth.application_credential_secret) || undefined
  } else if (PASSWORD_TYPES.has(authType)) {
    secret = typeof auth.password === 'string' || typeof auth.password === 'number' ? String(auth.password) : undefined
    if (!authType && (auth.application_credential_id || auth.application_credential_secret)) {
      kind = 'applicationCredential'
      secret = s(auth.application_credential_secret) || undefined
    }
  } else {
    fail('authType', { authType }, `auth_type "${authType}" is not supported (use password or v3applicationcredential).`)
  }

  p.authUrl = s(auth.auth_url)
  if (!p.authUrl) {
    if (entry.profile) fail('vendorProfile', { profile: s(entry.profile) }, `vendor profile "${s(entry.profile)}" is not supported: set auth.auth_url.`)
    else fail('noAuthUrl', {}, 'auth.auth_url is missing.')
  } else if (!isHttpUrl(p.authUrl)) {
    fail('authUrlNotHttp', { url: p.authUrl }, `auth.auth_url "${p.authUrl}" is not an http(s) URL.`)
  }

  p.auth = authFromEntry(kind, auth, entry)

  // Regions: `regions` (strings or {name}) and/or `region_name`.
  const regions: string[] = []
  if (entry.regions !== undefined) {
    if (!Array.isArray(entry.regions)) warn('regionsNotList', {}, '`regions` is not a list; ignored.')
    else
      for (const r of entry.regions) {
        const rn = typeof r === 'string' ? r.trim() : isPlainObject(r) ? s(r.name) : ''
        if (!rn) warn('regionNoName', {}, 'a region without a name was ignored.')
        else if (!regions.includes(rn)) regions.push(rn)
      }
  }
  const regionName = s(entry.region_name)
  if (regionName && !regions.includes(regionName)) regions.unshift(regionName)
  p.regions = regions
  p.defaultRegion = regionName || regions[0] || ''

  const iface = s(entry.interface ?? entry.endpoint_type).toLowerCase()
  if (iface) {
    const mapped = INTERFACES[iface]
    if (mapped) p.interface = mapped
    else warn('interfaceUnknown', { interface: iface }, `interface "${iface}" is unknown; using public.`)
  }

  const cacert = s(entry.cacert)
  if (cacert) p.caFile = cacert
  const verify = entry.verify
  if (verify === false || (typeof verify === 'string' && /^(false|no|0)$/i.test(verify))) {
    p.insecure = true
    warn('verifyOff', {}, 'TLS certificate verification is turned off for this cloud (verify: false).')
  } else if (typeof verify === 'string' && verify && !/^(true|yes|1)$/i.test(verify)) {
    p.caFile = p.caFile || verify
  }
  for (const k of CLIENT_CERT_KEYS) if (entry[k]) warn('clientCert', { key: k }, `client certificates (${k}) are not supported; ignored.`)

  const idv = s(entry.identity_api_version)
  if (idv && !idv.startsWith('3')) warn('identityVersion', { version: idv }, `identity_api_version ${idv} is not supported; Keystone v3 is used.`)

  const overrides: Record<string, string> = {}
  const ov = (k: string, type: string): void => {
    const v = s(entry[k])
    if (v) {
      if (isHttpUrl(v)) overrides[type] = v
      else warn('overrideNotHttp', { key: k }, `${k} is not an http(s) URL; ignored.`)
    }
  }
  ov('image_endpoint_override', 'image')
  ov('volume_endpoint_override', 'volumev3')
  ov('block_storage_endpoint_override', 'volumev3')
  p.endpointOverrides = overrides

  if (secret === undefined) {
    const missing = missingSecret(p.auth)
    warn(missing.reason, {}, missing.english)
  }

  // Everything the schema would refuse, in words.
  if (!errors.length) {
    for (const x of profileProblemList(p)) fail(x.reason, x.params ?? {}, x.message)
    const r = zProfileFields.safeParse(p)
    if (!r.success) {
      for (const i of r.error.issues.slice(0, 3)) {
        const field = i.path.join('.') || 'profile'
        fail('invalidField', { field, detail: i.message }, `${field}: ${i.message}`)
      }
    }
  }
  const out: ParsedProfile = { name, profile: p, warnings, errors, issues, origin }
  if (secret !== undefined && secret !== '') out.secret = secret
  return out
}

/** Parses clouds.yaml (+ secure.yaml) texts into candidate profiles. Throws on malformed YAML (file:line). */
export function parseCloudsYaml(text: string, file = 'clouds.yaml', secureText?: string, secureFile = 'secure.yaml'): ParsedProfile[] {
  const main = parseCloudsText(text, file)
  const secure = secureText !== undefined ? parseCloudsText(secureText, secureFile) : { clouds: {}, lines: {} }
  const out: ParsedProfile[] = []
  for (const [name, entry] of Object.entries(main.clouds)) {
    const merged = secure.clouds[name] ? mergeDeep(entry, secure.clouds[name]!) : entry
    const line = main.lines[name]
    out.push(profileFromCloudEntry(name, merged, line ? `${file}:${line}` : file))
  }
  for (const name of Object.keys(secure.clouds)) {
    if (!(name in main.clouds)) {
      const first = out[0]
      if (first)
        note(
          first.warnings,
          first.issues.warnings,
          'secureOnly',
          { secureFile, file, name },
          `${secureFile} has a cloud "${name}" that ${file} does not; ignored.`,
        )
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Standard locations
// ---------------------------------------------------------------------------------------------------------------

export interface LocateOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  home?: string
  platform?: NodeJS.Platform
}

/** Folders openstacksdk searches, in order: the current folder, the user's config folder, the system one. */
export function standardConfigDirs(opts: LocateOptions = {}): string[] {
  const env = opts.env ?? process.env
  const home = opts.home ?? homedir()
  const cwd = opts.cwd ?? process.cwd()
  const platform = opts.platform ?? process.platform
  const dirs = [cwd]
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA ?? join(home, 'AppData', 'Local')
    dirs.push(join(local, 'OpenStack', 'openstack'), join(env.PROGRAMDATA ?? 'C:\\ProgramData', 'OpenStack', 'openstack'))
  } else if (platform === 'darwin') {
    dirs.push(join(home, 'Library', 'Application Support', 'openstack'), join(home, '.config', 'openstack'), '/Library/Application Support/openstack')
  } else {
    dirs.push(join(env.XDG_CONFIG_HOME || join(home, '.config'), 'openstack'))
  }
  if (platform !== 'win32') dirs.push('/etc/openstack')
  return [...new Set(dirs)]
}

function firstExisting(candidates: string[]): string | undefined {
  for (const c of candidates) {
    try {
      if (existsSync(c) && statSync(c).isFile()) return c
    } catch {
      /* unreadable: try the next */
    }
  }
  return undefined
}

/** The clouds.yaml and secure.yaml files that would be used (OS_CLIENT_CONFIG_FILE / OS_CLIENT_SECURE_FILE first). */
export function locateCloudsYaml(opts: LocateOptions = {}): { clouds?: string; secure?: string } {
  const env = opts.env ?? process.env
  const dirs = standardConfigDirs(opts)
  const names = (base: string): string[] => dirs.flatMap((d) => [join(d, `${base}.yaml`), join(d, `${base}.yml`)])
  const cloudsList = [...(env.OS_CLIENT_CONFIG_FILE ? [resolve(env.OS_CLIENT_CONFIG_FILE)] : []), ...names('clouds')]
  const secureList = [...(env.OS_CLIENT_SECURE_FILE ? [resolve(env.OS_CLIENT_SECURE_FILE)] : []), ...names('secure')]
  const out: { clouds?: string; secure?: string } = {}
  const c = firstExisting(cloudsList)
  const sec = firstExisting(secureList)
  if (c) out.clouds = c
  if (sec) out.secure = sec
  return out
}

export interface LoadedClouds {
  /** The files read. */
  files: string[]
  profiles: ParsedProfile[]
}

/**
 * Loads clouds.yaml (+ secure.yaml) from `file` or from the standard locations. Returns null when there is none.
 * With `file`, a secure.yaml next to it is used when present. Throws VALIDATION (file:line) on malformed YAML.
 */
export function loadCloudsYaml(opts: LocateOptions & { file?: string } = {}): LoadedClouds | null {
  let cloudsPath: string | undefined
  let securePath: string | undefined
  if (opts.file) {
    cloudsPath = opts.file
    securePath = firstExisting([join(dirname(opts.file), 'secure.yaml'), join(dirname(opts.file), 'secure.yml')])
  } else {
    const found = locateCloudsYaml(opts)
    cloudsPath = found.clouds
    securePath = found.secure
  }
  if (!cloudsPath) return null
  const text = readImportFile(cloudsPath)
  const secureText = securePath ? readImportFile(securePath) : undefined
  const files = [cloudsPath, ...(securePath ? [securePath] : [])]
  return { files, profiles: parseCloudsYaml(text, cloudsPath, secureText, securePath) }
}

/** The profile for the cloud `name` in clouds.yaml (+ secure.yaml), as `openstack --os-cloud name` would use it. */
export function profileFromCloud(name: string, opts: LocateOptions & { file?: string } = {}): ParsedProfile {
  const loaded = loadCloudsYaml(opts)
  if (!loaded) throw new AppError({ code: 'FILE', message: `No clouds.yaml found (looked in ${standardConfigDirs(opts).join(', ')}).` })
  const found = loaded.profiles.find((p) => p.name === name)
  if (!found) {
    const names = loaded.profiles.map((p) => p.name)
    throw new AppError({
      code: 'PROFILE_NOT_FOUND',
      message: `${loaded.files[0]} has no cloud named "${name}"${names.length ? ` (it has: ${names.join(', ')})` : ''}.`,
    })
  }
  if (found.errors.length) throw new AppError({ code: 'VALIDATION', message: `${found.origin}: cloud "${name}": ${found.errors.join(' ')}` })
  return found
}

// ---------------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------------

/** Profiles -> a clouds.yaml text. Never includes a secret. Names must be unique (they become the keys). */
export function toCloudsYaml(profiles: ProfileInput[]): string {
  const clouds: Record<string, unknown> = {}
  for (const p of profiles) {
    const auth: Record<string, string> = { auth_url: p.authUrl }
    const entry: Record<string, unknown> = { auth }
    const a = p.auth
    switch (a.type) {
      case 'applicationCredential':
        if (a.appCredentialId) auth.application_credential_id = a.appCredentialId
        if (a.appCredentialName) auth.application_credential_name = a.appCredentialName
        if (!a.appCredentialId) {
          if (a.userId) auth.user_id = a.userId
          else if (a.username) auth.username = a.username
          if (!a.userId && (a.userDomainId || a.userDomainName)) {
            if (a.userDomainId) auth.user_domain_id = a.userDomainId
            else auth.user_domain_name = a.userDomainName
          }
        }
        entry.auth_type = 'v3applicationcredential'
        break
      case 'password':
        if (a.userId) auth.user_id = a.userId
        if (a.username) auth.username = a.username
        if (a.userDomainId) auth.user_domain_id = a.userDomainId
        else if (a.userDomainName) auth.user_domain_name = a.userDomainName
        if (a.projectId) auth.project_id = a.projectId
        if (a.projectName) auth.project_name = a.projectName
        if (a.projectDomainId) auth.project_domain_id = a.projectDomainId
        else if (a.projectDomainName) auth.project_domain_name = a.projectDomainName
        entry.auth_type = 'password'
        break
      default:
        unreachable(a)
    }
    if (p.defaultRegion) entry.region_name = p.defaultRegion
    if (p.regions.length) entry.regions = [...p.regions]
    entry.interface = p.interface
    entry.identity_api_version = 3
    if (p.caFile) entry.cacert = p.caFile
    if (p.insecure) entry.verify = false
    if (p.endpointOverrides.image) entry.image_endpoint_override = p.endpointOverrides.image
    if (p.endpointOverrides.volumev3) entry.volume_endpoint_override = p.endpointOverrides.volumev3
    clouds[p.name] = entry
  }
  return `# Exported by Glance Desktop. Secrets are not included: add them to secure.yaml or enter them when asked.\n${stringify({ clouds })}`
}
