/** What one format detector found: its format, sizes, details and the coded refusals / warnings (see preload/rules/inspection.ts). */
import type { InspectionIssue, InspectionReport } from '../../../preload/api'
import type { InspectionReason } from '../../../preload/rules/inspection'
import type { ByteSource } from './source'

export type Format = InspectionReport['format']
/** A detector's name: a format, or a partition table (a raw disk) for the polyglot rule. */
export type Detection = Exclude<Format, 'raw' | 'unknown'> | 'gpt' | 'mbr'

export interface Found {
  detection: Detection | 'raw'
  format: Format
  virtualSize: number | null
  details: InspectionReport['details']
  unsafe: InspectionIssue[]
  warnings: InspectionIssue[]
}

export type Detector = (src: ByteSource, head: Buffer) => Promise<Found | null>

export function found(detection: Found['detection'], format: Format = detection === 'gpt' || detection === 'mbr' ? 'raw' : (detection as Format)): Found {
  return { detection, format, virtualSize: null, details: {}, unsafe: [], warnings: [] }
}

export function refuse(f: Found, reason: InspectionReason, params: InspectionIssue['params'] = {}): void {
  f.unsafe.push({ reason, params })
}

export function warn(f: Found, reason: InspectionReason, params: InspectionIssue['params'] = {}): void {
  f.warnings.push({ reason, params })
}

export function u64be(b: Buffer, off: number): number {
  return Number(b.readBigUInt64BE(off))
}
export function u64le(b: Buffer, off: number): number {
  return Number(b.readBigUInt64LE(off))
}
/** A file-controlled text, shortened and made printable, for a message parameter. */
export function shown(s: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, '?')
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean)
}
export const hex = (n: number | bigint): string => `0x${n.toString(16)}`
