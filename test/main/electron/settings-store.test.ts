/**
 * C4: the Electron build keeps the profiles in electron-store, the harness and the CLI in conf: one file, one format.
 * A profile saved through electron-store is read back by a plain-Node (conf) ProfileService over the same folder and
 * the other way round; the file is `<dataDir>/settings.json`, mode 0600; a corrupt file is set aside, not cleared.
 * Electron itself is mocked (vi.mock('electron'), as test/main/shell does): electron-store asks it for userData only.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import ElectronStore from 'electron-store'
import { ProfileService } from '../../../main/profiles/service'
import { electronStoreBackend } from '../../../main/electron/settings-store'
import { SETTINGS_VERSION } from '../../../main/profiles/profile-store'
import { EventBus } from '../../../main/events'
import { createNullLogger } from '../../../main/log'
import { makePlatform, sampleProfile, tempDir } from '../profiles/helpers'

vi.mock('electron', () => {
  const electron = { app: { getPath: () => '/nonexistent-userdata', getVersion: () => '0.0.0-test' }, ipcMain: { on: () => {} }, shell: {} }
  return { default: electron, ...electron }
})

const open = (dir: string, electron: boolean) =>
  ProfileService.open({ platform: makePlatform(dir), events: new EventBus(), log: createNullLogger(), ...(electron ? { backend: electronStoreBackend } : {}) })

describe('settings: electron-store in Electron, conf under plain Node, one file', () => {
  it('is an electron-store over <dataDir>/settings.json, mode 0600', () => {
    const dir = tempDir()
    const b = electronStoreBackend(dir)
    expect(b).toBeInstanceOf(ElectronStore)
    expect(b.path).toBe(join(dir, 'settings.json'))
    b.store = { version: 2, profiles: [] }
    expect(statSync(b.path).mode & 0o777).toBe(0o600)
  })

  it('a profile saved by the app (electron-store) is read by the CLI/harness (conf), and back', async () => {
    const dir = tempDir()
    const app = await open(dir, true)
    app.create(sampleProfile({ name: 'Saved in Electron' }))
    const node = await open(dir, false)
    expect(node.list().map((p) => p.name)).toContain('Saved in Electron')
    node.create(sampleProfile({ name: 'Saved by the CLI' }))
    const again = await open(dir, true)
    expect(
      again
        .list()
        .map((p) => p.name)
        .sort(),
    ).toEqual(['Saved by the CLI', 'Saved in Electron'])
    const doc = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { version: number; profiles: unknown[] }
    expect(doc.version).toBe(SETTINGS_VERSION)
    expect(doc.profiles).toHaveLength(2)
  })

  it('a settings v2 file (flat credentials) is migrated through electron-store as through conf', async () => {
    const dir = tempDir()
    const { auth, ...rest } = sampleProfile({ name: 'Old' })
    const flat = { ...rest, id: 'old-1', authType: auth.type, ...auth, appCredentialId: '', appCredentialName: '' } as Record<string, unknown>
    delete flat.type
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, profiles: [flat] }), { mode: 0o600 })
    const s = await open(dir, true)
    expect(s.state().recovered).toBeUndefined()
    expect(s.get('old-1').auth).toEqual(auth)
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).version).toBe(SETTINGS_VERSION)
  })

  it('a corrupt file is set aside (never cleared) and the app starts with no profiles', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'settings.json'), '{ not json', { mode: 0o600 })
    const s = await open(dir, true)
    expect(s.list().filter((p) => p.source === 'saved')).toEqual([])
    const aside = readdirSync(dir).filter((f) => f.startsWith('settings.json.corrupt-'))
    expect(aside).toHaveLength(1)
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('{ not json')
  })
})
