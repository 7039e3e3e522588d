/** files:* commands: paths are chosen only by the main process (dialogs, dropped files); the renderer holds handles. */
import { z } from 'zod'
import { DISK_FORMATS, type DiskFormat, type FileRef, type InspectionReport } from '../../api'
import { command } from './define'
import { zHandle } from './schemas'

export const OPEN_PURPOSES = ['image', 'cloudsYaml', 'openrc', 'manifest', 'caFile'] as const
export type OpenPurpose = (typeof OPEN_PURPOSES)[number]
export const SAVE_PURPOSES = ['image', 'csv', 'xlsx', 'cloudsYaml', 'openrc', 'manifest', 'diagnostics'] as const
export type SavePurpose = (typeof SAVE_PURPOSES)[number]

/**
 * A dropped file's path, as the preload resolved it (webUtils.getPathForFile): one line, no NUL. That it is
 * absolute is checked by the handler (node:path's isAbsolute, the platform's own rule).
 */
const zDroppedPath = z
  .string()
  .min(1)
  .max(4096)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .refine((p) => !/[\u0000-\u001f]/.test(p), 'must not contain control characters')

export const fileCommands = {
  pickOpen: command<[purpose: OpenPurpose], FileRef | null>(z.enum(OPEN_PURPOSES)),
  pickSave: command<[purpose: SavePurpose, defaultName: string], FileRef | null>(z.enum(SAVE_PURPOSES), z.string().max(255)),
  /** The bridge's `files.dropped(file: File)` resolves the path in the preload and sends it here. */
  dropped: command<[path: string], FileRef>(zDroppedPath),
  inspect: command<[fileHandle: string, declared?: DiskFormat | 'auto'], InspectionReport>(zHandle, z.enum([...DISK_FORMATS, 'auto']).optional()),
}
