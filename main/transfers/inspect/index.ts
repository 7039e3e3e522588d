/**
 * Local disk-image inspection at Glance's level (oslo.utils format_inspector, used by Glance since CVE-2024-32498,
 * and qemu's block/*.c probes), from a bounded number of small positional reads whatever the file size, over a
 * `ByteSource` so that the same code judges the file at enqueue and the bytes an upload sends (source.ts).
 *
 * Every detector runs (qcow2, qed, luks, vmdk, vhd, vhdx, vdi, iso/udf, gpt/mbr); a file that more than one claims is a
 * polyglot and refused, except the combinations that are normal:
 *
 *   detections                        | format, verdict
 *   ----------------------------------|-----------------------------------------------------------------
 *   none                              | raw (no table: a warning)
 *   one                               | that one (gpt/mbr: raw with its partition table)
 *   iso + gpt or mbr                  | iso (a hybrid ISO, as oslo allows)
 *   vhd with its footer only + gpt/mbr| vhd (a fixed VHD is a raw disk plus a footer)
 *   anything else                     | the first, refused `polyglot` naming all of them
 *
 * and adds what this cloud never checks: a declared disk_format that contradicts the file (FORMAT_MISMATCH).
 */
import { open, stat, type FileHandle } from 'node:fs/promises'
import { AppError, type DiskFormat, type InspectionIssue, type InspectionReport } from '../../../preload/api'
import { inspectionText } from '../../../preload/rules/inspection'
import { refuse, warn, type Detector, type Found } from './found'
import { qcow2, qed, luks } from './qemu'
import { vmdk } from './vmdk'
import { vhd, vhdx, vdi } from './vhd'
import { disc, partitions, raw } from './disc'
import { handleSource, RecordingSource, type ByteSource, type Region } from './source'

const GiB = 1024 ** 3
const DETECTORS: Detector[] = [qcow2, qed, luks, vmdk, vhdx, vdi, vhd, disc, partitions]

async function detect(src: ByteSource): Promise<Found> {
  const head = await src.read(0, 4096)
  const all: Found[] = []
  for (const d of DETECTORS) {
    const f = await d(src, head)
    if (f) all.push(f)
  }
  if (!all.length) return raw(src, head)
  const tables = all.filter((f) => f.detection === 'gpt' || f.detection === 'mbr')
  const formats = all.filter((f) => !tables.includes(f))
  let f: Found
  if (formats.length === 0 && tables.length === 1) f = tables[0]!
  else if (formats.length === 1 && tables.length <= 1 && (tables.length === 0 || formats[0]!.detection === 'iso' || formats[0]!.details.footerOnly)) {
    f = formats[0]!
    if (tables[0]) f.details.hybrid = String(tables[0].details.partitionTable)
  } else {
    f = formats[0] ?? tables[0]!
    refuse(f, 'polyglot', { formats: all.map((x) => x.detection).join(', ') })
  }
  if (f.format === 'raw' && src.size % 512 !== 0) warn(f, 'rawUnaligned', { size: src.size })
  return f
}

/** Which declared formats a detected format satisfies. */
function compatible(found: Found, declared: DiskFormat): 'ok' | 'warn' | 'mismatch' {
  if (declared === found.format) return 'ok'
  if (found.format === 'luks' && declared === 'raw') return 'ok'
  if (declared === 'ami' || declared === 'ari' || declared === 'aki' || declared === 'ploop') return 'warn'
  if (found.format === 'iso' && declared === 'raw') return 'warn'
  return 'mismatch'
}

const en = (i: InspectionIssue): string => inspectionText(i, 'en')

/**
 * Inspects a byte source. Throws FORMAT_MISMATCH when `declared` contradicts the content; returns the report (its
 * refusals are turned into UNSAFE_FILE by `assertUploadable`). `label` names the file in English fallback messages.
 */
export async function inspectSource(src: ByteSource, declared: DiskFormat | 'auto', label = 'The file'): Promise<InspectionReport> {
  const found = await detect(src)
  if (found.format === 'luks' && declared === 'raw') {
    // LUKS is refused unless declared: a raw encrypted volume on purpose (Cinder / Nova hold its key)
    found.unsafe = found.unsafe.filter((u) => u.reason !== 'luks')
    warn(found, 'luksDeclared', { version: Number(found.details.version ?? 1) })
  }
  const proposed: DiskFormat = found.format === 'unknown' || found.format === 'qed' || found.format === 'luks' ? 'raw' : found.format
  const report: InspectionReport = {
    format: found.format,
    proposedDiskFormat: proposed,
    size: src.size,
    virtualSize: found.virtualSize,
    proposedMinDiskGiB: Math.max(1, Math.ceil((found.virtualSize ?? src.size) / GiB)),
    details: found.details,
    unsafe: found.unsafe.map(en),
    warnings: found.warnings.map(en),
    issues: { unsafe: found.unsafe, warnings: found.warnings },
  }
  if (declared !== 'auto') {
    const c = compatible(found, declared)
    if (c === 'mismatch') {
      const params = { detected: found.format, declared, proposed }
      throw new AppError({
        code: 'FORMAT_MISMATCH',
        message: `${label} is ${/^[aeiou]/i.test(found.format) ? 'an' : 'a'} ${found.format} file, not ${declared}: ${inspectionText({ reason: 'formatMismatch', params }, 'en')}`,
        details: { reason: 'formatMismatch', params, detected: found.format, declared },
      })
    }
    if (c === 'warn') {
      const w: InspectionIssue = { reason: 'declaredOther', params: { declared, detected: found.format } }
      report.warnings.push(en(w))
      report.issues!.warnings.push(w)
    }
    report.proposedDiskFormat = declared
  }
  return report
}

