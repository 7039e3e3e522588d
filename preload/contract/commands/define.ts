/**
 * How a command is declared: one entry in its domain's table (preload/contract/commands/<domain>.ts), keyed by method name.
 * The channel is `<domain>:<method>`; everything else is derived from the tables (see preload/contract/commands/index.ts).
 *
 *   list: command<[ctx: CloudContext, query: ImageQuery, cursor?: string], ImagePage>(zCloudContext, zImageQuery, zCursor.optional())
 *
 * - the first type argument is the parameter tuple the renderer calls with (`window.api.images.list(ctx, query)`),
 *   the second the result inside the `Result<T>` envelope;
 * - the arguments are the zod schemas, one per parameter, each typed `z.ZodType<param>`: a schema whose output is not
 *   the declared parameter type fails the typecheck, so a handler receives exactly the contract's types, no casts.
 *
 * zod is the only runtime import: the tables are data (schemas), bundled into the preload and the harness bridge.
 */
import type { z } from 'zod'

/** One schema per parameter, each producing that parameter's type; an optional parameter needs a schema too. */
export type SchemasFor<P extends readonly unknown[]> = Required<{ [K in keyof P]: z.ZodType<P[K]> }>

export interface Command<P extends readonly unknown[] = readonly unknown[], R = unknown> {
  readonly schemas: readonly z.ZodType[]
  /** Type-level only: the parameters and the result. Never set at run time. */
  readonly __types?: { params: P; result: R }
}

export function command<P extends readonly unknown[], R>(...schemas: SchemasFor<P> & readonly z.ZodType[]): Command<P, R> {
  return { schemas: Object.freeze([...schemas]) }
}

/** A domain's table: method name -> command. */
export type CommandTable = Record<string, Command<never, unknown>>

export type ParamsOf<C> = C extends Command<infer P, unknown> ? P : never
export type ResultOf<C> = C extends Command<readonly unknown[], infer R> ? R : never
