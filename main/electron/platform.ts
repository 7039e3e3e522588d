/**
 * The Electron Platform: userData, the OS keychain through safeStorage, native dialogs parented to the main window,
 * notifications and taskbar/dock progress. Create it after the app is ready.
 */
import { app, dialog, Notification, safeStorage, type BrowserWindow, type SafeStorage } from 'electron'
import type { Dialogs, Platform, SecretCipher, Shell } from '../platform'
import { openExternalChecked } from './open-external'
import { confirmBoxOptions } from './confirm'

/**
 * safeStorage as a SecretCipher. Refuses to count as available when Chromium fell back to its hard-coded
 * `basic_text` key on Linux (no keyring): "encrypted" secrets would then be readable by anyone with the file.
 */
export function safeStorageCipher(ss: SafeStorage = safeStorage, platform: NodeJS.Platform = process.platform): SecretCipher {
  const isAvailable = (): boolean => {
    try {
      if (!ss.isEncryptionAvailable()) return false
      if (platform === 'linux') {
        const backend = ss.getSelectedStorageBackend()
        if (backend === 'basic_text' || backend === 'unknown') return false
      }
      return true
    } catch {
      return false
    }
  }
  return {
    isAvailable,
    encrypt: (plain) => ss.encryptString(plain),
    decrypt: (data) => ss.decryptString(data),
  }
}

function electronDialogs(window: () => BrowserWindow | null): Dialogs {
  return {
    async confirm(req) {
      const win = window()
      const o = confirmBoxOptions(req, app.getLocale())
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o)
      return r.response === 1
    },
    async openFile(opts) {
      const win = window()
      const o: Electron.OpenDialogOptions = {
        properties: ['openFile'],
        ...(opts.title ? { title: opts.title } : {}),
        ...(opts.filters ? { filters: opts.filters } : {}),
      }
      const r = win ? await dialog.showOpenDialog(win, o) : await dialog.showOpenDialog(o)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    },
    async saveFile(opts) {
      const win = window()
      const o: Electron.SaveDialogOptions = {
        defaultPath: opts.defaultName,
        properties: ['createDirectory', 'showOverwriteConfirmation'],
        ...(opts.filters ? { filters: opts.filters } : {}),
      }
      const r = win ? await dialog.showSaveDialog(win, o) : await dialog.showSaveDialog(o)
      return r.canceled || !r.filePath ? null : r.filePath
    },
  }
}

function electronShell(window: () => BrowserWindow | null): Shell {
  return {
    async openExternal(url) {
      if (!(await openExternalChecked(url))) throw new Error('Only http(s) links can be opened.')
    },
    notify(title, body) {
      if (!Notification.isSupported()) return
      new Notification({ title, body, silent: false }).show()
    },
    setProgress(fraction) {
      const win = window()
      if (!win || win.isDestroyed()) return
      win.setProgressBar(fraction < 0 ? -1 : Math.min(1, Math.max(0, fraction)))
    },
  }
}

export function createElectronPlatform(window: () => BrowserWindow | null): Platform {
  return {
    kind: 'electron',
    appName: app.getName(),
    version: app.getVersion(),
    dataDir: app.getPath('userData'),
    locale: app.getLocale(),
    env: process.env,
    cipher: safeStorageCipher(),
    dialogs: electronDialogs(window),
    shell: electronShell(window),
  }
}
