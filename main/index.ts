/**
 * Glance Desktop's main process: app lifecycle only. Services are built by createServices (main/services.ts), the
 * window by main/window.ts, the menu by main/menu.ts; security wiring lives in main/electron/.
 */
import { app, BrowserWindow, ipcMain, session } from 'electron'
import { join } from 'node:path'
import { createServices, type Services } from './services'
import { createElectronPlatform } from './electron/platform'
import { electronStoreBackend } from './electron/settings-store'
import { openExternalChecked } from './electron/open-external'
import { APP_URL, handleAppProtocol, registerAppScheme } from './electron/protocol'
import { appUrlMatcher } from './electron/origin'
import { debugSwitches, denyAllPermissions, hardenApp } from './electron/security'
import { senderCheck } from './electron/sender'
import { bindIpcMain, forwardEvents } from './ipc/electron'
import { createMainWindow } from './window'
import { DOCS_URL, installMenu } from './menu'
import { EVENTS } from '../preload/contract/events'

const here = import.meta.dirname
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const isDev = devServerUrl !== undefined
const isAppUrl = appUrlMatcher(devServerUrl)

let mainWindow: BrowserWindow | null = null
let services: Services | null = null
let closing: Promise<void> | null = null

// A packaged app never runs with a debugger or DevTools endpoint open into it (the fuses already drop Node's
// --inspect; Chromium's --remote-debugging-* are refused here, before anything starts).
const refusedSwitches = app.isPackaged ? debugSwitches(process.argv) : []

// Before anything else: one instance, a sandbox for every renderer, the app:// scheme (must precede `ready`).
if (refusedSwitches.length) {
  process.stderr.write(`Glance Desktop: refusing to start with ${refusedSwitches.map((s) => `--${s}`).join(', ')} (debugging is disabled in release builds).\n`)
  app.exit(1)
} else if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.enableSandbox()
  registerAppScheme()
  app.setAppUserModelId('io.glancedesktop.app')
  hardenApp(app, {
    isAppUrl,
    openExternal: openExternalChecked,
    onBlocked: (what, url) => services?.log.warn('blocked', { what, url: url.slice(0, 200) }),
  })
  void main()
}

async function main(): Promise<void> {
  await app.whenReady()
  denyAllPermissions(session.defaultSession, isAppUrl)
  handleAppProtocol(join(here, '../renderer'))

  const getWindow = (): BrowserWindow | null => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null)
  services = await createServices(createElectronPlatform(getWindow), { settingsBackend: electronStoreBackend, warmStart: true })
  const svc = services
  svc.log.info('started', { version: app.getVersion(), electron: process.versions.electron, dev: isDev })

  bindIpcMain(ipcMain, svc.handlers, {
    isTrustedSender: senderCheck(() => getWindow()?.webContents ?? null, isAppUrl),
    onError: (channel, message) => svc.log.warn('ipc error', { channel, message }),
  })
  forwardEvents(svc.events, () => getWindow()?.webContents ?? null)

  installMenu({
    isDev,
    platform: process.platform,
    appName: app.getName(),
    command: (command) => getWindow()?.webContents.send(EVENTS.app.command, { command }),
    openDocs: () => void openExternalChecked(DOCS_URL),
  })

  const open = (): void => {
    mainWindow = createMainWindow({
      preloadPath: join(here, '../preload/index.cjs'),
      url: devServerUrl ?? APP_URL,
      devTools: isDev,
    })
    mainWindow.on('closed', () => {
      mainWindow = null
    })
  }
  open()

  app.on('second-instance', () => {
    const win = getWindow()
    if (!win) return open()
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open()
  })
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

// Quit gracefully: let the transfer queue checkpoint its jobs (services.close) before the process goes away.
app.on('before-quit', (event) => {
  if (!services) return // not started, or already closed: quit now
  event.preventDefault()
  if (closing) return // already closing; app.quit() follows
  const svc = services
  const timeout = new Promise<void>((r) => setTimeout(r, 10_000).unref())
  closing = Promise.race([svc.close(), timeout])
    .catch((e: unknown) => svc.log.error('close failed', { error: String(e) }))
    .finally(() => {
      services = null
      app.quit()
    })
})
