/**
 * The one typed contract between the main process and the renderer.
 *
 * Pure TypeScript: no Electron, no Node imports. It is compiled into the main process, the preload, the browser
 * harness bridge and the renderer alike. Every command is declared once in preload/contract/commands/<domain>.ts (its
 * types are re-exported here), every event in preload/contract/events.ts; `Api` is what `window.api` offers. Commands
 * resolve to a `Result<T>` envelope (they never throw across the bridge); the renderer's `unwrap` turns an error envelope back into an `AppError`.
 */

// ---------------------------------------------------------------------------------------------------------------
// Errors and results: preload/contract/errors.ts (ERROR_CODES, ErrorCode, AppErrorData, AppError, Result)
// ---------------------------------------------------------------------------------------------------------------

export * from './contract/errors'
import type { Result } from './contract/errors'

// The domains (moved out of this file unchanged; add a type in its domain file):
export * from './contract/profiles'
export * from './contract/images'
export * from './contract/volumes'
export * from './contract/files'
export * from './contract/transfers'
export * from './contract/app'
import type { FileRef } from './contract/files'

// ---------------------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------------------

// Commands (invoke/handle) are declared once, in one table per domain: preload/contract/commands/<domain>.ts (name, zod
// argument schemas, parameter and result types). The channel names, the channel list (COMMAND_CHANNELS, exported by
// preload/contract/commands, not here: this module stays free of zod for the renderer) and the `window.api` type below are
// derived from those tables. To add a command see docs/architecture.md, "Add a command".
export type { CommandArgs, CommandChannel, CommandResult } from './contract/commands'
import type { CommandChannel, CommandsApi } from './contract/commands'

// Events (main -> renderer) are declared once, in ONE table: preload/contract/events.ts (domain -> name -> payload type).
// EVENTS (the channel names), EVENT_CHANNELS and EventMap are derived from it; emit and listen through EVENTS.
export * from './contract/events'
import type { EventChannel, EventMap } from './contract/events'

export type Unsubscribe = () => void

// ---------------------------------------------------------------------------------------------------------------
// window.api
// ---------------------------------------------------------------------------------------------------------------

/**
 * What `window.api` offers: every command of preload/contract/commands as `api.<domain>.<method>(...)` resolving to a
 * `Result<T>`, except that `files.dropped` takes the dropped DOM File (the preload resolves its path, never the
 * renderer), plus `on` for events.
 */
export type Api = Omit<CommandsApi, 'files'> & {
  files: Omit<CommandsApi['files'], 'dropped'> & {
    /** A file dropped on the window (a DOM File); the preload resolves its path, never the renderer. */
    dropped(file: File): Promise<Result<FileRef>>
  }
  /** Subscribe to a main-process event; returns the unsubscribe function. */
  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): Unsubscribe
}

/** How a bridge reaches the main process: Electron's ipcRenderer in the preload, a WebSocket in the harness. */
export interface Transport {
  invoke(channel: CommandChannel, args: unknown[]): Promise<unknown>
  on(channel: EventChannel, listener: (payload: unknown) => void): Unsubscribe
  /** Resolve a dropped DOM File to a path (Electron: webUtils.getPathForFile). Empty when unknown. */
  pathForFile(file: File): string
}
