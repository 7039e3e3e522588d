import { z } from 'zod'
import { AppError } from '../../preload/api'

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

// Shared schemas
export const zId = z.string().min(1).max(255).regex(/^[\w.:-]+$/, 'must be an identifier')
export const zHandle = z.string().regex(/^fh_[A-Za-z0-9_-]{16,64}$/, 'must be a file handle')
export const zCloudContext = z.strictObject({
  profileId: zId,
  region: z.string().min(1).max(255).optional(),
})
