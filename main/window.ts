/**
 * The main window. `windowOptions` is a pure function (tested with a mocked electron) so that every security
 * setting is written out here, explicitly, in one place.
 */
import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron'

/** `extra.devTools`: allow DevTools at all (development only; a packaged build never passes it). */
export function windowOptions(preloadPath: string, extra: { icon?: string; devTools?: boolean } = {}): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Glance Desktop',
    backgroundColor: '#ffffff',
    ...(extra.icon ? { icon: extra.icon } : {}),
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: extra.devTools === true,
    },
  }
}

export interface MainWindowOptions {
  preloadPath: string
  /** app://glance/ in production, the dev server in development. */
  url: string
  icon?: string
  /** Open devtools (development only). */
  devTools?: boolean
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow(windowOptions(opts.preloadPath, { ...(opts.icon ? { icon: opts.icon } : {}), devTools: opts.devTools === true }))
  win.once('ready-to-show', () => win.show())
  if (!opts.devTools) {
    // Belt and braces: webPreferences.devTools is already false; close them should anything open them anyway.
    win.webContents.on('devtools-opened', () => win.webContents.closeDevTools())
  }
  void win.loadURL(opts.url)
  return win
}
