/**
 * One clouds.yaml-shaped cloud entry -> a ProfileInput (+ its secret): the conversion that clouds.yaml, secure.yaml,
 * openrc files and the OS_* variables share. No YAML here (issue 16, CLI start-up): the OS_* path of the CLI loads this
 * module and not the yaml parser, which only main/profiles/cloudsyaml.ts imports.
 */
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

export function parseError(file: string, message: string, line?: number, col?: number): AppError {
  const where = line ? `${file}:${line}${col ? `:${col}` : ''}` : file
  return new AppError({
    code: 'VALIDATION',
    message: `${where}: ${message}`,
    details: { file, ...(line ? { line } : {}), ...(col ? { column: col } : {}) },
  })
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
