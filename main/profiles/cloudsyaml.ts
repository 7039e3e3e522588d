/**
 * clouds.yaml / secure.yaml: the standard search order, parsing with file:line errors, and export of profiles as
 * clouds.yaml (never with secrets). The conversion of one cloud entry into a ProfileInput (+ its secret) is in
 * ./cloud-entry (no YAML there), re-exported here.
 *
 * Pure apart from `loadCloudsYaml`, which reads the standard locations (read-only).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { LineCounter, isMap, parseDocument, stringify, type Node as YamlNode } from 'yaml'
import { AppError, type ProfileInput } from '../../preload/api'
import { unreachable } from '../../preload/rules/profile-auth'
import { mergeDeep, note, parseError, profileFromCloudEntry, type CloudEntry, type ParsedProfile } from './cloud-entry'

export { mergeDeep, note, parseError, profileFromCloudEntry } from './cloud-entry'
export type { CloudEntry, ParsedProfile } from './cloud-entry'

const MAX_FILE = 1024 * 1024

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
