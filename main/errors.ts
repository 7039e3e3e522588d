import { AppError, type AppErrorData, type ErrorCode } from '../preload/api'

export { AppError }

export function appError(code: ErrorCode, message: string, extra: Omit<AppErrorData, 'code' | 'message'> = {}): AppError {
  return new AppError({ code, message, ...extra })
}

/** Any thrown value -> AppError (AppErrors pass through; Node fs errors map to FILE / DISK_FULL). */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOSPC') return new AppError({ code: 'DISK_FULL', message: 'The disk is full.' }, { cause: e })
    if (code === 'ENOENT') return new AppError({ code: 'FILE', message: `File not found: ${e.message}` }, { cause: e })
    if (code === 'EACCES' || code === 'EPERM') return new AppError({ code: 'FILE', message: `Permission denied: ${e.message}` }, { cause: e })
    if (code === 'EISDIR') return new AppError({ code: 'FILE', message: `Is a directory: ${e.message}` }, { cause: e })
    if (e.name === 'AbortError') return new AppError({ code: 'CANCELLED', message: 'Cancelled.' }, { cause: e })
    return new AppError({ code: 'INTERNAL', message: e.message }, { cause: e })
  }
  return new AppError({ code: 'INTERNAL', message: String(e) })
}
