/**
 * Turns a domain's typed bindings into raw handlers: each one parses its untrusted arguments with the schemas of its
 * command table entry (preload/contract/commands/<domain>.ts) before the binding sees them. The only place where the
 * contract's schemas meet the main process's functions.
 */
import { COMMANDS, type ChannelOf, type CommandChannel, type Domain } from '../../preload/contract/commands'
import type { Command } from '../../preload/contract/commands/define'
import type { Bindings, DomainHandlers } from './types'
import { parseArgs } from './validate'

export function bindDomain<D extends Domain>(domain: D, bindings: Bindings<D>): DomainHandlers<D> {
  const table = COMMANDS[domain] as Record<string, Command>
  const fns = bindings as unknown as Record<string, (...args: unknown[]) => unknown>
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {}
  for (const [method, command] of Object.entries(table)) {
    const channel = `${domain}:${method}` as CommandChannel
    const fn = fns[method]
    if (typeof fn !== 'function') throw new Error(`no binding for ${channel}`)
    out[channel] = async (...raw: unknown[]) => fn(...parseArgs(channel, command.schemas as [], raw))
  }
  return out as DomainHandlers<D>
}

export type { ChannelOf }
