import type { ChannelOf, CommandChannel, CommandResult, Commands, Domain, MethodOf } from '../../preload/contract/commands'
import type { ParamsOf, ResultOf } from '../../preload/contract/commands/define'

/**
 * A handler takes the raw, untrusted arguments of one command (`unknown[]`), validates them and returns the result.
 * It may throw an AppError; the dispatcher turns every outcome into a Result envelope. Built by `bindDomain`
 * (main/ipc/bind.ts) from a domain's bindings and its command table's schemas.
 */
export type Handler<C extends CommandChannel> = (...args: unknown[]) => Promise<CommandResult<C>>
export type HandlerMap = { [C in CommandChannel]: Handler<C> }
export type PartialHandlers<K extends CommandChannel> = { [C in K]: Handler<C> }
export type DomainHandlers<D extends Domain> = PartialHandlers<ChannelOf<D>>

/**
 * A domain's handler bindings: for each method of its command table, a function over the already validated,
 * typed arguments. A missing, extra or mistyped binding fails the typecheck.
 */
export type Bindings<D extends Domain> = {
  [M in MethodOf<D>]: (...args: ParamsOf<Commands[D][M]>) => Promise<ResultOf<Commands[D][M]>>
}
