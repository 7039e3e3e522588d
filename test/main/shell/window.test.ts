import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fake, FakeBrowserWindow, resetFake } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron())

const { windowOptions, createMainWindow } = await import('../../../main/window')

describe('main window', () => {
  beforeEach(() => resetFake())

  it('has every security option of the checklist, explicitly', () => {
    const o = windowOptions('/app/out/preload/index.cjs')
    const wp = o.webPreferences!
    expect(wp.preload).toBe('/app/out/preload/index.cjs')
    expect(wp.sandbox).toBe(true)
    expect(wp.contextIsolation).toBe(true)
    expect(wp.nodeIntegration).toBe(false)
    expect(wp.nodeIntegrationInWorker).toBe(false)
    expect(wp.nodeIntegrationInSubFrames).toBe(false)
    expect(wp.webSecurity).toBe(true)
    expect(wp.allowRunningInsecureContent).toBe(false)
    expect(wp.experimentalFeatures).toBe(false)
    expect(wp.webviewTag).toBe(false)
    expect(wp.navigateOnDragDrop).toBe(false)
    expect(wp).not.toHaveProperty('enableBlinkFeatures')
    expect(wp).not.toHaveProperty('additionalArguments')
  })

  it('creates the window with those options and loads the given URL, shown when ready', () => {
    const win = createMainWindow({ preloadPath: '/p/index.cjs', url: 'app://glance/' }) as unknown as FakeBrowserWindow
    expect(FakeBrowserWindow.created).toHaveLength(1)
    expect(win.options).toEqual(windowOptions('/p/index.cjs'))
    expect(win.loaded).toEqual(['app://glance/'])
    expect(win.shown).toBe(false)
    win.emit('ready-to-show')
    expect(win.shown).toBe(true)
    expect(fake.app).toBeDefined()
  })

  it('closes devtools in production, keeps them in development', () => {
    const prod = createMainWindow({ preloadPath: '/p', url: 'app://glance/' }) as unknown as FakeBrowserWindow
    prod.webContents.emit('devtools-opened')
    expect(prod.webContents.devToolsClosed).toBe(1)
    const dev = createMainWindow({ preloadPath: '/p', url: 'http://localhost:5173/', devTools: true }) as unknown as FakeBrowserWindow
    dev.webContents.emit('devtools-opened')
    expect(dev.webContents.devToolsClosed).toBe(0)
  })
})
