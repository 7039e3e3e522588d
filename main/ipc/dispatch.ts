import type { AppError, Result } from '../../preload/api'
import { commandOf, type CommandChannel } from '../../preload/contract/commands'
import type { HandlerMap } from './types'
import { toAppError } from '../errors'

export function isCommandChannel(x: unknown): x is CommandChannel {
  return commandOf(x) !== undefined
}

/**
 * Runs one command through the handler map and wraps the outcome in a Result envelope. Never throws: unknown
 * channels and non-array arguments are VALIDATION errors, unexpected exceptions become INTERNAL errors.
 */
export async function dispatch(
  handlers: HandlerMap | Partial<HandlerMap>,
  channel: unknown,
  args: unknown,
  onError?: (channel: string, error: AppError) => void,
): Promise<Result<unknown>> {
  if (!isCommandChannel(channel)) {
    return { ok: false, error: { code: 'VALIDATION', message: `Unknown command ${JSON.stringify(String(channel)).slice(0, 80)}` } }
  }
  if (!Array.isArray(args) || args.length > 8) {
    return { ok: false, error: { code: 'VALIDATION', message: `Bad arguments for ${channel}` } }
  }
  try {
    const handler = handlers[channel] as ((...a: unknown[]) => Promise<unknown>) | undefined
    if (!handler) return { ok: false, error: { code: 'VALIDATION', message: `Unknown command ${channel}` } }
    const value = await handler(...args)
    return { ok: true, value: value === undefined ? null : value }
  } catch (e) {
    const err = toAppError(e)
    onError?.(channel, err)
    return { ok: false, error: err.toJSON() }
  }
}
