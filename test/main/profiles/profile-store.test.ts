import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  MIGRATIONS,
  SETTINGS_JSON_SCHEMA,
  SETTINGS_VERSION,
  openSettings,
  upgradeDocument,
  memoryBackend,
  SettingsError,
} from '../../../main/profiles/profile-store'
import { DEFAULT_PROPERTY_KEYS, zProfileInput } from '../../../main/profiles/model'
import { ProfileService } from '../../../main/profiles/service'
import { appCredentialAuth } from '../../../preload/api'
import { harness, sampleAuth, sampleProfile, tempDir } from './helpers'
import { onPosix } from '../../support/needs'

const v1Profile = {
  id: 'p-1',
  name: 'Old',
  color: '#409eff',
  group: '',
  authUrl: 'http://127.0.0.1:5000/v3',
  authType: 'password',
  username: 'admin',
  userId: '',
  userDomainName: 'Default',
  projectName: 'admin',
  projectId: '',
  projectDomainName: 'Default',
  appCredentialId: '',
  appCredentialName: '',
  regions: ['RegionOne'],
  defaultRegion: 'RegionOne',
  interface: 'public',
  caFile: '',
  insecure: false,
  endpointOverrides: {},
  notes: 'from v1',
}

describe('settings schema', () => {
  it('is a JSON schema that refuses unknown properties at every level', () => {
    const s = SETTINGS_JSON_SCHEMA as { additionalProperties?: boolean; properties: Record<string, { items?: Record<string, unknown> }> }
    expect(s.additionalProperties).toBe(false)
    const item = s.properties.profiles!.items as { additionalProperties?: boolean; properties: Record<string, { additionalProperties?: boolean }> }
    expect(item.additionalProperties).toBe(false)
    expect(item.properties.propertyKeys!.additionalProperties).toBe(false)
    expect(Object.keys(item.properties)).toEqual(expect.arrayContaining(['id', 'name', 'authUrl', 'readOnly', 'propertyKeys']))
  })

  it('refuses a document with an unknown key or a secret-looking field', () => {
    const good = { version: SETTINGS_VERSION, profiles: [{ ...sampleProfile(), id: 'p-1' }] }
    expect(upgradeDocument(good).doc.profiles).toHaveLength(1)
    expect(() => upgradeDocument({ ...good, extra: 1 })).toThrow(SettingsError)
    expect(() => upgradeDocument({ ...good, profiles: [{ ...good.profiles[0], password: 'x' }] })).toThrow(/password|Unrecognized/i)
    expect(() => upgradeDocument({ ...good, profiles: [{ ...good.profiles[0]!, auth: { ...good.profiles[0]!.auth, password: 'x' } }] })).toThrow(
      /password|Unrecognized/i,
    )
  })

  it('validates profile inputs: http(s) auth URLs, required identity, default region among regions', () => {
    expect(zProfileInput.safeParse(sampleProfile()).success).toBe(true)
    expect(zProfileInput.safeParse(sampleProfile({ authUrl: 'ftp://x/v3' })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ authUrl: 'javascript:alert(1)' })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ auth: sampleAuth({ username: '', userId: '' }) })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ defaultRegion: 'Nowhere' })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ name: 'x'.repeat(129) })).success).toBe(false)
    expect(zProfileInput.safeParse({ ...sampleProfile(), secret: 'x' }).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ propertyKeys: { ...DEFAULT_PROPERTY_KEYS, virtualization: 'os_glance_x' } })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ auth: appCredentialAuth({ appCredentialId: 'abc' }) })).success).toBe(true)
  })
})

describe('migrations', () => {
  it('v1 -> v2 adds the property-key map and the read-only guard, keeping everything else', () => {
    const doc = MIGRATIONS[1]!({ version: 1, profiles: [v1Profile] })
    expect(upgradeDocument({ version: 1, profiles: [v1Profile] }).migrated).toBe(true)
    expect(doc.version).toBe(2)
    expect((doc.profiles as unknown[])[0]).toEqual({ ...v1Profile, propertyKeys: DEFAULT_PROPERTY_KEYS, readOnly: false })
  })

  it('a document without a version is v1', () => {
    expect(upgradeDocument({ profiles: [v1Profile] }).doc.profiles[0]!.readOnly).toBe(false)
  })

  it('keeps keys a v1 profile already had', () => {
    const p = { ...v1Profile, propertyKeys: { virtualization: 'usage_type' } }
    expect(MIGRATIONS[1]!({ version: 1, profiles: [p] }).profiles).toEqual([
      { ...p, propertyKeys: { ...DEFAULT_PROPERTY_KEYS, virtualization: 'usage_type' }, readOnly: false },
    ])
  })

  onPosix('migrates the file on disk (conf backend) and writes it 0600', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, profiles: [v1Profile] }), { mode: 0o644 })
    const r = openSettings({ dir })
    expect(r.recovered).toBeUndefined()
    expect(r.doc.profiles[0]!.propertyKeys).toEqual(DEFAULT_PROPERTY_KEYS)
    const onDisk = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))
    expect(onDisk.version).toBe(SETTINGS_VERSION)
    expect(onDisk.profiles[0].readOnly).toBe(false)
    expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600)
  })

  it('a newer format is set aside, not downgraded', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 99, profiles: [] }))
    const r = openSettings({ dir })
    expect(r.recovered?.message).toMatch(/newer version/)
    expect(JSON.parse(readFileSync(r.recovered!.backupPath, 'utf8')).version).toBe(99)
  })
})

