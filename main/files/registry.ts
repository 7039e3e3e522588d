/**
 * File handles: the renderer never names a path. Paths enter only through the main process's own dialogs or a file
 * dropped on the window, and the renderer refers to them by an opaque, unguessable handle with a fixed purpose.
 */
import { randomBytes } from 'node:crypto'
import { basename } from 'node:path'
import { AppError, type FileRef } from '../../preload/api'

export type FileMode = 'read' | 'write'

interface Entry {
  path: string
  mode: FileMode
}

export class FileRegistry {
  private readonly entries = new Map<string, Entry>()

  register(path: string, mode: FileMode, size?: number): FileRef {
    const handle = `fh_${randomBytes(18).toString('base64url')}`
    this.entries.set(handle, { path, mode })
    const ref: FileRef = { handle, name: basename(path), path }
    if (size !== undefined) ref.size = size
    return ref
  }

  /** The path behind a handle, or a VALIDATION error if the handle is unknown or was issued for the other mode. */
  resolve(handle: string, mode: FileMode): string {
    const e = this.entries.get(handle)
    if (!e) throw new AppError({ code: 'VALIDATION', message: 'Unknown file handle; choose the file again.' })
    if (e.mode !== mode) throw new AppError({ code: 'VALIDATION', message: `This file handle is not for ${mode === 'read' ? 'reading' : 'writing'}.` })
    return e.path
  }
}
