/**
 * The openstack way in: a profile from the standard OS_* variables (`source admin-openrc.sh`) or from OS_CLOUD naming
 * a clouds.yaml entry (+ secure.yaml). Also re-exports the parsers, which the headless CLI reuses.
 */
import { AppError, type ProfileInput } from '../../preload/api'
import { profileFromCloud, profileFromCloudEntry, type ParsedProfile } from './cloudsyaml'
import { nameFromVars, varsToCloudEntry } from './openrc'

export { loadCloudsYaml, locateCloudsYaml, parseCloudsYaml, profileFromCloud, toCloudsYaml } from './cloudsyaml'
export type { ParsedProfile, LoadedClouds } from './cloudsyaml'
export { parseOpenrc, profileFromOpenrc, varsToCloudEntry } from './openrc'

export interface EnvProfile {
  profile: ProfileInput
  secret?: string
  warnings: string[]
  /** `OS_CLOUD=<name>` or `OS_* variables`. */
  origin: string
}

/**
 * The profile described by the environment, or null when it names none. OS_CLOUD wins over OS_AUTH_URL (as in the
 * openstack CLI); OS_PASSWORD / OS_APPLICATION_CREDENTIAL_SECRET / OS_REGION_NAME override the clouds.yaml values.
 * Throws an AppError when OS_CLOUD names a cloud that cannot be used, or the variables are incomplete.
 */
export function profileFromEnvironment(env: NodeJS.ProcessEnv, opts: { cwd?: string; home?: string } = {}): EnvProfile | null {
  let parsed: ParsedProfile
  let origin: string
  if (env.OS_CLOUD) {
    parsed = profileFromCloud(env.OS_CLOUD, { env, ...opts })
    origin = `OS_CLOUD=${env.OS_CLOUD}`
    const over = env.OS_PASSWORD ?? env.OS_APPLICATION_CREDENTIAL_SECRET
    if (over) parsed.secret = over
    if (env.OS_REGION_NAME) {
      parsed.profile.defaultRegion = env.OS_REGION_NAME
      if (parsed.profile.regions.length && !parsed.profile.regions.includes(env.OS_REGION_NAME)) parsed.profile.regions.push(env.OS_REGION_NAME)
    }
  } else if (env.OS_AUTH_URL) {
    parsed = profileFromCloudEntry(nameFromVars(env), varsToCloudEntry(env), 'OS_* variables')
    origin = 'OS_* variables'
    if (parsed.errors.length) {
      throw new AppError({ code: 'VALIDATION', message: `The OS_* variables do not describe a usable cloud: ${parsed.errors.join(' ')}` })
    }
  } else return null
  const out: EnvProfile = { profile: parsed.profile, warnings: parsed.warnings, origin }
  if (parsed.secret) out.secret = parsed.secret
  return out
}