/** Profiles as settings v2 wrote them (credentials flat), one of each kind, with domain ids. */
const common = {
  color: '#409eff',
  group: 'Lab',
  regions: ['RegionOne', 'RegionTwo'],
  defaultRegion: 'RegionTwo',
  interface: 'internal',
  caFile: '/etc/ca.pem',
  insecure: false,
  endpointOverrides: { image: 'https://img.example/v2' },
  propertyKeys: { ...DEFAULT_PROPERTY_KEYS, virtualization: 'usage_type' },
  readOnly: true,
  notes: 'kept',
}
const v2Password = {
  ...common,
  id: 'pw-1',
  name: 'Password',
  authUrl: 'https://ks.example:5000/v3',
  authType: 'password',
  username: 'alice',
  userId: '',
  userDomainName: '',
  userDomainId: 'dom-u',
  projectName: 'ops',
  projectId: '',
  projectDomainName: '',
  projectDomainId: 'dom-p',
  appCredentialId: '',
  appCredentialName: '',
  policyPreset: 'vendorConsole',
}
const v2AppCredByName = {
  ...common,
  id: 'ac-1',
  name: 'AppCred by name',
  authUrl: 'https://ks.example:5000/v3',
  authType: 'applicationCredential',
  username: 'bob',
  userId: '',
  userDomainName: '',
  userDomainId: 'dom-u',
  projectName: '',
  projectId: '',
  projectDomainName: 'Default',
  appCredentialId: '',
  appCredentialName: 'ci',
}
const v2AppCredById = {
  ...v2AppCredByName,
  id: 'ac-2',
  name: 'AppCred by id',
  username: '',
  userDomainName: 'Default',
  userDomainId: undefined,
  appCredentialId: 'ac-0123',
  appCredentialName: '',
}
/** What v3 holds for them: every field the profile's kind reads, under `auth`; the rest as it was. */
const v3Expected = [
  {
    ...common,
    id: 'pw-1',
    name: 'Password',
    authUrl: 'https://ks.example:5000/v3',
    policyPreset: 'vendorConsole',
    auth: {
      type: 'password',
      username: 'alice',
      userId: '',
      userDomainName: '',
      userDomainId: 'dom-u',
      projectName: 'ops',
      projectId: '',
      projectDomainName: '',
      projectDomainId: 'dom-p',
    },
  },
  {
    ...common,
    id: 'ac-1',
    name: 'AppCred by name',
    authUrl: 'https://ks.example:5000/v3',
    auth: {
      type: 'applicationCredential',
      appCredentialId: '',
      appCredentialName: 'ci',
      username: 'bob',
      userId: '',
      userDomainName: '',
      userDomainId: 'dom-u',
    },
  },
  {
    ...common,
    id: 'ac-2',
    name: 'AppCred by id',
    authUrl: 'https://ks.example:5000/v3',
    auth: { type: 'applicationCredential', appCredentialId: 'ac-0123', appCredentialName: '', username: '', userId: '', userDomainName: 'Default' },
  },
]

