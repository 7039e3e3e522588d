/** Shared by the profile integration suites: a profile for a test cloud's credentials, and an expected rejection. */
import { AppError, passwordAuth, type PasswordProfileAuth, type ProfileInput } from '../../../preload/api'
import { defaultProfileInput } from '../../../main/profiles/model'
import type { CloudCreds } from '../../support/cloud'

/** `c`'s password credentials, with `fields` over them. */
export function passwordOf(c: CloudCreds, fields: Partial<Omit<PasswordProfileAuth, 'type'>> = {}): PasswordProfileAuth {
  return passwordAuth({ username: c.username, userDomainName: c.userDomainName, projectName: c.projectName, projectDomainName: c.projectDomainName, ...fields })
}

/** A password profile for `c` (both regions), with `o` over it; the cloud's CA / insecure unless `o` sets them. */
export function profileOf(c: CloudCreds, o: Partial<ProfileInput> = {}): ProfileInput {
  const p = defaultProfileInput({
    name: `it-${c.username}`,
    authUrl: c.authUrl,
    auth: passwordOf(c),
    regions: ['RegionOne', 'RegionTwo'],
    defaultRegion: c.region,
    interface: c.interface,
    ...o,
  })
  if (c.cacert && !o.caFile) p.caFile = c.cacert
  if (c.insecure && o.insecure === undefined) p.insecure = true
  return p
}

/** The AppError `p` rejects with (anything else, or no rejection, fails the test). */
export async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('expected a rejection')
}
