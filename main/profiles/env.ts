/**
 * The openstack way in: a profile from the standard OS_* variables (`source admin-openrc.sh`) or from OS_CLOUD naming
 * a clouds.yaml entry (+ secure.yaml). Also re-exports the parsers, which the headless CLI reuses.
 */
import { profileFromCloud } from './cloudsyaml'
import { profileFromVars, type EnvProfile } from './env-vars'

export { loadCloudsYaml, locateCloudsYaml, parseCloudsYaml, profileFromCloud, toCloudsYaml } from './cloudsyaml'
export type { ParsedProfile, LoadedClouds } from './cloudsyaml'
export { parseOpenrc, profileFromOpenrc, varsToCloudEntry } from './openrc'

export { profileFromVars, type EnvProfile } from './env-vars'

/**
 * The profile described by the environment, or null when it names none. OS_CLOUD wins over OS_AUTH_URL (as in the
 * openstack CLI); OS_PASSWORD / OS_APPLICATION_CREDENTIAL_SECRET / OS_REGION_NAME override the clouds.yaml values.
 * Throws an AppError when OS_CLOUD names a cloud that cannot be used, or the variables are incomplete.
 */
export function profileFromEnvironment(env: NodeJS.ProcessEnv, opts: { cwd?: string; home?: string } = {}): EnvProfile | null {
  if (!env.OS_CLOUD) return profileFromVars(env)
  const parsed = profileFromCloud(env.OS_CLOUD, { env, ...opts })
  const origin = `OS_CLOUD=${env.OS_CLOUD}`
  const over = env.OS_PASSWORD ?? env.OS_APPLICATION_CREDENTIAL_SECRET
  if (over) parsed.secret = over
  if (env.OS_REGION_NAME) {
    parsed.profile.defaultRegion = env.OS_REGION_NAME
    if (parsed.profile.regions.length && !parsed.profile.regions.includes(env.OS_REGION_NAME)) parsed.profile.regions.push(env.OS_REGION_NAME)
  }
  const out: EnvProfile = { profile: parsed.profile, warnings: parsed.warnings, origin }
  if (parsed.secret) out.secret = parsed.secret
  return out
}
