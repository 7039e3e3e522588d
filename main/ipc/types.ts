import type { CommandChannel, CommandResult } from '../../preload/api'

/**
 * A handler takes the raw, untrusted arguments of one command (`unknown[]`), validates them and returns the result.
 * It may throw an AppError; the dispatcher turns every outcome into a Result envelope.
 */
export type Handler<C extends CommandChannel> = (...args: unknown[]) => Promise<CommandResult<C>>
export type HandlerMap = { [C in CommandChannel]: Handler<C> }
export type PartialHandlers<K extends CommandChannel> = { [C in K]: Handler<C> }
