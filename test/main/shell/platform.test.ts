import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { BrowserWindow, SafeStorage } from 'electron'
import { fake, FakeBrowserWindow, resetFake } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron())

const { createElectronPlatform, safeStorageCipher } = await import('../../../main/electron/platform')

const ss = (available: boolean, backend: string): SafeStorage =>
  ({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s: string) => Buffer.from(s),
    decryptString: (b: Buffer) => b.toString(),
  }) as unknown as SafeStorage

describe('Electron platform', () => {
  beforeEach(() => resetFake())

  it('counts safeStorage as available only with a real keychain', () => {
    expect(safeStorageCipher(ss(true, 'gnome_libsecret'), 'linux').isAvailable()).toBe(true)
    expect(safeStorageCipher(ss(true, 'kwallet5'), 'linux').isAvailable()).toBe(true)
    expect(safeStorageCipher(ss(true, 'basic_text'), 'linux').isAvailable()).toBe(false)
    expect(safeStorageCipher(ss(true, 'unknown'), 'linux').isAvailable()).toBe(false)
    expect(safeStorageCipher(ss(false, 'gnome_libsecret'), 'linux').isAvailable()).toBe(false)
    expect(safeStorageCipher(ss(true, 'basic_text'), 'darwin').isAvailable()).toBe(true)
  })

  it('builds the platform from app, dialogs on the main window, notifications and progress', async () => {
    const win = new FakeBrowserWindow({})
    const p = createElectronPlatform(() => win as unknown as BrowserWindow)
    expect(p.kind).toBe('electron')
    expect(p.dataDir).toBe('/tmp/glance-fake-userdata')
    expect(p.locale).toBe('en-US')
    expect(p.cipher.decrypt(p.cipher.encrypt('pw'))).toBe('pw')

    fake.dialog.openAnswer = '/home/u/disk.qcow2'
    expect(await p.dialogs.openFile({ purpose: 'image' })).toBe('/home/u/disk.qcow2')
    expect(fake.dialog.open[0]).toEqual([win, expect.objectContaining({ properties: ['openFile'] })])
    expect(await p.dialogs.saveFile({ purpose: 'csv', defaultName: 'images.csv' })).toBeNull()

    p.shell.notify('Upload finished', 'disk.qcow2')
    expect(fake.notifications).toEqual([{ title: 'Upload finished', body: 'disk.qcow2' }])
    p.shell.setProgress(0.5)
    p.shell.setProgress(7)
    p.shell.setProgress(-1)
    expect(win.progress).toEqual([0.5, 1, -1])

    await p.shell.openExternal('https://example.com/')
    await expect(p.shell.openExternal('file:///etc/passwd')).rejects.toThrow(/http/)
    expect(fake.shell.opened).toEqual(['https://example.com/'])
  })
})
