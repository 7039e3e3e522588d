/**
 * A packaged build: no DevTools in the window, and the app refuses to start with a debugging switch
 * (`--remote-debugging-port`, `--inspect`, ...) on its command line. Runs main/index.ts against the fake electron.
 */
import { describe, expect, it, vi } from 'vitest'
import { fake, FakeBrowserWindow, fireReady } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron())

const created: unknown[] = []
vi.mock('../../../main/services', () => ({
  createServices: vi.fn(async (platform: unknown) => {
    created.push(platform)
    throw new Error('must not start')
  }),
}))

const { debugSwitches } = await import('../../../main/electron/security')
const { windowOptions, createMainWindow } = await import('../../../main/window')

describe('packaged build: debugging is off', () => {
  it('finds every spelling of the debugging switches, and nothing else', () => {
    expect(debugSwitches(['/opt/glance', '--remote-debugging-port=9222'])).toEqual(['remote-debugging-port'])
    expect(debugSwitches(['/opt/glance', '--inspect'])).toEqual(['inspect'])
    expect(debugSwitches(['x', '--inspect-brk=0.0.0.0:9229', '-remote-debugging-pipe', '/Remote-Debugging-Port=1'])).toEqual([
      'inspect-brk',
      'remote-debugging-pipe',
      'remote-debugging-port',
    ])
    expect(debugSwitches(['x', '--lang=de', '--no-sandboxing-wanted', '/home/u/inspect', '--', '--inspect'])).toEqual([])
  })

  it('the window has DevTools off unless development asks for them', () => {
    expect(windowOptions('/p').webPreferences?.devTools).toBe(false)
    const win = createMainWindow({ preloadPath: '/p', url: 'app://glance/' }) as unknown as FakeBrowserWindow
    expect((win.options.webPreferences as { devTools: boolean }).devTools).toBe(false)
    expect(windowOptions('/p', { devTools: true }).webPreferences?.devTools).toBe(true)
  })

  it('refuses --remote-debugging-port: exits before any window, service or IPC handler exists', async () => {
    const argv = process.argv
    process.argv = [...argv, '--remote-debugging-port=9222']
    const exit = vi.fn()
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    let printed = ''
    ;(fake.app as unknown as { exit: (code: number) => void }).exit = exit
    FakeBrowserWindow.created = []
    try {
      fake.app.isPackaged = true
      await import('../../../main/index')
      fireReady()
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
    } finally {
      process.argv = argv
      printed = stderr.mock.calls.map((c) => String(c[0])).join('')
      stderr.mockRestore()
    }
    expect(exit).toHaveBeenCalledWith(1)
    expect(printed).toMatch(/--remote-debugging-port/)
    expect(fake.app.requestSingleInstanceLock).not.toHaveBeenCalled()
    expect(fake.app.sandboxEnabled).toBe(false)
    expect(created).toHaveLength(0)
    expect(FakeBrowserWindow.created).toHaveLength(0)
    expect(fake.ipcMain.handlers.size).toBe(0)
  })
})
