/** A fake `window.api`: every method answers "not implemented" unless a test overrides it. */
import { vi } from 'vitest'
import type { Api, ImageDTO, Result } from '@contract/api'
import { COMMANDS } from '@contract/contract/commands'

type AnyFn = (...args: unknown[]) => Promise<Result<unknown>>

export const notImplemented = (): Promise<Result<never>> => Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'not implemented yet' } })

export function ok<T>(value: T): Promise<Result<T>> {
  return Promise.resolve({ ok: true, value })
}

export function fail(code: string, message = code, extra: Record<string, unknown> = {}): Promise<Result<never>> {
  return Promise.resolve({ ok: false, error: { code, message, ...extra } as never })
}

/** Every method of every domain, from the command tables (preload/contract/commands): a new command is mocked without an edit here. */
type Groups = { [D in keyof typeof COMMANDS]: (keyof (typeof COMMANDS)[D])[] }
const GROUPS = Object.fromEntries(Object.entries(COMMANDS).map(([d, table]) => [d, Object.keys(table)])) as Groups

export type MockApi = { [G in keyof Groups]: Record<Groups[G][number], ReturnType<typeof vi.fn<AnyFn>>> } & {
  on: ReturnType<typeof vi.fn>
  emit: (event: string, payload: unknown) => void
}

export function installMockApi(): MockApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const m: Record<string, unknown> = {}
  for (const [g, names] of Object.entries(GROUPS)) {
    const o: Record<string, unknown> = {}
    for (const n of names) o[n] = vi.fn<AnyFn>(notImplemented)
    m[g] = o
  }
  m.on = vi.fn((event: string, l: (p: unknown) => void) => {
    const set = listeners.get(event) ?? new Set()
    set.add(l)
    listeners.set(event, set)
    return () => set.delete(l)
  })
  m.emit = (event: string, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l(payload)
  }
  ;(globalThis as unknown as { api: Api }).api = m as unknown as Api
  return m as unknown as MockApi
}

let seq = 0
export function image(over: Partial<ImageDTO> = {}): ImageDTO {
  seq++
  return {
    id: over.id ?? `00000000-0000-0000-0000-${String(seq).padStart(12, '0')}`,
    name: `image-${seq}`,
    status: 'active',
    diskFormat: 'qcow2',
    containerFormat: 'bare',
    size: 1024 ** 3,
    virtualSize: 10 * 1024 ** 3,
    visibility: 'private',
    protected: false,
    owner: 'proj-a',
    createdAt: '2024-01-01T00:00:00Z',
    updatedAt: '2024-01-01T00:00:00Z',
    tags: [],
    checksum: null,
    hashAlgo: null,
    hashValue: null,
    minDisk: 0,
    minRam: 0,
    hidden: false,
    fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false, virtualization: 'qemu' },
    properties: {},
    raw: {},
    ...over,
  }
}
