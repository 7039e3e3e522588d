import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { AppError, appCredentialAuth } from '../../../preload/api'
import {
  loadCloudsYaml,
  locateCloudsYaml,
  parseCloudsYaml,
  parseOpenrc,
  profileFromCloud,
  profileFromEnvironment,
  profileFromOpenrc,
  toCloudsYaml,
} from '../../../main/profiles/env'
import { zProfileInput } from '../../../main/profiles/model'
import { tempDir, sampleProfile } from './helpers'

function caught(fn: () => unknown): AppError {
  try {
    fn()
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('did not throw')
}

const CLOUDS = `# a typical clouds.yaml
clouds:
  prod:
    auth:
      auth_url: https://keystone.example.com:5000/v3
      username: alice
      project_name: ops
      user_domain_name: Corp
      project_domain_id: 0a1b2c
    region_name: RegionTwo
    regions:
      - RegionOne
      - name: RegionTwo
        values:
          image_api_version: 2
    interface: internal
    cacert: /etc/ssl/corp-ca.pem
    identity_api_version: 3
  lab:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://10.0.0.5:5000
      application_credential_id: 3f2e1d
      application_credential_secret: lab-secret
    verify: false
    region_name: RegionOne
  byid:
    auth:
      auth_url: http://10.0.0.6:5000/v3
      user_id: 9999
      project_id: 8888
      domain_id: default
    endpoint_type: publicURL
`
const SECURE = `clouds:
  prod:
    auth:
      password: "s3cret: with colon"
  ghost:
    auth:
      password: x
`

describe('clouds.yaml', () => {
  it('reads password and application-credential clouds, regions (strings and {name}), cacert, verify, interface', () => {
    const [prod, lab, byid] = parseCloudsYaml(CLOUDS, '/home/u/clouds.yaml', SECURE, '/home/u/secure.yaml')
    expect(prod!.profile).toMatchObject({
      name: 'prod',
      auth: { type: 'password', username: 'alice', userDomainName: 'Corp', projectName: 'ops', projectDomainId: '0a1b2c', projectDomainName: '' },
      authUrl: 'https://keystone.example.com:5000/v3',
      regions: ['RegionOne', 'RegionTwo'],
      defaultRegion: 'RegionTwo',
      interface: 'internal',
      caFile: '/etc/ssl/corp-ca.pem',
      insecure: false,
    })
    expect(prod!.secret).toBe('s3cret: with colon')
    expect(prod!.origin).toBe('/home/u/clouds.yaml:3')
    expect(prod!.errors).toEqual([])
    expect(prod!.warnings.join(' ')).toMatch(/secure\.yaml has a cloud "ghost"/)

    expect(lab!.profile).toMatchObject({ auth: { type: 'applicationCredential', appCredentialId: '3f2e1d' }, insecure: true, regions: ['RegionOne'] })
    expect(lab!.secret).toBe('lab-secret')
    expect(lab!.warnings.join(' ')).toMatch(/verification is turned off/)

    expect(byid!.profile).toMatchObject({
      auth: { userId: '9999', projectId: '8888', userDomainId: 'default', projectDomainId: 'default' },
      interface: 'public',
    })
    expect(byid!.secret).toBeUndefined()
    expect(byid!.warnings.join(' ')).toMatch(/No password/)
    for (const p of [prod, lab, byid]) expect(zProfileInput.safeParse(p!.profile).success).toBe(true)
  })

  it('flags clouds that cannot be created (no auth_url, vendor profile, unsupported auth_type, bad URL)', () => {
    const text = `clouds:
  a:
    profile: vexxhost
    auth: { username: u, project_name: p }
  b:
    auth_type: v3oidcpassword
    auth: { auth_url: "https://x/v3" }
  c:
    auth: { auth_url: "file:///etc/passwd", username: u, project_name: p }
  d:
    auth: { auth_url: "https://x/v3" }
`
    const [a, b, c, d] = parseCloudsYaml(text, 'clouds.yaml')
    expect(a!.errors.join(' ')).toMatch(/vendor profile "vexxhost"/)
    expect(b!.errors.join(' ')).toMatch(/auth_type "v3oidcpassword" is not supported/)
    expect(c!.errors.join(' ')).toMatch(/not an http\(s\) URL/)
    expect(d!.errors.join(' ')).toMatch(/user name or user id is required/)
  })

  it('malformed YAML: a clear error naming the file and the line', () => {
    const bad = 'clouds:\n  prod:\n    auth:\n      auth_url: "http://x\n    region_name: R\n'
    const e = caught(() => parseCloudsYaml(bad, '/tmp/clouds.yaml'))
    expect(e.code).toBe('VALIDATION')
    expect(e.message).toMatch(/^\/tmp\/clouds\.yaml:\d+(:\d+)?: not valid YAML/)
    expect(e.details).toMatchObject({ file: '/tmp/clouds.yaml' })
    expect(typeof e.details!.line).toBe('number')

    const dupKey = 'clouds:\n  a:\n    auth: {}\n  a:\n    auth: {}\n'
    expect(caught(() => parseCloudsYaml(dupKey, 'c.yaml')).message).toMatch(/^c\.yaml:4/)

    const notMap = 'clouds:\n  - one\n  - two\n'
    expect(caught(() => parseCloudsYaml(notMap, 'c.yaml')).message).toMatch(/c\.yaml:2: `clouds` must be a mapping/)

    const badCloud = 'clouds:\n  ok:\n    auth: {auth_url: "http://x/v3"}\n  broken: 42\n'
    expect(caught(() => parseCloudsYaml(badCloud, 'c.yaml')).message).toMatch(/c\.yaml:4: cloud "broken" must be a mapping/)

    const badAuth = 'clouds:\n  x:\n    region_name: R\n    auth: "nope"\n'
    expect(caught(() => parseCloudsYaml(badAuth, 'c.yaml')).message).toMatch(/c\.yaml:4: cloud "x": `auth` must be a mapping/)

    const badSecure = caught(() => parseCloudsYaml(CLOUDS, 'clouds.yaml', 'clouds: [', 'secure.yaml'))
    expect(badSecure.message).toMatch(/^secure\.yaml:1/)
  })

  it('an empty file has no clouds', () => {
    expect(parseCloudsYaml('', 'c.yaml')).toEqual([])
    expect(parseCloudsYaml('# nothing\n', 'c.yaml')).toEqual([])
  })

  it('searches OS_CLIENT_CONFIG_FILE, then the current folder, ~/.config/openstack, /etc/openstack', () => {
    const home = tempDir()
    const cwd = tempDir()
    mkdirSync(join(home, '.config', 'openstack'), { recursive: true })
    writeFileSync(join(home, '.config', 'openstack', 'clouds.yaml'), 'clouds:\n  home: {auth: {auth_url: "http://h/v3", username: u, project_name: p}}\n')
    writeFileSync(join(home, '.config', 'openstack', 'secure.yaml'), 'clouds:\n  home: {auth: {password: homepw}}\n')
    const opts = { env: {}, cwd, home, platform: 'linux' as const }
    expect(locateCloudsYaml(opts).clouds).toBe(join(home, '.config', 'openstack', 'clouds.yaml'))
    let loaded = loadCloudsYaml(opts)!
    expect(loaded.profiles.map((p) => p.name)).toEqual(['home'])
    expect(loaded.profiles[0]!.secret).toBe('homepw')

    writeFileSync(join(cwd, 'clouds.yml'), 'clouds:\n  here: {auth: {auth_url: "http://c/v3", username: u, project_name: p}}\n')
    loaded = loadCloudsYaml(opts)!
    expect(loaded.profiles.map((p) => p.name)).toEqual(['here'])
    expect(loaded.files).toEqual([join(cwd, 'clouds.yml'), join(home, '.config', 'openstack', 'secure.yaml')])

    const explicit = join(tempDir(), 'my.yaml')
    writeFileSync(explicit, 'clouds:\n  explicit: {auth: {auth_url: "http://e/v3", username: u, project_name: p}}\n')
    expect(loadCloudsYaml({ ...opts, env: { OS_CLIENT_CONFIG_FILE: explicit } })!.profiles[0]!.name).toBe('explicit')

    expect(loadCloudsYaml({ env: {}, cwd: tempDir(), home: tempDir(), platform: 'win32' })).toBeNull()
  })

  it('profileFromCloud finds a cloud by name or says which ones exist', () => {
    const dir = tempDir()
    const file = join(dir, 'clouds.yaml')
    writeFileSync(file, CLOUDS)
    writeFileSync(join(dir, 'secure.yaml'), SECURE)
    expect(profileFromCloud('prod', { file }).secret).toBe('s3cret: with colon')
    const e = caught(() => profileFromCloud('nope', { file }))
    expect(e.code).toBe('PROFILE_NOT_FOUND')
    expect(e.message).toMatch(/it has: prod, lab, byid/)
  })

  it('exports profiles as clouds.yaml without secrets, and the export reads back the same', () => {
    const profiles = [
      sampleProfile({ name: 'a', regions: ['R1', 'R2'], defaultRegion: 'R2', insecure: true, caFile: '/ca.pem', interface: 'internal' }),
      sampleProfile({ name: 'b', auth: appCredentialAuth({ appCredentialId: 'ac' }), regions: [], defaultRegion: '' }),
    ]
    const text = toCloudsYaml(profiles)
    expect(text).not.toMatch(/^\s*(password|application_credential_secret):/m)
    const doc = parse(text)
    expect(doc.clouds.a.verify).toBe(false)
    expect(doc.clouds.b.auth_type).toBe('v3applicationcredential')
    const back = parseCloudsYaml(text, 'export.yaml')
    expect(back[0]!.profile).toMatchObject({ name: 'a', regions: ['R1', 'R2'], defaultRegion: 'R2', insecure: true, caFile: '/ca.pem', interface: 'internal' })
    expect(back[1]!.profile).toMatchObject({ auth: { type: 'applicationCredential', appCredentialId: 'ac' } })
  })
})

const HORIZON_OPENRC = `#!/usr/bin/env bash
# To use an OpenStack cloud you need to authenticate against the Identity service.
export OS_AUTH_URL=https://cloud.example.com:5000/v3
export OS_PROJECT_ID=4c5b3a
export OS_PROJECT_NAME="admin"
export OS_USER_DOMAIN_NAME="Default"
if [ -z "$OS_USER_DOMAIN_NAME" ]; then unset OS_USER_DOMAIN_NAME; fi
export OS_PROJECT_DOMAIN_ID="default"
if [ -z "$OS_PROJECT_DOMAIN_ID" ]; then unset OS_PROJECT_DOMAIN_ID; fi
unset OS_TENANT_ID
unset OS_TENANT_NAME
export OS_USERNAME="admin"
echo "Please enter your OpenStack Password for project $OS_PROJECT_NAME as user $OS_USERNAME: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME="RegionOne"
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
export OS_INTERFACE=public
export OS_IDENTITY_API_VERSION=3
`

describe('openrc', () => {
  it('reads export lines of a Horizon openrc, notes the password prompt, never runs anything', () => {
    const r = parseOpenrc(HORIZON_OPENRC, 'admin-openrc.sh')
    expect(r.vars).toMatchObject({
      OS_AUTH_URL: 'https://cloud.example.com:5000/v3',
      OS_PROJECT_NAME: 'admin',
      OS_PROJECT_DOMAIN_ID: 'default',
      OS_USERNAME: 'admin',
      OS_REGION_NAME: 'RegionOne',
    })
    expect(r.vars.OS_PASSWORD).toBeUndefined()
    expect(r.passwordPrompt).toBe(true)
    const p = profileFromOpenrc(HORIZON_OPENRC, 'admin-openrc.sh', 'admin-openrc')
    expect(p.secret).toBeUndefined()
    expect(p.profile).toMatchObject({ name: 'admin-openrc', auth: { projectId: '4c5b3a', projectDomainId: 'default' }, regions: ['RegionOne'] })
    expect(p.warnings.join(' ')).toMatch(/asks for the password/)
  })

  it('handles quoting: single, double with escapes, unquoted with comments, earlier OS_ references', () => {
    const text = [
      `export OS_AUTH_URL='http://10.0.0.1:5000/v3'`,
      `export OS_USERNAME="o'brien"`,
      `export OS_PASSWORD='p@ss "quoted" $notvar'`,
      `export OS_PROJECT_NAME=proj # trailing comment`,
      `export OS_USER_DOMAIN_NAME="Dom \\"x\\""`,
      `export OS_PROJECT_DOMAIN_NAME="$OS_USER_DOMAIN_NAME"`,
      `  export OS_REGION_NAME=R1;`,
      `OS_CACERT=/not/exported.pem`,
      `export OS_INSECURE=true`,
      `export NOT_OS=1`,
    ].join('\n')
    const r = parseOpenrc(text, 'x.sh')
    expect(r.vars).toEqual({
      OS_AUTH_URL: 'http://10.0.0.1:5000/v3',
      OS_USERNAME: "o'brien",
      OS_PASSWORD: 'p@ss "quoted" $notvar',
      OS_PROJECT_NAME: 'proj',
      OS_USER_DOMAIN_NAME: 'Dom "x"',
      OS_PROJECT_DOMAIN_NAME: 'Dom "x"',
      OS_REGION_NAME: 'R1',
      OS_INSECURE: 'true',
    })
    expect(r.passwordPrompt).toBe(false)
    const p = profileFromOpenrc(text, 'x.sh')
    expect(p.secret).toBe('p@ss "quoted" $notvar')
    expect(p.profile.insecure).toBe(true)
  })

  it('does not run command substitutions; the password must then be entered', () => {
    const text =
      'export OS_AUTH_URL=http://x:5000/v3\nexport OS_USERNAME=u\nexport OS_PROJECT_NAME=p\nexport OS_PASSWORD=$(pass show openstack)\nexport OS_REGION_NAME=`hostname`\n'
    const r = parseOpenrc(text, 'x.sh')
    expect(r.vars.OS_PASSWORD).toBeUndefined()
    expect(r.vars.OS_REGION_NAME).toBeUndefined()
    expect(r.passwordPrompt).toBe(true)
    expect(r.warnings.join(' ')).toMatch(/x\.sh:5: OS_REGION_NAME uses command substitution/)
  })

  it('application-credential openrc', () => {
    const text =
      'export OS_AUTH_TYPE=v3applicationcredential\nexport OS_AUTH_URL=http://x:5000/v3\nexport OS_APPLICATION_CREDENTIAL_ID=abc\nexport OS_APPLICATION_CREDENTIAL_SECRET=shh\n'
    const p = profileFromOpenrc(text, 'ac.sh')
    expect(p.profile).toMatchObject({ auth: { type: 'applicationCredential', appCredentialId: 'abc' } })
    expect(p.secret).toBe('shh')
    expect(p.errors).toEqual([])
  })

  it('malformed files: unterminated quote (file:line), not an openrc at all', () => {
    const e = caught(() => parseOpenrc('export OS_AUTH_URL=http://x/v3\nexport OS_PASSWORD="oops\n', '/h/rc.sh'))
    expect(e.message).toBe('/h/rc.sh:2: unterminated quote in the value of OS_PASSWORD')
    expect(e.details).toMatchObject({ file: '/h/rc.sh', line: 2 })
    expect(caught(() => profileFromOpenrc('echo hello\n', '/h/notrc.sh')).message).toMatch(/\/h\/notrc\.sh: no `export OS_AUTH_URL=...` line/)
  })
})

describe('profileFromEnvironment', () => {
  it('returns null without OS_AUTH_URL / OS_CLOUD', () => {
    expect(profileFromEnvironment({ PATH: '/bin' })).toBeNull()
  })

  it('builds a profile from OS_* variables with its password', () => {
    const r = profileFromEnvironment({
      OS_AUTH_URL: 'http://127.0.0.1:5000/v3',
      OS_USERNAME: 'admin',
      OS_PASSWORD: 'admin-secret',
      OS_PROJECT_NAME: 'admin',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_REGION_NAME: 'RegionOne',
      OS_INTERFACE: 'public',
      OS_IDENTITY_API_VERSION: '3',
    })!
    expect(r.secret).toBe('admin-secret')
    expect(r.profile).toMatchObject({ name: 'admin/admin @ 127.0.0.1:5000', auth: { username: 'admin', projectName: 'admin' }, defaultRegion: 'RegionOne' })
    expect(zProfileInput.safeParse(r.profile).success).toBe(true)
  })

  it('application credential variables', () => {
    const r = profileFromEnvironment({ OS_AUTH_URL: 'http://x:5000/v3', OS_APPLICATION_CREDENTIAL_ID: 'id1', OS_APPLICATION_CREDENTIAL_SECRET: 's1' })!
    expect(r.profile.auth.type).toBe('applicationCredential')
    expect(r.secret).toBe('s1')
  })

  it('OS_CLOUD names a clouds.yaml entry (+ secure.yaml); OS_REGION_NAME and OS_PASSWORD override', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'clouds.yaml'), CLOUDS)
    writeFileSync(join(dir, 'secure.yaml'), SECURE)
    const r = profileFromEnvironment({ OS_CLOUD: 'prod', OS_REGION_NAME: 'RegionOne' }, { cwd: dir, home: tempDir() })!
    expect(r.profile.name).toBe('prod')
    expect(r.profile.defaultRegion).toBe('RegionOne')
    expect(r.secret).toBe('s3cret: with colon')
    const o = profileFromEnvironment({ OS_CLOUD: 'prod', OS_PASSWORD: 'override' }, { cwd: dir, home: tempDir() })!
    expect(o.secret).toBe('override')
    expect(caught(() => profileFromEnvironment({ OS_CLOUD: 'missing' }, { cwd: dir, home: tempDir() })).code).toBe('PROFILE_NOT_FOUND')
  })

  it('incomplete variables are an error, not a half profile', () => {
    expect(caught(() => profileFromEnvironment({ OS_AUTH_URL: 'http://x/v3', OS_PASSWORD: 'p' })).message).toMatch(/user name or user id/)
  })
})
