import { describe, expect, it, vi } from 'vitest'
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { AppError } from '../../../preload/api'
import { COMMAND_CHANNELS } from '../../../preload/contract/commands'
import { EventBus } from '../../../main/events'
import type { HandlerMap } from '../../../main/ipc/types'
import { FakeFrame, FakeIpcMain, FakeWebContents } from '../shell/fake-electron'

vi.mock('electron', async () => (await import('../shell/fake-electron')).fakeElectron())

const { bindIpcMain, forwardEvents } = await import('../../../main/ipc/electron')
const { senderCheck } = await import('../../../main/electron/sender')
const { appUrlMatcher } = await import('../../../main/electron/origin')

function handlers(overrides: Partial<Record<string, (...a: unknown[]) => Promise<unknown>>> = {}): HandlerMap {
  return Object.fromEntries(COMMAND_CHANNELS.map((c) => [c, overrides[c] ?? (async (...a: unknown[]) => ({ channel: c, args: a }))])) as unknown as HandlerMap
}

function setup(h = handlers()) {
  const ipc = new FakeIpcMain()
  const wc = new FakeWebContents('app://glance/')
  const errors: string[] = []
  const unbind = bindIpcMain(ipc as unknown as IpcMain, h, {
    isTrustedSender: senderCheck(() => wc as unknown as WebContents, appUrlMatcher()),
    onError: (c, m) => errors.push(`${c}: ${m}`),
  })
  const own = { sender: wc, senderFrame: wc.mainFrame } as unknown as IpcMainInvokeEvent
  return { ipc, wc, own, errors, unbind }
}

describe('ipcMain binder', () => {
  it('registers every command channel, and unregisters them', () => {
    const { ipc, unbind } = setup()
    expect([...ipc.handlers.keys()].sort()).toEqual([...COMMAND_CHANNELS].sort())
    unbind()
    expect(ipc.handlers.size).toBe(0)
  })

  it('serves the app window, main frame, own origin', async () => {
    const { ipc, own } = setup()
    expect(await ipc.invoke('images:get', own, { profileId: 'p' }, 'id1')).toEqual({
      ok: true,
      value: { channel: 'images:get', args: [{ profileId: 'p' }, 'id1'] },
    })
  })

  it('refuses foreign senders with a SENDER error and never calls the handler', async () => {
    const spy = vi.fn(async () => 'secret')
    const { ipc, wc, errors } = setup(handlers({ 'profiles:state': spy }))
    const other = new FakeWebContents('app://glance/')
    const iframe = new FakeFrame('app://glance/', 1, 2)
    iframe.parent = wc.mainFrame
    const cases: unknown[] = [
      { sender: other, senderFrame: other.mainFrame }, // another window/webview
      { sender: wc, senderFrame: iframe }, // a subframe of ours
      { sender: wc, senderFrame: null }, // frame gone (navigated away / destroyed)
      { sender: wc, senderFrame: new FakeFrame('https://evil.example/') }, // wrong origin, wrong frame
    ]
    for (const event of cases) {
      const r = (await ipc.invoke('profiles:state', event)) as { ok: boolean; error: { code: string } }
      expect(r.ok).toBe(false)
      expect(r.error.code).toBe('SENDER')
    }
    // Our own main frame after navigating somewhere else.
    wc.mainFrame.url = 'https://evil.example/'
    const r = (await ipc.invoke('profiles:state', { sender: wc, senderFrame: wc.mainFrame })) as { error: { code: string } }
    expect(r.error.code).toBe('SENDER')
    expect(spy).not.toHaveBeenCalled()
    expect(errors.length).toBe(5)
  })

  it('refuses everything once the window is destroyed', async () => {
    const { ipc, wc, own } = setup()
    wc.destroyed = true
    expect(await ipc.invoke('app:info', own)).toMatchObject({ ok: false, error: { code: 'SENDER' } })
  })

  it('carries an AppError from a handler through intact', async () => {
    const err = new AppError({
      code: 'PROTECTED',
      message: 'Image is protected',
      status: 403,
      method: 'DELETE',
      url: 'http://127.0.0.1:9292/v2/images/x',
      requestId: 'req-0123',
      retryable: false,
      details: { imageId: 'x', nested: { a: [1, 2] } },
    })
    const { ipc, own, errors } = setup(handlers({ 'images:delete': async () => Promise.reject(err) }))
    const r = await ipc.invoke('images:delete', own, { profileId: 'p' }, 'x')
    expect(r).toEqual({ ok: false, error: err.toJSON() })
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'PROTECTED',
        message: 'Image is protected',
        status: 403,
        method: 'DELETE',
        url: 'http://127.0.0.1:9292/v2/images/x',
        requestId: 'req-0123',
        retryable: false,
        details: { imageId: 'x', nested: { a: [1, 2] } },
      },
    })
    // structured-clone safe (what Electron does to the value)
    expect(structuredClone(r)).toEqual(r)
    expect(errors).toEqual(['images:delete: Image is protected'])
  })

  it('turns unexpected exceptions into INTERNAL, never throwing across the bridge', async () => {
    const { ipc, own } = setup(handlers({ 'app:info': async () => Promise.reject(new TypeError('boom')) }))
    expect(await ipc.invoke('app:info', own)).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'boom' } })
  })
})

describe('event forwarding', () => {
  it('sends bus events to the window while it lives', () => {
    const bus = new EventBus()
    const wc = new FakeWebContents()
    let target: FakeWebContents | null = wc
    const stop = forwardEvents(bus, () => target as unknown as WebContents)
    bus.emit('app:command', { command: 'refresh' })
    wc.destroyed = true
    bus.emit('app:command', { command: 'search' })
    target = null
    bus.emit('app:command', { command: 'about' })
    stop()
    expect(wc.sent).toEqual([{ channel: 'app:command', payload: { command: 'refresh' } }])
  })
})
