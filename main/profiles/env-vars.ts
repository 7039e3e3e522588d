/**
 * A profile from the standard OS_* variables (`source admin-openrc.sh`), without clouds.yaml. Its own module so that
 * the CLI's OS_* path loads neither clouds.yaml's code nor the YAML parser (issue 16, CLI start-up);
 * main/profiles/env.ts adds OS_CLOUD on top of it.
 */
import { AppError, type ProfileInput } from '../../preload/api'
import { profileFromCloudEntry } from './cloud-entry'
import { nameFromVars, varsToCloudEntry } from './openrc'

export interface EnvProfile {
  profile: ProfileInput
  secret?: string
  warnings: string[]
  /** `OS_CLOUD=<name>` or `OS_* variables`. */
  origin: string
}

/**
 * The profile the OS_* variables describe (OS_CLOUD is not looked at here), or null without OS_AUTH_URL. Throws a
 * VALIDATION AppError when the variables are incomplete.
 */
export function profileFromVars(env: NodeJS.ProcessEnv): EnvProfile | null {
  if (!env.OS_AUTH_URL) return null
  const origin = 'OS_* variables'
  const parsed = profileFromCloudEntry(nameFromVars(env), varsToCloudEntry(env), origin)
  if (parsed.errors.length) {
    throw new AppError({ code: 'VALIDATION', message: `The OS_* variables do not describe a usable cloud: ${parsed.errors.join(' ')}` })
  }
  const out: EnvProfile = { profile: parsed.profile, warnings: parsed.warnings, origin }
  if (parsed.secret) out.secret = parsed.secret
  return out
}