describe('v2 -> v3: the credentials as the auth union (issue 11.5)', () => {
  const v2Text = JSON.stringify({ version: 2, profiles: [v2Password, v2AppCredByName, v2AppCredById] }, null, '\t')

  it('maps each kind, keeping every field it reads and every other field', () => {
    const { doc, migrated, from } = upgradeDocument(JSON.parse(v2Text))
    expect({ migrated, from, version: doc.version }).toEqual({ migrated: true, from: 2, version: 3 })
    expect(doc.profiles).toEqual(v3Expected)
    // v1 files go the whole way too
    const fromV1 = upgradeDocument({ version: 1, profiles: [v1Profile] }).doc.profiles[0]!
    expect(fromV1.auth).toEqual({
      type: 'password',
      username: 'admin',
      userId: '',
      userDomainName: 'Default',
      projectName: 'admin',
      projectId: '',
      projectDomainName: 'Default',
    })
    expect(fromV1).toMatchObject({ id: 'p-1', notes: 'from v1', readOnly: false, propertyKeys: DEFAULT_PROPERTY_KEYS })
  })

  onPosix('an old file on disk is migrated on open, rewritten (0600) with the old one kept beside, and a second open changes nothing', async () => {
    const h = harness()
    const file = join(h.dir, 'settings.json')
    writeFileSync(file, v2Text, { mode: 0o644 })
    const r = openSettings({ dir: h.dir })
    expect(r.recovered).toBeUndefined()
    expect(r.doc.profiles).toEqual(v3Expected)
    const onDisk = JSON.parse(readFileSync(file, 'utf8'))
    expect(onDisk).toEqual({ version: 3, profiles: v3Expected })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    // the file as it was, byte for byte, 0600
    expect(readFileSync(`${file}.v2.bak`, 'utf8')).toBe(v2Text)
    expect(statSync(`${file}.v2.bak`).mode & 0o777).toBe(0o600)

    const bytes = readFileSync(file, 'utf8')
    const again = openSettings({ dir: h.dir })
    expect(again.recovered).toBeUndefined()
    expect(again.doc).toEqual(r.doc)
    expect(readFileSync(file, 'utf8')).toBe(bytes)
    expect(
      readdirSync(h.dir)
        .filter((n) => n.startsWith('settings.json'))
        .sort(),
    ).toEqual(['settings.json', 'settings.json.v2.bak'])

    // and the service serves them in the new shape
    const svc = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log, fromEnvironment: false })
    expect(svc.list().map((p) => [p.name, p.auth])).toEqual(v3Expected.map((p) => [p.name, p.auth]))
  })

  it('an entry of an unknown auth type (or shape) is not dropped: the whole file is kept aside and the user is told', () => {
    for (const odd of [
      { ...v2Password, authType: 'kerberos' },
      { ...v2Password, authType: undefined },
      { ...v2Password, username: 42 },
    ]) {
      const dir = tempDir()
      const text = JSON.stringify({ version: 2, profiles: [v2AppCredById, odd] })
      writeFileSync(join(dir, 'settings.json'), text)
      const r = openSettings({ dir, now: () => new Date('2025-01-02T03:04:05.678Z') })
      expect(r.doc.profiles).toEqual([])
      expect(r.recovered).toMatchObject({ reason: 'settingsKeptAside' })
      expect(readFileSync(r.recovered!.backupPath, 'utf8')).toBe(text)
      expect(existsSync(join(dir, 'settings.json'))).toBe(false)
    }
  })
})

describe('corrupt or unreadable settings', () => {
  const now = () => new Date('2025-01-02T03:04:05.678Z')

  it('a corrupt file is kept aside byte for byte, the app starts with defaults, and the user is told', async () => {
    const h = harness()
    const garbage = '{"version": 2, "profiles": [ {"name": "half'
    writeFileSync(join(h.dir, 'settings.json'), garbage)
    const svc = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    const st = svc.state()
    expect(st.profiles).toEqual([])
    expect(st.recovered).toBeDefined()
    expect(st.recovered!.backupPath).toMatch(/settings\.json\.corrupt-\d{4}-/)
    expect(st.recovered!.message).toMatch(/kept as settings\.json\.corrupt-/)
    expect(readFileSync(st.recovered!.backupPath, 'utf8')).toBe(garbage)
    // The app keeps working and writes a fresh file; the backup is untouched.
    svc.create(sampleProfile())
    expect(JSON.parse(readFileSync(join(h.dir, 'settings.json'), 'utf8')).profiles).toHaveLength(1)
    expect(readFileSync(st.recovered!.backupPath, 'utf8')).toBe(garbage)
  })

  it('a file that parses but is not a valid document is set aside too', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, profiles: [{ id: 'x', name: 42 }] }))
    const r = openSettings({ dir, now })
    expect(r.doc.profiles).toEqual([])
    expect(r.recovered!.backupPath).toBe(join(dir, 'settings.json.corrupt-2025-01-02T03-04-05-678Z'))
    expect(existsSync(r.recovered!.backupPath)).toBe(true)
  })

  it('an unreadable settings path (a folder) is moved aside and the app starts', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'settings.json'))
    writeFileSync(join(dir, 'settings.json', 'inside'), 'keep me')
    const r = openSettings({ dir, now })
    expect(r.recovered!.message).toMatch(/cannot be read|not valid/)
    expect(readFileSync(join(r.recovered!.backupPath, 'inside'), 'utf8')).toBe('keep me')
    expect(r.doc.profiles).toEqual([])
  })

  it('when the bad file cannot be moved, it is left untouched and nothing is written over it', () => {
    const dir = tempDir()
    const garbage = 'not json'
    let made = 0
    const backend = (d: string) => {
      made++
      const b = memoryBackend(join(d, 'settings.json'))
      Object.defineProperty(b, 'store', {
        get() {
          throw new SyntaxError('Unexpected token')
        },
        set() {
          throw new Error('must not write')
        },
      })
      return b
    }
    // No file at that path: the rename fails, so we get a volatile in-memory store.
    const r = openSettings({ dir, backend, now })
    expect(made).toBe(1)
    expect(r.volatile).toBe(true)
    expect(r.recovered!.message).toMatch(/left untouched/)
    r.backend.store = { version: 2, profiles: [] }
    expect(readdirSync(dir)).toEqual([])
    void garbage
  })

  onPosix('a read-only data folder: the settings are still read (0600 file, no crash)', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, profiles: [] }), { mode: 0o600 })
    chmodSync(dir, 0o500)
    try {
      const r = openSettings({ dir })
      expect(r.recovered).toBeUndefined()
    } finally {
      chmodSync(dir, 0o700)
    }
  })
})
