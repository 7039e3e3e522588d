/**
 * Builds `window.api` over a Transport by walking the command tables (preload/contract/commands): `api.<domain>.<method>`
 * invokes `<domain>:<method>` with the call's arguments. Used by the Electron preload (ipcRenderer) and by the
 * browser harness bridge (WebSocket). Nothing but these methods is exposed: never the raw transport.
 *
 * The one hand-written method is `files.dropped(file)`: it takes a DOM File and resolves its path here, in the preload
 * (a made-up File with no path on disk never reaches the main process).
 */
import type { Api, EventChannel, EventMap, FileRef, Result, Transport, Unsubscribe } from './api'
import { EVENT_CHANNELS } from './api'
import { COMMANDS, type CommandChannel } from './contract/commands'

export function createApi(t: Transport): Api {
  const call = (channel: CommandChannel, args: unknown[]): Promise<Result<unknown>> =>
    t.invoke(channel, args).then(
      (r) => r as Result<unknown>,
      (e: unknown) => ({
        ok: false as const,
        error: { code: 'INTERNAL' as const, message: e instanceof Error ? e.message : String(e) },
      }),
    )

  const api: Record<string, unknown> = {}
  for (const [domain, table] of Object.entries(COMMANDS)) {
    const methods: Record<string, (...args: unknown[]) => Promise<Result<unknown>>> = {}
    for (const [method, command] of Object.entries(table)) {
      const channel = `${domain}:${method}` as CommandChannel
      // Exactly the declared parameters, as the hand-written methods passed them (extra ones were never sent).
      const arity = command.schemas.length
      methods[method] = (...args: unknown[]) =>
        call(
          channel,
          Array.from({ length: arity }, (_, i) => args[i]),
        )
    }
    api[domain] = methods
  }
  const files = api.files as Record<string, unknown>
  const sendPath = files.dropped as (path: string) => Promise<Result<FileRef>>
  files.dropped = (file: File): Promise<Result<FileRef>> => {
    const path = t.pathForFile(file)
    if (!path) {
      return Promise.resolve({
        ok: false as const,
        error: { code: 'FILE' as const, message: 'This file cannot be read from here; choose it with the file dialog.' },
      })
    }
    return sendPath(path)
  }
  api.on = <E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): Unsubscribe => {
    if (!(EVENT_CHANNELS as readonly string[]).includes(event)) throw new Error(`unknown event ${String(event)}`)
    if (typeof listener !== 'function') throw new Error('listener must be a function')
    return t.on(event, (payload) => listener(payload as EventMap[E]))
  }
  return api as unknown as Api
}
