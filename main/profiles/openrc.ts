/**
 * openrc scripts and OS_* variables. The script is never executed: only `export OS_NAME=value` lines are read, with
 * shell quoting understood (single quotes, double quotes with \" \\ \$ escapes, unquoted words with trailing comments).
 * `$OS_X` references to variables set earlier are expanded; anything else that would need a shell (command
 * substitution, other variables, the `read -sr OS_PASSWORD_INPUT` prompt of Horizon's openrc) is not, and the
 * password is then left for the user to enter.
 */
import { AppError } from '../../preload/api'
import { note, parseError, profileFromCloudEntry, type CloudEntry, type ParsedProfile } from './cloud-entry'
import type { ReasonData, ReasonParams } from '../../preload/rules/messages'

export interface OpenrcResult {
  vars: Record<string, string>
  /** The script asks for the password (read -s ...) or sets it from a variable we do not know: it must be entered. */
  passwordPrompt: boolean
  warnings: string[]
  /** B3: the same warnings as reasons (errorReason.PROFILE_IMPORT.<reason>). */
  issues: ReasonData[]
}

/** Parses one shell word (the value after `=`). Returns null on an unterminated quote. */
function shellValue(src: string): { value: string; dynamic: string | null } | null {
  let out = ''
  let i = 0
  let dynamic: string | null = null
  const refs: string[] = []
  /**
   * One character at `i` (outside single quotes): a `$NAME` / `${NAME}` reference becomes a placeholder expanded
   * later, a command substitution or any other expansion is noted as dynamic. Returns the next index.
   */
  const dollar = (c: string, i: number): number => {
    if (c === '`' || (c === '$' && src[i + 1] === '(')) dynamic ??= 'command substitution'
    if (c === '$' && /[A-Za-z_{]/.test(src[i + 1] ?? '')) {
      const m = /^\$(\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(src.slice(i))
      if (m) {
        const name = m[2] ?? m[3]!
        refs.push(name)
        out += `\u0000${name}\u0000`
        return i + m[0].length
      }
      dynamic ??= 'a parameter expansion'
    }
    out += c
    return i + 1
  }
  while (i < src.length) {
    const c = src[i]!
    if (c === ' ' || c === '\t') {
      // end of the word; the rest may be `# comment` or `; other command`
      break
    }
    if (c === ';' || c === '&' || c === '|') break
    if (c === "'") {
      const end = src.indexOf("'", i + 1)
      if (end < 0) return null
      out += src.slice(i + 1, end)
      i = end + 1
      continue
    }
    if (c === '"') {
      i++
      let closed = false
      while (i < src.length) {
        const d = src[i]!
        if (d === '\\' && i + 1 < src.length && '"\\$`'.includes(src[i + 1]!)) {
          out += src[i + 1]
          i += 2
          continue
        }
        if (d === '"') {
          closed = true
          i++
          break
        }
        i = dollar(d, i)
      }
      if (!closed) return null
      continue
    }
    if (c === '\\' && i + 1 < src.length) {
      out += src[i + 1]
      i += 2
      continue
    }
    i = dollar(c, i)
  }
  return { value: out, dynamic }
}

const EXPORT_LINE = /^\s*export\s+(OS_[A-Za-z0-9_]+)=(.*)$/
const PROMPT_LINE = /^\s*read\b.*\b(OS_[A-Za-z0-9_]+)\s*$/

/**
 * Reads the `export OS_...=` lines of an openrc script. Throws a VALIDATION AppError (file:line) on an unterminated
 * quote. Never executes anything.
 */
export function parseOpenrc(text: string, file = 'openrc'): OpenrcResult {
  const vars: Record<string, string> = {}
  const warnings: string[] = []
  const issues: ReasonData[] = []
  const warn = (reason: string, params: ReasonParams, english: string): void => note(warnings, issues, reason, params, english)
  const prompted = new Set<string>()
  let passwordPrompt = false
  const lines = text.split(/\r?\n/)
  lines.forEach((line, idx) => {
    const lineNo = idx + 1
    const prompt = PROMPT_LINE.exec(line)
    if (prompt) {
      prompted.add(prompt[1]!)
      return
    }
    const m = EXPORT_LINE.exec(line)
    if (!m) return
    const name = m[1]!
    const parsed = shellValue(m[2]!.trimStart())
    if (!parsed) throw parseError(file, `unterminated quote in the value of ${name}`, lineNo)
    const isSecret = name === 'OS_PASSWORD' || name === 'OS_APPLICATION_CREDENTIAL_SECRET'
    if (parsed.dynamic) {
      if (isSecret) passwordPrompt = true
      else
        warn(
          'openrcDynamic',
          { file, line: lineNo, name, dynamic: parsed.dynamic },
          `${file}:${lineNo}: ${name} uses ${parsed.dynamic}; it was not run and the value was ignored.`,
        )
      delete vars[name]
      return
    }
    // Expand references to OS_ variables set earlier; anything else is unknown to us.
    let unknown: string | null = null
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const value = parsed.value.replace(/\u0000([A-Za-z0-9_]+)\u0000/g, (_all, ref: string) => {
      if (ref in vars) return vars[ref]!
      unknown ??= ref
      return ''
    })
    if (unknown !== null) {
      if (isSecret) {
        passwordPrompt = true
        if (!prompted.has(unknown))
          warn(
            'openrcSecretUnset',
            { file, line: lineNo, name, ref: unknown },
            `${file}:${lineNo}: ${name} comes from $${unknown}, which is not set in the file.`,
          )
      } else
        warn(
          'openrcUnset',
          { file, line: lineNo, name, ref: unknown },
          `${file}:${lineNo}: ${name} refers to $${unknown}, which is not set in the file; ignored.`,
        )
      delete vars[name]
      return
    }
    vars[name] = value
  })
  if (passwordPrompt) warn('openrcPrompt', {}, 'The script asks for the password when it runs: enter it before connecting.')
  return { vars, passwordPrompt, warnings, issues }
}

const truthy = (v: string | undefined): boolean => !!v && /^(1|true|yes|on)$/i.test(v.trim())

/** OS_* variables -> a clouds.yaml-style entry (so both ways in share one conversion). */
export function varsToCloudEntry(v: Record<string, string | undefined>): CloudEntry {
  const auth: Record<string, string> = {}
  const put = (key: string, ...names: string[]): void => {
    for (const n of names) {
      const val = v[n]
      if (val !== undefined && val !== '') {
        auth[key] = val
        return
      }
    }
  }
  put('auth_url', 'OS_AUTH_URL')
  put('username', 'OS_USERNAME')
  put('user_id', 'OS_USER_ID')
  put('user_domain_name', 'OS_USER_DOMAIN_NAME')
  put('user_domain_id', 'OS_USER_DOMAIN_ID')
  put('project_name', 'OS_PROJECT_NAME', 'OS_TENANT_NAME')
  put('project_id', 'OS_PROJECT_ID', 'OS_TENANT_ID')
  put('project_domain_name', 'OS_PROJECT_DOMAIN_NAME')
  put('project_domain_id', 'OS_PROJECT_DOMAIN_ID')
  put('domain_name', 'OS_DEFAULT_DOMAIN_NAME')
  put('domain_id', 'OS_DEFAULT_DOMAIN_ID', 'OS_DEFAULT_DOMAIN')
  put('password', 'OS_PASSWORD')
  put('application_credential_id', 'OS_APPLICATION_CREDENTIAL_ID')
  put('application_credential_name', 'OS_APPLICATION_CREDENTIAL_NAME')
  put('application_credential_secret', 'OS_APPLICATION_CREDENTIAL_SECRET')
  const entry: CloudEntry = { auth }
  let authType = v.OS_AUTH_TYPE ?? ''
  if (!authType && (v.OS_APPLICATION_CREDENTIAL_ID || v.OS_APPLICATION_CREDENTIAL_SECRET)) authType = 'v3applicationcredential'
  if (authType) entry.auth_type = authType
  if (v.OS_REGION_NAME) entry.region_name = v.OS_REGION_NAME
  const iface = v.OS_INTERFACE || v.OS_ENDPOINT_TYPE
  if (iface) entry.interface = iface
  if (v.OS_CACERT) entry.cacert = v.OS_CACERT
  if (truthy(v.OS_INSECURE)) entry.verify = false
  if (v.OS_IDENTITY_API_VERSION) entry.identity_api_version = v.OS_IDENTITY_API_VERSION
  if (v.OS_IMAGE_URL) entry.image_endpoint_override = v.OS_IMAGE_URL
  return entry
}

/** A readable name for a profile built from OS_* variables. */
export function nameFromVars(v: Record<string, string | undefined>): string {
  let host = v.OS_AUTH_URL ?? ''
  try {
    host = new URL(host).host
  } catch {
    /* keep */
  }
  const who = v.OS_USERNAME || v.OS_USER_ID || v.OS_APPLICATION_CREDENTIAL_NAME || v.OS_APPLICATION_CREDENTIAL_ID || 'user'
  const project = v.OS_PROJECT_NAME || v.OS_TENANT_NAME || v.OS_PROJECT_ID || ''
  return `${who}${project ? `/${project}` : ''} @ ${host}`.slice(0, 128)
}

/** An openrc text -> one candidate profile. Throws VALIDATION (file:line) on malformed files or when no OS_AUTH_URL is set. */
export function profileFromOpenrc(text: string, file = 'openrc', name?: string): ParsedProfile {
  const r = parseOpenrc(text, file)
  if (!r.vars.OS_AUTH_URL) {
    throw new AppError({
      code: 'VALIDATION',
      message: `${file}: no \`export OS_AUTH_URL=...\` line found; this does not look like an openrc file.`,
      details: { file },
    })
  }
  const parsed = profileFromCloudEntry(name ?? nameFromVars(r.vars), varsToCloudEntry(r.vars), file)
  // Replace the generic "no password in the file" with the openrc-specific note.
  if (r.passwordPrompt) {
    parsed.warnings = parsed.warnings.filter((w) => !w.startsWith('No password') && !w.startsWith('No application'))
    parsed.issues.warnings = parsed.issues.warnings.filter((w) => w.reason !== 'noPassword' && w.reason !== 'noAppCredentialSecret')
  }
  parsed.warnings.unshift(...r.warnings)
  parsed.issues.warnings.unshift(...r.issues)
  return parsed
}
