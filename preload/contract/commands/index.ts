/**
 * Every IPC command, declared once: one table per domain (preload/contract/commands/<domain>.ts), merged here. From this one
 * object are derived the channel names (`<domain>:<method>`), the channel list, the `window.api` methods (preload/
 * bridge.ts builds them by walking the tables), the handler types of the main process (main/ipc/types.ts) and the
 * dispatcher's validation (main/ipc/bind.ts parses every call's arguments with the entry's schemas).
 *
 * This module holds zod schemas (data); the renderer imports only its types (`import type`).
 */
import { appCommands } from './app'
import { fileCommands } from './files'
import { imageCommands } from './images'
import { profileCommands } from './profiles'
import { transferCommands } from './transfers'
import { volumeCommands } from './volumes'
import { fleetCommands } from './fleet'
import { copyCommands, syncCommands } from './copy'
import type { Command, ParamsOf, ResultOf } from './define'
import type { Result } from '../../api'

export const COMMANDS = {
  app: appCommands,
  profiles: profileCommands,
  images: imageCommands,
  volumes: volumeCommands,
  files: fileCommands,
  transfers: transferCommands,
  fleet: fleetCommands,
  copy: copyCommands, // D1
  sync: syncCommands, // D1
} as const

export type Commands = typeof COMMANDS
export type Domain = keyof Commands
export type MethodOf<D extends Domain> = keyof Commands[D] & string

/** `images:list`, `profiles:create`, ... */
export type CommandChannel = { [D in Domain]: `${D}:${MethodOf<D>}` }[Domain]
export type ChannelOf<D extends Domain> = Extract<CommandChannel, `${D}:${string}`>

type EntryOf<C extends CommandChannel> = C extends `${infer D extends Domain}:${infer M}` ? (M extends keyof Commands[D] ? Commands[D][M] : never) : never
export type CommandArgs<C extends CommandChannel> = ParamsOf<EntryOf<C>>
export type CommandResult<C extends CommandChannel> = ResultOf<EntryOf<C>>

/** Every command channel, for binders and validators. */
export const COMMAND_CHANNELS: readonly CommandChannel[] = Object.freeze(
  Object.entries(COMMANDS).flatMap(([domain, table]) => Object.keys(table).map((m) => `${domain}:${m}` as CommandChannel)),
)

/** A channel's table entry, or undefined for anything that is not a command channel (own properties only). */
export function commandOf(channel: unknown): Command | undefined {
  if (typeof channel !== 'string') return undefined
  const i = channel.indexOf(':')
  if (i < 0) return undefined
  const domain = channel.slice(0, i)
  const method = channel.slice(i + 1)
  if (!Object.hasOwn(COMMANDS, domain)) return undefined
  const table = COMMANDS[domain as Domain] as Record<string, Command>
  return Object.hasOwn(table, method) ? table[method] : undefined
}

/** `window.api.<domain>.<method>(...params)`: each command as the renderer calls it. */
export type CommandsApi = {
  [D in Domain]: {
    [M in MethodOf<D>]: (...args: ParamsOf<Commands[D][M]>) => Promise<Result<ResultOf<Commands[D][M]>>>
  }
}
