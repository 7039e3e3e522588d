/**
 * Turns a domain's typed bindings into raw handlers: each one parses its untrusted arguments with the schemas of its
 * command table entry (preload/contract/commands/<domain>.ts) before the binding sees them. The only place where the
 * contract's schemas meet the main process's functions.
 */
import { COMMANDS, type ChannelOf, type CommandChannel, type Domain } from '../../preload/contract/commands'
import type { Command } from '../../preload/contract/commands/define'
import type { Bindings, DomainHandlers } from './types'
import { parseArgs } from './validate'

/**
 * `bindings`: an object with one function per method of the domain's table (an extra or missing one fails the
 * typecheck), or a service whose same-named methods take exactly the command's parameters (only the table's methods
 * are ever reachable).
 */
export function bindDomain<D extends Domain>(domain: D, bindings: Bindings<D>): DomainHandlers<D> {
  const table = COMMANDS[domain] as Record<string, Command>
  const fns = bindings as unknown as Record<string, (...args: unknown[]) => unknown>
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {}
  for (const [method, command] of Object.entries(table)) {
    const channel = `${domain}:${method}` as CommandChannel
    const fn = fns[method]
    if (typeof fn !== 'function') throw new Error(`no binding for ${channel}`)
    // called on `bindings`: a service whose methods are the domain's commands can be the bindings itself (images)
    out[channel] = async (...raw: unknown[]) => fn.apply(bindings, parseArgs(channel, command.schemas as [], raw))
  }
  return out as DomainHandlers<D>
}

export type { ChannelOf }