/** The identity of the file that was inspected: an upload sends only this file, unchanged (issue 12.6). */
export interface FileIdentity {
  dev: number
  ino: number
  size: number
  mtimeMs: number
}

export function identityOf(st: { dev: number; ino: number; size: number; mtimeMs: number }): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs }
}

/** The first field in which two identities differ, or null. */
export function identityChange(then: FileIdentity, now: FileIdentity): { field: keyof FileIdentity; then: number; now: number } | null {
  for (const k of ['dev', 'ino', 'size', 'mtimeMs'] as const) if (then[k] !== now[k]) return { field: k, then: then[k], now: now[k] }
  return null
}

/**
 * Inspects an open file and lists the regions read (the upload captures exactly those from its stream and judges
 * them again, see upload.ts).
 */
export async function inspectHandle(
  fh: FileHandle,
  size: number,
  declared: DiskFormat | 'auto',
  label?: string,
): Promise<{ report: InspectionReport; regions: Region[] }> {
  const src = new RecordingSource(handleSource(fh, size))
  const report = await inspectSource(src, declared, label)
  return { report, regions: src.regions() }
}

/**
 * Inspects a local file. Throws FILE for an unusable file (missing, empty, a folder, unreadable, a symlink loop),
 * FORMAT_MISMATCH when `declared` contradicts the file; returns the report and the identity of the very file read.
 */
export async function inspectFileWithIdentity(path: string, declared: DiskFormat | 'auto'): Promise<{ report: InspectionReport; identity: FileIdentity }> {
  let st
  try {
    st = await stat(path)
  } catch (e) {
    throw fileError(path, e)
  }
  if (st.isDirectory()) throw new AppError({ code: 'FILE', message: `${path} is a folder, not a disk image.`, details: { reason: 'folder', params: { path } } })
  if (!st.isFile()) throw new AppError({ code: 'FILE', message: `${path} is not a regular file.`, details: { reason: 'notRegular', params: { path } } })
  if (st.size === 0) throw new AppError({ code: 'FILE', message: `${path} is empty (0 bytes).`, details: { reason: 'empty', params: { path } } })
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (e) {
    throw fileError(path, e)
  }
  try {
    const fst = await fh.stat()
    const { report } = await inspectHandle(fh, fst.size, declared, path)
    return { report, identity: identityOf(fst) }
  } catch (e) {
    if (AppError.is(e)) throw e
    throw fileError(path, e)
  } finally {
    await fh.close()
  }
}

export async function inspectFile(path: string, declared: DiskFormat | 'auto'): Promise<InspectionReport> {
  return (await inspectFileWithIdentity(path, declared)).report
}

/** Throws UNSAFE_FILE when the report has refusals (details.reason: the first one; details.issues: all of them). */
export function assertUploadable(path: string, report: InspectionReport): void {
  if (report.unsafe.length > 0) {
    const issues = report.issues?.unsafe ?? []
    throw new AppError({
      code: 'UNSAFE_FILE',
      message: `${path} cannot be uploaded: ${report.unsafe.join(' ')}`,
      details: { reason: issues[0]?.reason ?? 'unsafe', params: issues[0]?.params ?? {}, format: report.format, issues, reasons: report.unsafe },
    })
  }
}

/** What must stay the same between the accepted report and a later inspection of the bytes (not the declared part). */
export function verdictOf(r: InspectionReport): string {
  const keep = (l: InspectionIssue[] | undefined): InspectionIssue[] =>
    (l ?? []).filter((i) => i.reason !== 'declaredOther' && i.reason !== 'luksDeclared' && i.reason !== 'luks')
  return JSON.stringify({
    format: r.format,
    virtualSize: r.virtualSize,
    details: r.details,
    unsafe: keep(r.issues?.unsafe),
    warnings: keep(r.issues?.warnings),
  })
}

/** A short name of a verdict, for a message: "qcow2, 3221225472 bytes, 1 refusal". */
export function verdictName(r: InspectionReport): string {
  const n = r.issues?.unsafe.length ?? r.unsafe.length
  return `${r.format}${r.virtualSize !== null ? `, virtual size ${r.virtualSize}` : ''}${n ? `, refused: ${(r.issues?.unsafe ?? []).map((i) => i.reason).join(', ')}` : ''}`
}

function fileError(path: string, e: unknown): AppError {
  const code = (e as NodeJS.ErrnoException).code
  const why =
    code === 'ELOOP'
      ? 'it is a symbolic link loop'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOENT'
          ? 'it does not exist'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (e as Error).message
  return new AppError(
    { code: 'FILE', message: `Cannot read ${path}: ${why}.`, details: { errno: code ?? null, reason: 'unreadable', params: { path, errno: code ?? '' } } },
    { cause: e },
  )
}
