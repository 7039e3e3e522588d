/**
 * Checklist items 16 and 20: the preload exposes exactly one object, `window.api`, made of the contract's methods
 * (never ipcRenderer, never a generic invoke/send, never an event object), and the Electron pin is current.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { COMMAND_CHANNELS, COMMANDS } from '../../../preload/contract/commands'

const exposed = vi.hoisted(() => [] as [string, unknown][])
const ipc = vi.hoisted(() => ({ invoked: [] as unknown[][], listeners: new Map<string, ((e: unknown, p: unknown) => void)[]>() }))

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.push([key, value]) },
  ipcRenderer: {
    invoke: async (...a: unknown[]) => {
      ipc.invoked.push(a)
      return { ok: true, value: null }
    },
    on: (ch: string, l: (e: unknown, p: unknown) => void) => ipc.listeners.set(ch, [...(ipc.listeners.get(ch) ?? []), l]),
    removeListener: (ch: string, l: (e: unknown, p: unknown) => void) =>
      ipc.listeners.set(
        ch,
        (ipc.listeners.get(ch) ?? []).filter((x) => x !== l),
      ),
  },
  webUtils: { getPathForFile: () => '' },
}))

await import('../../../preload/index')

describe('preload', () => {
  it('exposes one object, `api`, holding only the contract methods', () => {
    expect(exposed.map(([k]) => k)).toEqual(['api'])
    const api = exposed[0]![1] as Record<string, unknown>
    // One key per domain of the command tables, plus `on` (events); the core domains are always there.
    expect(Object.keys(api).sort()).toEqual([...Object.keys(COMMANDS), 'on'].sort())
    for (const d of ['app', 'files', 'images', 'profiles', 'transfers', 'volumes']) expect(Object.keys(api)).toContain(d)
    const methods: string[] = []
    for (const [ns, v] of Object.entries(api)) {
      if (ns === 'on') continue
      for (const [m, f] of Object.entries(v as Record<string, unknown>)) {
        expect(typeof f, `${ns}.${m}`).toBe('function')
        methods.push(`${ns}:${m}`)
      }
    }
    // one method per command channel, nothing else (no invoke/send/ipcRenderer/require/process)
    expect(methods.sort()).toEqual([...COMMAND_CHANNELS].sort())
    const text = JSON.stringify(Object.keys(api)) + methods.join()
    for (const bad of ['ipcRenderer', 'invoke', 'send', 'require', 'process', 'electron']) expect(text).not.toContain(bad)
  })

  it('calls only its own channel per method; events lose the IpcRendererEvent; unknown events are refused', async () => {
    const api = exposed[0]![1] as {
      images: { get(ctx: unknown, id: string): Promise<unknown> }
      files: { dropped(f: unknown): Promise<{ ok: boolean; error?: { code: string } }> }
      on(e: string, l: (p: unknown) => void): () => void
    }
    await api.images.get({ profileId: 'p' }, 'i')
    expect(ipc.invoked.at(-1)).toEqual(['images:get', { profileId: 'p' }, 'i'])
    // a File the page made up (no path on disk) never reaches the main process
    const before = ipc.invoked.length
    const r = await api.files.dropped({ name: 'x' })
    expect(r.ok).toBe(false)
    expect(ipc.invoked.length).toBe(before)
    const got: unknown[] = []
    const off = api.on('transfers:changed', (p) => got.push(p))
    for (const l of ipc.listeners.get('transfers:changed') ?? []) l({ sender: 'SECRET-EVENT' }, { id: 1 })
    expect(got).toEqual([{ id: 1 }])
    off()
    expect(ipc.listeners.get('transfers:changed')).toEqual([])
    expect(() => api.on('some:internal', () => {})).toThrow()
  })
})

describe('Electron version', () => {
  it('is pinned exactly, at 45.5.0 or later (the current release this app was checked against)', () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../package.json'), 'utf8')) as {
      devDependencies: Record<string, string>
      dependencies: Record<string, string>
    }
    const pin = pkg.devDependencies.electron ?? ''
    expect(pin).toMatch(/^\d+\.\d+\.\d+$/)
    const [maj, min, pat] = pin.split('.').map(Number) as [number, number, number]
    expect(maj * 1e6 + min * 1e3 + pat).toBeGreaterThanOrEqual(45_005_000)
    // and the anti-models are absent
    expect(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })).not.toContain('@electron/remote')
  })
})
