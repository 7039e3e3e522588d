/**
 * main/index.ts end to end against the fake electron: the order of the secure defaults, the IPC binding with the
 * real sender check, the window, the menu's app:command, and a graceful quit that awaits services.close().
 */
import { describe, expect, it, vi } from 'vitest'
import { COMMAND_CHANNELS } from '../../../preload/contract/commands'
import { EventBus } from '../../../main/events'
import { createNullLogger } from '../../../main/log'
import { fake, FakeBrowserWindow, FakeWebContents, fireReady } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron())

const closed = { count: 0, release: (): void => {} }
const bus = new EventBus()
const platforms: unknown[] = []
/** The options the app built its services with, and how many windows existed then (issue 16.4: warm start first). */
const serviceOptions: { opts: unknown; windows: number }[] = []
vi.mock('../../../main/services', () => ({
  createServices: vi.fn(async (platform: unknown, opts: unknown) => {
    platforms.push(platform)
    serviceOptions.push({ opts, windows: FakeBrowserWindow.created.length })
    return {
      platform,
      events: bus,
      log: createNullLogger(),
      handlers: Object.fromEntries(COMMAND_CHANNELS.map((c) => [c, async () => c])),
      close: () =>
        new Promise<void>((r) => {
          closed.count++
          closed.release = r
        }),
    }
  }),
}))

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

describe('main process lifecycle', async () => {
  await import('../../../main/index')

  it('sets the secure defaults before ready', () => {
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalled()
    expect(fake.app.sandboxEnabled).toBe(true)
    expect(fake.app.userModelId).toBe('io.glancedesktop.app')
    expect(fake.protocol.registeredBeforeReady).toBe(true)
    expect(fake.app.listenerCount('web-contents-created')).toBe(1)
    expect(FakeBrowserWindow.created).toHaveLength(0)
  })

  it('once ready: permissions denied, app:// served, IPC bound, window on app://glance/, menu installed', async () => {
    fireReady()
    for (let i = 0; i < 5; i++) await tick()
    expect(fake.session.requestHandler).not.toBeNull()
    expect(fake.session.checkHandler).not.toBeNull()
    expect(fake.protocol.handlers.has('app')).toBe(true)
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...COMMAND_CHANNELS].sort())
    expect(platforms).toHaveLength(1)
    expect(platforms[0]).toMatchObject({ kind: 'electron', dataDir: '/tmp/glance-fake-userdata' })
    // The warm start (sign-in with the last listed profile) is asked for as the services are built, before the window.
    expect(serviceOptions).toEqual([{ opts: expect.objectContaining({ warmStart: true }), windows: 0 }])
    const win = FakeBrowserWindow.created[0]!
    expect(win.loaded).toEqual(['app://glance/'])
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(/preload[/\\]index\.cjs$/)
    expect(fake.menu.applied).toBeTruthy()
  })

  it('serves the window and refuses any other sender', async () => {
    const win = FakeBrowserWindow.created[0]!
    const wc = win.webContents
    expect(await fake.ipcMain.invoke('app:info', { sender: wc, senderFrame: wc.mainFrame })).toEqual({ ok: true, value: 'app:info' })
    const stranger = new FakeWebContents('app://glance/')
    expect(await fake.ipcMain.invoke('app:info', { sender: stranger, senderFrame: stranger.mainFrame })).toMatchObject({
      ok: false,
      error: { code: 'SENDER' },
    })
  })

  it('forwards bus events and menu commands to the window', () => {
    const wc = FakeBrowserWindow.created[0]!.webContents
    bus.emit('app:notice', { level: 'info', message: 'hi' })
    const flat = (items: { id?: string; submenu?: unknown; click?: () => void }[]): typeof items =>
      items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flat(i.submenu as typeof items) : [])])
    flat(fake.menu.template as never).find((i) => i.id === 'refresh')!.click!()
    expect(wc.sent).toEqual([
      { channel: 'app:notice', payload: { level: 'info', message: 'hi' } },
      { channel: 'app:command', payload: { command: 'refresh' } },
    ])
  })

  it('hardens new web contents (window.open denied)', () => {
    const wc = new FakeWebContents()
    fake.app.emit('web-contents-created', {}, wc)
    expect(wc.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
  })

  it('quits only after the services closed (transfer queue checkpointed)', async () => {
    const ev = {
      prevented: false,
      preventDefault() {
        this.prevented = true
      },
    }
    fake.app.emit('before-quit', ev)
    expect(ev.prevented).toBe(true)
    expect(closed.count).toBe(1)
    const again = {
      prevented: false,
      preventDefault() {
        this.prevented = true
      },
    }
    fake.app.emit('before-quit', again)
    expect(again.prevented).toBe(true)
    expect(closed.count).toBe(1)
    expect(fake.app.quitCalls).toBe(0)
    closed.release()
    for (let i = 0; i < 5; i++) await tick()
    expect(fake.app.quitCalls).toBe(1)
    const last = {
      prevented: false,
      preventDefault() {
        this.prevented = true
      },
    }
    fake.app.emit('before-quit', last)
    expect(last.prevented).toBe(false)
  })
})
