/** The renderer's door to the main process: `window.api`, plus `unwrap` turning a Result back into a value or an AppError. */
import { AppError, type Api, type AppErrorData, type Result } from '@contract/api'

/** Resolved lazily so tests can install a mock `window.api` before use. */
export const api: Api = new Proxy({} as Api, {
  get(_t, prop: string) {
    const real = (globalThis as unknown as { api?: Api }).api
    if (!real) throw new AppError({ code: 'INTERNAL', message: 'window.api is not available' })
    return real[prop as keyof Api]
  },
})

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value
  throw new AppError(r.error)
}

/** Call an api method and unwrap its result; a rejected promise becomes an INTERNAL AppError. */
export async function call<T>(p: Promise<Result<T>>): Promise<T> {
  let r: Result<T>
  try {
    r = await p
  } catch (e) {
    throw toAppError(e)
  }
  return unwrap(r)
}

export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return new AppError(e as AppErrorData)
  return new AppError({ code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) })
}

export { AppError }
