/** C4: openrc export: what openrc.ts reads back is the same profile, no secret is written, values stay literal. */
import { execFileSync } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { exportOpenrc, toOpenrc } from '../../../main/profiles/openrc-export'
import { parseOpenrc, profileFromOpenrc } from '../../../main/profiles/openrc'
import { appCredentialAuth } from '../../../preload/api'
import { sampleAuth, sampleProfile, tempDir } from './helpers'

describe('openrc export', () => {
  it('reads back as the same profile (password auth), and asks for the password instead of holding it', () => {
    const p = sampleProfile({
      name: 'Prod',
      auth: sampleAuth({ userDomainName: 'Default', projectDomainName: 'Default' }),
      defaultRegion: 'RegionTwo',
      interface: 'internal',
      caFile: '/etc/ssl/ca.pem',
    })
    const text = toOpenrc(p)
    const r = parseOpenrc(text)
    expect(r.passwordPrompt).toBe(true)
    expect(r.vars.OS_PASSWORD).toBeUndefined()
    const back = profileFromOpenrc(text, 'prod-openrc.sh', 'Prod').profile
    expect(back).toMatchObject({
      authUrl: p.authUrl,
      auth: { type: 'password', username: 'alice', projectName: 'ops', userDomainName: 'Default', projectDomainName: 'Default' },
      defaultRegion: 'RegionTwo',
      interface: 'internal',
      caFile: '/etc/ssl/ca.pem',
    })
  })

  it('an application credential: its id, the secret asked for', () => {
    const p = sampleProfile({ auth: appCredentialAuth({ appCredentialId: 'ac123' }) })
    const text = toOpenrc(p)
    expect(text).toContain("export OS_AUTH_TYPE='v3applicationcredential'")
    expect(text).toContain("export OS_APPLICATION_CREDENTIAL_ID='ac123'")
    expect(text).toMatch(/export OS_APPLICATION_CREDENTIAL_SECRET="\$OS_SECRET_INPUT"/)
    expect(profileFromOpenrc(text, 'ac').profile).toMatchObject({ auth: { type: 'applicationCredential', appCredentialId: 'ac123' } })
  })

  it('values are literal to the shell (quotes, $, backticks), checked by bash itself', () => {
    const nasty = `o'ps $(touch /tmp/x) \`id\` $HOME`
    const text = toOpenrc(sampleProfile({ auth: sampleAuth({ projectName: nasty }) }))
    const dir = tempDir()
    const file = join(dir, 'openrc.sh')
    writeFileSync(file, text)
    const out = execFileSync('bash', ['-c', `source ${file} </dev/null >/dev/null; printf %s "$OS_PROJECT_NAME"`], { encoding: 'utf8' })
    expect(out).toBe(nasty)
    expect(profileFromOpenrc(text, 'x').profile.auth).toMatchObject({ type: 'password', projectName: nasty })
  })

  it('writes the file 0600', async () => {
    const dir = tempDir()
    const path = join(dir, 'prod-openrc.sh')
    await exportOpenrc(sampleProfile(), path)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readFileSync(path, 'utf8')).toContain("export OS_AUTH_URL='https://keystone.example.com:5000/v3'")
  })
})
