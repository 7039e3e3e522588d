/**
 * A stand-in for the `electron` module (Electron cannot launch here). Records what the code under test asks of it.
 * Use as: vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron()).
 * The same module instance is shared by the test (import { fake } from './fake-electron').
 */
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

export class FakeFrame {
  parent: FakeFrame | null = null
  constructor(
    public url: string,
    public processId = 1,
    public routingId = 1,
  ) {}
}

export class FakeWebContents extends EventEmitter {
  destroyed = false
  sent: { channel: string; payload: unknown }[] = []
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null
  mainFrame: FakeFrame
  devToolsClosed = 0
  constructor(url = 'app://glance/') {
    super()
    this.mainFrame = new FakeFrame(url)
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload })
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h
  }
  closeDevTools(): void {
    this.devToolsClosed++
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = []
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.created.filter((w) => !w.destroyed)
  }
  webContents = new FakeWebContents()
  loaded: string[] = []
  progress: number[] = []
  destroyed = false
  shown = false
  constructor(public options: Record<string, unknown>) {
    super()
    FakeBrowserWindow.created.push(this)
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url)
    this.webContents.mainFrame.url = url
    return Promise.resolve()
  }
  show(): void {
    this.shown = true
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  isMinimized(): boolean {
    return false
  }
  restore(): void {}
  focus(): void {}
  setProgressBar(p: number): void {
    this.progress.push(p)
  }
}

export class FakeSession {
  requestHandler: ((wc: unknown, permission: string, cb: (ok: boolean) => void, details: unknown) => void) | null = null
  checkHandler: ((wc: unknown, permission: string, origin: string, details: unknown) => boolean) | null = null
  deviceHandler: ((d: unknown) => boolean) | null = null
  displayMediaHandler: ((req: unknown, cb: (s: unknown) => void) => void) | null = null
  setPermissionRequestHandler(h: FakeSession['requestHandler']): void {
    this.requestHandler = h
  }
  setPermissionCheckHandler(h: FakeSession['checkHandler']): void {
    this.checkHandler = h
  }
  setDevicePermissionHandler(h: FakeSession['deviceHandler']): void {
    this.deviceHandler = h
  }
  setDisplayMediaRequestHandler(h: FakeSession['displayMediaHandler']): void {
    this.displayMediaHandler = h
  }
}

export class FakeIpcMain {
  handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  handle(channel: string, fn: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, fn)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  /** Calls a registered handler as Electron would. */
  invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel)
    if (!h) throw new Error(`no handler for ${channel}`)
    return Promise.resolve(h(event, ...args))
  }
}

export class FakeApp extends EventEmitter {
  isPackaged = true
  sandboxEnabled = false
  userModelId = ''
  lock = true
  quitCalls = 0
  readyResolve!: () => void
  readyPromise = new Promise<void>((r) => (this.readyResolve = r))
  paths: Record<string, string> = { userData: '/tmp/glance-fake-userdata' }
  requestSingleInstanceLock = vi.fn(() => this.lock)
  enableSandbox(): void {
    this.sandboxEnabled = true
  }
  setAppUserModelId(id: string): void {
    this.userModelId = id
  }
  whenReady(): Promise<void> {
    return this.readyPromise
  }
  quit(): void {
    this.quitCalls++
  }
  getPath(name: string): string {
    return this.paths[name] ?? `/tmp/glance-fake-${name}`
  }
  getName(): string {
    return 'Glance Desktop'
  }
  getVersion(): string {
    return '0.1.0'
  }
  getLocale(): string {
    return 'en-US'
  }
}

export interface FakeElectronState {
  app: FakeApp
  ipcMain: FakeIpcMain
  session: FakeSession
  BrowserWindow: typeof FakeBrowserWindow
  protocol: {
    privileged: unknown[]
    handlers: Map<string, (req: Request) => Promise<Response>>
    registeredBeforeReady: boolean | null
  }
  menu: { template: unknown[] | null; applied: unknown }
  shell: { opened: string[] }
  notifications: { title: string; body: string }[]
  dialog: { open: unknown[]; save: unknown[]; openAnswer: string | null; saveAnswer: string | null }
  safeStorage: { available: boolean; backend: string }
}

export const fake: FakeElectronState = newState()

function newState(): FakeElectronState {
  return {
    app: new FakeApp(),
    ipcMain: new FakeIpcMain(),
    session: new FakeSession(),
    BrowserWindow: FakeBrowserWindow,
    protocol: { privileged: [], handlers: new Map(), registeredBeforeReady: null },
    menu: { template: null, applied: null },
    shell: { opened: [] },
    notifications: [],
    dialog: { open: [], save: [], openAnswer: null, saveAnswer: null },
    safeStorage: { available: true, backend: 'gnome_libsecret' },
  }
}

/** Resets the recorded state (call in beforeEach). */
export function resetFake(): void {
  Object.assign(fake, newState())
  FakeBrowserWindow.created = []
}

let readyFired = false

export function fakeElectron(): Record<string, unknown> {
  const protocol = {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      fake.protocol.privileged.push(...schemes)
      fake.protocol.registeredBeforeReady = !readyFired
    },
    handle: (scheme: string, h: (req: Request) => Promise<Response>) => fake.protocol.handlers.set(scheme, h),
  }
  const Menu = {
    buildFromTemplate: (template: unknown[]) => {
      fake.menu.template = template
      return { template }
    },
    setApplicationMenu: (m: unknown) => {
      fake.menu.applied = m
    },
  }
  class Notification {
    static isSupported(): boolean {
      return true
    }
    constructor(private readonly o: { title: string; body: string }) {}
    show(): void {
      fake.notifications.push({ title: this.o.title, body: this.o.body })
    }
  }
  const mod = {
    get app() {
      return fake.app
    },
    get ipcMain() {
      return fake.ipcMain
    },
    get session() {
      return { defaultSession: fake.session }
    },
    BrowserWindow: FakeBrowserWindow,
    protocol,
    Menu,
    Notification,
    shell: {
      openExternal: async (url: string) => {
        fake.shell.opened.push(url)
      },
    },
    dialog: {
      showOpenDialog: async (...a: unknown[]) => {
        fake.dialog.open.push(a)
        return fake.dialog.openAnswer ? { canceled: false, filePaths: [fake.dialog.openAnswer] } : { canceled: true, filePaths: [] }
      },
      showSaveDialog: async (...a: unknown[]) => {
        fake.dialog.save.push(a)
        return fake.dialog.saveAnswer ? { canceled: false, filePath: fake.dialog.saveAnswer } : { canceled: true, filePath: '' }
      },
    },
    safeStorage: {
      isEncryptionAvailable: () => fake.safeStorage.available,
      getSelectedStorageBackend: () => fake.safeStorage.backend,
      encryptString: (s: string) => Buffer.from(`enc:${s}`),
      decryptString: (b: Buffer) => b.toString().replace(/^enc:/, ''),
    },
  }
  return { ...mod, default: mod }
}

/** Makes `app.whenReady()` resolve (protocol registrations after this count as "after ready"). */
export function fireReady(): void {
  readyFired = true
  fake.app.readyResolve()
}
