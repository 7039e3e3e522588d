import { z } from 'zod'
import { AppError, OS_TYPES } from '../../preload/api'

/**
 * Validates a handler's raw arguments against a zod tuple and returns them typed, or throws a VALIDATION AppError
 * that names the offending argument. Extra arguments are refused.
 */
export function parseArgs<T extends [z.ZodType, ...z.ZodType[]] | []>(
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

// Shared schemas
export const zId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\w.:-]+$/, 'must be an identifier')
  // `.` and `..` would be normalised away in a URL path (/v2/images/.. is /v2/).
  .refine((s) => !/^\.+$/.test(s), 'must be an identifier')

/** Object keys that must never come from the renderer (prototype pollution). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])
export const zHandle = z.string().regex(/^fh_[A-Za-z0-9_-]{16,64}$/, 'must be a file handle')
export const zCloudContext = z.strictObject({
  profileId: zId,
  region: z.string().min(1).max(255).optional(),
})

/** The console's fields (ConsoleFields in preload/api.ts): IPC arguments and draft manifests alike. */
export const zConsoleFields = z.strictObject({
  osType: z.enum(OS_TYPES).optional(),
  architecture: z.enum(['arm', 'x86']).optional(),
  virtualization: z.enum(['qemu', 'baremetal']).optional(),
  minDiskGiB: z.number().int().min(0).max(1_000_000),
  minRamGiB: z.number().min(0).max(1_000_000),
  public: z.boolean(),
  protected: z.boolean(),
  onlineResize: z.boolean().optional(),
  agent: z.boolean().optional(),
  multiqueue: z.boolean().optional(),
  encryptedPassword: z.boolean().optional(),
  bootMode: z.enum(['bios', 'uefi']).optional(),
  description: z.string().max(65_535).optional(),
})
