/**
 * C4: a profile as an openrc script (`source` it, then `openstack ...`), the counterpart of toCloudsYaml. Never a
 * secret: the password or application-credential secret is asked for by the script itself (`read -sr`, as Horizon's
 * openrc does), so the file is safe to hand around. Values are single-quoted (a `'` becomes `'\''`), so no value is
 * ever expanded by the shell. openrc.ts parses what this writes back into the same profile (tested).
 *
 *   profile field                      variable
 *   authUrl                            OS_AUTH_URL
 *   auth.type applicationCredential    OS_AUTH_TYPE=v3applicationcredential, OS_APPLICATION_CREDENTIAL_ID/_NAME
 *   auth.username / userId             OS_USERNAME / OS_USER_ID
 *   auth.user/projectDomainName / Id   OS_USER_DOMAIN_NAME / _ID, OS_PROJECT_DOMAIN_NAME / _ID
 *   auth.projectName / projectId       OS_PROJECT_NAME / OS_PROJECT_ID (password only)
 *   defaultRegion, interface           OS_REGION_NAME, OS_INTERFACE
 *   caFile, insecure                   OS_CACERT, OS_INSECURE=true
 *   endpointOverrides.image            OS_IMAGE_URL
 *   proxy, manual mode (issue 14)      HTTP_PROXY / HTTPS_PROXY / NO_PROXY, and their lower-case twins (curl and
 *                                      Python read those first); system / none: nothing (the shell's own apply)
 * openrc.ts reads OS_* variables only: the proxy lines are not read back (a profile import keeps the system proxy).
 */
import type { ProfileInput } from '../../preload/api'
import { unreachable } from '../../preload/rules/profile-auth'
import { manualProxyUrls, proxyOf } from '../../preload/rules/proxy'
import { atomicWriteFile } from '../files/atomic'

/** A shell word that the shell takes literally. */
export function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`
}

export function toOpenrc(p: ProfileInput): string {
  const lines: string[] = [
    '#!/usr/bin/env bash',
    `# ${p.name.replace(/[\r\n]+/g, ' ')}: exported by Glance Desktop. No secret is included: the script asks for it.`,
  ]
  const put = (name: string, value: string | undefined): void => {
    if (value) lines.push(`export ${name}=${shellQuote(value)}`)
  }
  put('OS_AUTH_URL', p.authUrl)
  put('OS_IDENTITY_API_VERSION', '3')
  let secretVar: string
  let what: string
  const a = p.auth
  switch (a.type) {
    case 'applicationCredential':
      put('OS_AUTH_TYPE', 'v3applicationcredential')
      put('OS_APPLICATION_CREDENTIAL_ID', a.appCredentialId)
      put('OS_APPLICATION_CREDENTIAL_NAME', a.appCredentialName)
      if (!a.appCredentialId) {
        if (a.userId) put('OS_USER_ID', a.userId)
        else put('OS_USERNAME', a.username)
        if (!a.userId) put(a.userDomainId ? 'OS_USER_DOMAIN_ID' : 'OS_USER_DOMAIN_NAME', a.userDomainId || a.userDomainName)
      }
      secretVar = 'OS_APPLICATION_CREDENTIAL_SECRET'
      what = 'application credential secret'
      break
    case 'password':
      put('OS_USER_ID', a.userId)
      put('OS_USERNAME', a.username)
      put(a.userDomainId ? 'OS_USER_DOMAIN_ID' : 'OS_USER_DOMAIN_NAME', a.userDomainId || a.userDomainName)
      put('OS_PROJECT_ID', a.projectId)
      put('OS_PROJECT_NAME', a.projectName)
      put(a.projectDomainId ? 'OS_PROJECT_DOMAIN_ID' : 'OS_PROJECT_DOMAIN_NAME', a.projectDomainId || a.projectDomainName)
      secretVar = 'OS_PASSWORD'
      what = 'OpenStack password'
      break
    default:
      return unreachable(a)
  }
  put('OS_REGION_NAME', p.defaultRegion)
  put('OS_INTERFACE', p.interface)
  put('OS_CACERT', p.caFile)
  if (p.insecure) put('OS_INSECURE', 'true')
  put('OS_IMAGE_URL', p.endpointOverrides.image)
  const proxy = proxyOf(p)
  if (proxy.mode === 'manual') {
    const urls = manualProxyUrls(proxy)
    for (const [name, value] of [
      ['HTTP_PROXY', urls.http],
      ['HTTPS_PROXY', urls.https],
      ['NO_PROXY', proxy.noProxy?.trim()],
    ] as const) {
      put(name, value)
      put(name.toLowerCase(), value)
    }
  }
  lines.push(
    `echo ${shellQuote(`Please enter your ${what}: `)}`,
    'read -sr OS_SECRET_INPUT',
    `export ${secretVar}="$OS_SECRET_INPUT"`,
    'unset OS_SECRET_INPUT',
    '',
  )
  return lines.join('\n')
}

/** Writes one profile's openrc (mode 0600, atomically). */
export async function exportOpenrc(p: ProfileInput, path: string): Promise<{ path: string }> {
  await atomicWriteFile(path, toOpenrc(p), 0o600)
  return { path }
}
