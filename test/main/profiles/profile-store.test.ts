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
import { harness, sampleProfile, tempDir } from './helpers'
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
    const good = { version: SETTINGS_VERSION, profiles: [{ ...v1Profile, propertyKeys: { ...DEFAULT_PROPERTY_KEYS }, readOnly: false }] }
    expect(upgradeDocument(good).doc.profiles).toHaveLength(1)
    expect(() => upgradeDocument({ ...good, extra: 1 })).toThrow(SettingsError)
    expect(() => upgradeDocument({ ...good, profiles: [{ ...good.profiles[0], password: 'x' }] })).toThrow(/password|Unrecognized/i)
  })

  it('validates profile inputs: http(s) auth URLs, required identity, default region among regions', () => {
    expect(zProfileInput.safeParse(sampleProfile()).success).toBe(true)
    expect(zProfileInput.safeParse(sampleProfile({ authUrl: 'ftp://x/v3' })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ authUrl: 'javascript:alert(1)' })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ username: '', userId: '' })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ defaultRegion: 'Nowhere' })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ name: 'x'.repeat(129) })).success).toBe(false)
    expect(zProfileInput.safeParse({ ...sampleProfile(), secret: 'x' }).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ propertyKeys: { ...DEFAULT_PROPERTY_KEYS, virtualization: 'os_glance_x' } })).success).toBe(false)
    expect(zProfileInput.safeParse(sampleProfile({ authType: 'applicationCredential', username: '', projectName: '', appCredentialId: 'abc' })).success).toBe(
      true,
    )
  })
})

describe('migrations', () => {
  it('v1 -> v2 adds the property-key map and the read-only guard, keeping everything else', () => {
    const { doc, migrated } = upgradeDocument({ version: 1, profiles: [v1Profile] })
    expect(migrated).toBe(true)
    expect(doc.version).toBe(2)
    expect(doc.profiles[0]).toEqual({ ...v1Profile, propertyKeys: DEFAULT_PROPERTY_KEYS, readOnly: false })
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
    expect(onDisk.version).toBe(2)
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
