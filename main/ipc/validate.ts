import { z } from 'zod'
import { AppError } from '../../preload/api'
import { FORBIDDEN_KEYS } from '../../preload/contract/commands/schemas'

/**
 * Validates a handler's raw arguments against a zod tuple and returns them typed, or throws a VALIDATION AppError
 * that names the offending argument. Extra arguments are refused.
 */
export function parseArgs<T extends readonly z.ZodType[]>(
  channel: string,
  schemas: T,
  args: unknown[],
): { [K in keyof T]: T[K] extends z.ZodType ? z.infer<T[K]> : never } {
  if (args.length > schemas.length) {
    throw new AppError({ code: 'VALIDATION', message: `${channel}: expected at most ${schemas.length} arguments, got ${args.length}` })
  }
  checkShape(channel, args)
  const out: unknown[] = []
  schemas.forEach((schema, i) => {
    const r = (schema as z.ZodType).safeParse(args[i])
    if (!r.success) {
      const issue = r.error.issues[0]
      const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : ''
      throw new AppError({
        code: 'VALIDATION',
        message: `${channel}: argument ${i + 1}${where}: ${issue?.message ?? 'invalid'}`,
      })
    }
    out.push(r.data)
  })
  return out as never
}

const MAX_DEPTH = 32
const MAX_NODES = 200_000

/**
 * Before any schema: refuses keys that could pollute prototypes (`__proto__`, `constructor`, `prototype`) anywhere in
 * the arguments (zod's records drop a `__proto__` key silently; we want the caller told), and values nested deeper
 * than 32 levels or with more than 200,000 nodes. Iterative, so a hostile depth cannot overflow the stack.
 */
function checkShape(channel: string, args: unknown[]): void {
  const stack: [unknown, number][] = args.map((a) => [a, 1])
  let nodes = 0
  while (stack.length) {
    const [v, depth] = stack.pop()!
    if (!v || typeof v !== 'object') continue
    if (++nodes > MAX_NODES) throw new AppError({ code: 'VALIDATION', message: `${channel}: the arguments are too large` })
    if (depth > MAX_DEPTH) throw new AppError({ code: 'VALIDATION', message: `${channel}: the arguments are nested too deeply` })
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) throw new AppError({ code: 'VALIDATION', message: `${channel}: the key "${key}" is not allowed` })
      stack.push([(v as Record<string, unknown>)[key], depth + 1])
    }
  }
}

// The shared schemas live in the contract (the command tables name them); re-exported for main-process readers.
export { FORBIDDEN_KEYS, zCloudContext, zConsoleFields, zHandle, zId, zIds } from '../../preload/contract/commands/schemas'
