/**
 * Files: part of the contract (preload/api.ts re-exports it, so `import ... from 'preload/api'` keeps working);
 * pure TypeScript. Moved out of preload/api.ts unchanged (issue 11).
 */
import type { DiskFormat } from './images'

// ---------------------------------------------------------------------------------------------------------------
// Files (paths are chosen only by the main process: dialogs, dropped files; the renderer holds handles)
// ---------------------------------------------------------------------------------------------------------------

export interface FileRef {
  handle: string
  /** Base name, for display. */
  name: string
  /** Full path, for display only. */
  path: string
  size?: number
}

// [A] an inspection finding as data (the shape of C2's ReasonData): a reason code (catalogue in preload/rules/inspection.ts, worded en + zh-CN there) and
// its parameters (the field, file name, feature bit found)
export interface InspectionIssue {
  reason: string
  params: Record<string, string | number>
}

export interface InspectionReport {
  format: 'qcow2' | 'raw' | 'iso' | 'vmdk' | 'vhd' | 'vhdx' | 'vdi' | 'qed' | 'luks' | 'unknown'
  /** What to send as disk_format. */
  proposedDiskFormat: DiskFormat
  size: number
  virtualSize: number | null
  /** ceil(virtual size / GiB), at least 1. */
  proposedMinDiskGiB: number
  details: Record<string, string | number | boolean | null>
  /** Refusals: the file must not be uploaded (backing file, data file, unsafe vmdk, ...). English fallback text. */
  unsafe: string[]
  warnings: string[]
  /** [A] The same refusals and warnings as coded entries (the renderer words them: preload/rules/inspection.ts). */
  issues?: { unsafe: InspectionIssue[]; warnings: InspectionIssue[] }
}
