/**
 * Local disk-image format inspection, from headers only (a bounded number of small positional reads, whatever the
 * file size). Mirrors what Glance's own format_inspector refuses since CVE-2024-32498 (qcow2 with a backing or an
 * external data file, vmdk whose extents reference other files, differencing vhd/vhdx/vdi), and adds what this cloud
 * never checks: a declared disk_format that contradicts the file (Zed accepts such a file silently).
 */
import { open, stat, type FileHandle } from 'node:fs/promises'
import { AppError, type DiskFormat, type InspectionReport } from '../../preload/api'

const GiB = 1024 ** 3
type Details = InspectionReport['details']
type Format = InspectionReport['format']

interface Found {
  format: Format
  virtualSize: number | null
  details: Details
  unsafe: string[]
  warnings: string[]
}

/** Reads `len` bytes at `pos` (fewer at the end of the file). */
async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len)
  const { bytesRead } = await fh.read(buf, 0, len, pos)
  return buf.subarray(0, bytesRead)
}

function u64be(b: Buffer, off: number): number {
  return Number(b.readBigUInt64BE(off))
}
function u64le(b: Buffer, off: number): number {
  return Number(b.readBigUInt64LE(off))
}

// ----------------------------------------------------------------------------------------------------- qcow2 ---

const QCOW2_EXT_END = 0
const QCOW2_EXT_BACKING_FORMAT = 0xe2792aca
const QCOW2_EXT_DATA_FILE = 0x44415441
const QCOW2_EXT_CRYPTO = 0x0537be77
const QCOW2_INCOMPAT_DATA_FILE = 1n << 2n

async function qcow2(fh: FileHandle, head: Buffer, size: number): Promise<Found> {
  const f: Found = { format: 'qcow2', virtualSize: null, details: {}, unsafe: [], warnings: [] }
  if (head.length < 72) {
    f.unsafe.push('The qcow2 header is truncated.')
    return f
  }
  const version = head.readUInt32BE(4)
  f.details.version = version
  if (version < 2 || version > 3) {
    f.unsafe.push(`qcow2 version ${version} is not supported (only 2 and 3).`)
    return f
  }
  const backingOffset = u64be(head, 8)
  const backingSize = head.readUInt32BE(16)
  f.details.clusterBits = head.readUInt32BE(20)
  f.virtualSize = u64be(head, 24)
  const crypt = head.readUInt32BE(32)
  f.details.encryption = crypt === 0 ? 'none' : crypt === 1 ? 'aes' : crypt === 2 ? 'luks' : `unknown (${crypt})`
  if (crypt !== 0) f.warnings.push(`The image is encrypted (${f.details.encryption}); Nova cannot boot it without its key.`)

  // backing file
  f.details.backingFile = null
  if (backingOffset !== 0 && backingSize > 0) {
    const len = Math.min(backingSize, 1023)
    const name = (await readAt(fh, backingOffset, len)).toString('utf8')
    f.details.backingFile = name
    f.unsafe.push(`It has a backing file (${JSON.stringify(name)}): the image is not self-contained and Glance refuses it. Flatten it first: qemu-img convert -O qcow2 in.qcow2 out.qcow2`)
  }

  // v3 feature bits and header extensions
  let extStart = 72
  let incompat = 0n
  if (version === 3 && head.length >= 104) {
    incompat = head.readBigUInt64BE(72)
    f.details.incompatibleFeatures = Number(incompat)
    f.details.refcountOrder = head.readUInt32BE(96)
    extStart = head.readUInt32BE(100)
  }
  f.details.dataFile = null
  if (incompat & QCOW2_INCOMPAT_DATA_FILE) {
    f.unsafe.push('It uses an external data file (incompatible feature bit 2): the guest data lives in another file, which Glance refuses (CVE-2024-32498).')
    f.details.dataFile = true
  }
  // Header extensions follow the header, before the first cluster. Bounded walk.
  const clusterSize = 2 ** Math.min(Math.max(Number(f.details.clusterBits), 9), 21)
  const extArea = extStart < clusterSize ? await readAt(fh, extStart, Math.min(clusterSize - extStart, 16384)) : Buffer.alloc(0)
  let p = 0
  for (let i = 0; i < 64 && p + 8 <= extArea.length; i++) {
    const type = extArea.readUInt32BE(p)
    const len = extArea.readUInt32BE(p + 4)
    if (type === QCOW2_EXT_END) break
    const data = extArea.subarray(p + 8, Math.min(p + 8 + len, extArea.length))
    if (type === QCOW2_EXT_BACKING_FORMAT) f.details.backingFormat = data.toString('utf8')
    else if (type === QCOW2_EXT_DATA_FILE) {
      const name = data.toString('utf8')
      f.details.dataFile = name
      if (!f.unsafe.some((u) => u.includes('external data file'))) {
        f.unsafe.push(`It names an external data file (${JSON.stringify(name)}), which Glance refuses (CVE-2024-32498).`)
      } else {
        f.unsafe[f.unsafe.findIndex((u) => u.includes('external data file'))] =
          `It uses an external data file (${JSON.stringify(name)}): the guest data lives in another file, which Glance refuses (CVE-2024-32498).`
      }
    } else if (type === QCOW2_EXT_CRYPTO) f.details.cryptoHeader = true
    p += 8 + Math.ceil(len / 8) * 8
  }
  if (f.virtualSize !== null && f.virtualSize > 0 && size > f.virtualSize * 2 + 64 * 1024 * 1024) {
    f.warnings.push('The file is much larger than its virtual size (snapshots or an unusual layout?).')
  }
  return f
}

// ------------------------------------------------------------------------------------------------------ vmdk ---

const SAFE_VMDK_TYPES = new Set(['monolithicSparse', 'streamOptimized'])

function vmdkDescriptor(text: string, f: Found, embedded: boolean): void {
  const type = /^\s*createType\s*=\s*"([^"]*)"/m.exec(text)?.[1] ?? null
  f.details.createType = type
  const extents = [...text.matchAll(/^\s*(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)(?:\s+"([^"]*)")?/gm)]
  f.details.extents = extents.length
  let sectors = 0
  for (const e of extents) sectors += Number(e[2])
  if (f.virtualSize === null && sectors > 0) f.virtualSize = sectors * 512
  if (!embedded) {
    f.unsafe.push(
      `It is a vmdk descriptor file (createType ${JSON.stringify(type)}): its data is in other files (${extents
        .map((e) => JSON.stringify(e[4] ?? ''))
        .join(', ')}), which cannot be uploaded safely. Convert it: qemu-img convert -O qcow2 in.vmdk out.qcow2`,
    )
    return
  }
  if (!type || !SAFE_VMDK_TYPES.has(type)) {
    f.unsafe.push(
      `Its vmdk createType is ${JSON.stringify(type)}; only monolithicSparse and streamOptimized are self-contained (the others reference extent files, which Glance refuses, CVE-2024-32498).`,
    )
  }
  for (const e of extents) {
    if (e[3] !== 'SPARSE') {
      f.unsafe.push(`It has a ${e[3]} extent (${JSON.stringify(e[4] ?? '')}) that references another file.`)
    }
  }
  if (extents.length > 1) f.unsafe.push(`It has ${extents.length} extents; a self-contained vmdk has one.`)
  const parent = /^\s*parentFileNameHint\s*=\s*"([^"]*)"/m.exec(text)?.[1]
  const parentCid = /^\s*parentCID\s*=\s*(\w+)/m.exec(text)?.[1]
  if (parent || (parentCid && parentCid.toLowerCase() !== 'ffffffff')) {
    f.unsafe.push(`It is a delta disk with a parent (${JSON.stringify(parent ?? parentCid)}); it is not self-contained.`)
  }
}

async function vmdkSparse(fh: FileHandle, head: Buffer): Promise<Found> {
  const f: Found = { format: 'vmdk', virtualSize: null, details: {}, unsafe: [], warnings: [] }
  f.details.version = head.readUInt32LE(4)
  f.virtualSize = u64le(head, 12) * 512
  const descOffset = u64le(head, 28)
  const descSize = u64le(head, 36)
  if (descOffset === 0 || descSize === 0) {
    f.unsafe.push('The vmdk has no embedded descriptor; its type cannot be checked.')
    return f
  }
  const text = (await readAt(fh, descOffset * 512, Math.min(descSize * 512, 64 * 1024))).toString('latin1').replace(/\0.*$/s, '')
  vmdkDescriptor(text, f, true)
  return f
}

// ------------------------------------------------------------------------------------------------- vhd/vhdx ---

function vhdFooter(b: Buffer): Found {
  const f: Found = { format: 'vhd', virtualSize: u64be(b, 48), details: {}, unsafe: [], warnings: [] }
  const type = b.readUInt32BE(60)
  f.details.diskType = type === 2 ? 'fixed' : type === 3 ? 'dynamic' : type === 4 ? 'differencing' : `unknown (${type})`
  if (type === 4) f.unsafe.push('It is a differencing vhd: it depends on a parent disk and is not self-contained.')
  return f
}

/** A GUID in its on-disk (mixed-endian) form. */
function guid(s: string): Buffer {
  const h = s.replace(/-/g, '')
  const b = Buffer.from(h, 'hex')
  b.subarray(0, 4).reverse()
  b.subarray(4, 6).reverse()
  b.subarray(6, 8).reverse()
  return b
}
const VHDX_METADATA_REGION = guid('8B7CA206-4790-4B9A-B8FE-575F050F886E')
const VHDX_VIRTUAL_DISK_SIZE = guid('2FA54224-CD1B-4876-B211-5DBED83BF4B8')
const VHDX_PARENT_LOCATOR = guid('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C')

async function vhdx(fh: FileHandle): Promise<Found> {
  const f: Found = { format: 'vhdx', virtualSize: null, details: {}, unsafe: [], warnings: [] }
  const region = await readAt(fh, 192 * 1024, 64 * 1024)
  if (region.length < 16 || region.toString('latin1', 0, 4) !== 'regi') {
    f.warnings.push('The vhdx region table is unreadable; virtual size unknown.')
    return f
  }
  const count = Math.min(region.readUInt32LE(8), 2047)
  let metaOffset = -1
  for (let i = 0; i < count; i++) {
    const e = 16 + i * 32
    if (e + 32 > region.length) break
    if (region.subarray(e, e + 16).equals(VHDX_METADATA_REGION)) metaOffset = u64le(region, e + 16)
  }
  if (metaOffset < 0) {
    f.warnings.push('The vhdx has no metadata region; virtual size unknown.')
    return f
  }
  const meta = await readAt(fh, metaOffset, 64 * 1024)
  if (meta.toString('latin1', 0, 8) !== 'metadata') {
    f.warnings.push('The vhdx metadata table is unreadable; virtual size unknown.')
    return f
  }
  const n = Math.min(meta.readUInt16LE(10), 2047)
  for (let i = 0; i < n; i++) {
    const e = 32 + i * 32
    if (e + 32 > meta.length) break
    const id = meta.subarray(e, e + 16)
    const off = meta.readUInt32LE(e + 16)
    if (id.equals(VHDX_VIRTUAL_DISK_SIZE)) {
      const v = await readAt(fh, metaOffset + off, 8)
      if (v.length === 8) f.virtualSize = u64le(v, 0)
    } else if (id.equals(VHDX_PARENT_LOCATOR)) {
      f.details.parentLocator = true
      f.unsafe.push('It is a differencing vhdx (it has a parent locator): it is not self-contained.')
    }
  }
  return f
}

// ------------------------------------------------------------------------------------------------------- vdi ---

function vdi(head: Buffer): Found {
  const f: Found = { format: 'vdi', virtualSize: null, details: {}, unsafe: [], warnings: [] }
  const major = head.readUInt16LE(0x46)
  const minor = head.readUInt16LE(0x44)
  f.details.version = `${major}.${minor}`
  const type = head.readUInt32LE(0x4c)
  f.details.imageType = type === 1 ? 'dynamic' : type === 2 ? 'fixed' : type === 3 ? 'undo' : type === 4 ? 'differencing' : `unknown (${type})`
  if (type === 3 || type === 4) f.unsafe.push(`It is a ${f.details.imageType} vdi: it depends on a parent disk and is not self-contained.`)
  if (major === 1 && head.length >= 0x178) f.virtualSize = u64le(head, 0x170)
  else f.warnings.push(`vdi version ${major}.${minor}: virtual size unknown.`)
  return f
}

// ----------------------------------------------------------------------------------------- raw: ISO, GPT, MBR ---

async function raw(fh: FileHandle, head: Buffer, size: number): Promise<Found> {
  const iso = await readAt(fh, 0x8000, 2048)
  if (iso.length >= 6 && iso.toString('latin1', 1, 6) === 'CD001') {
    const f: Found = { format: 'iso', virtualSize: size, details: {}, unsafe: [], warnings: [] }
    f.details.volumeId = iso.toString('latin1', 40, 72).trim()
    if (iso.length >= 0x54) {
      const blocks = iso.readUInt32LE(0x50)
      f.details.volumeBytes = blocks * 2048
      if (blocks * 2048 > size) f.warnings.push('The ISO is shorter than its volume descriptor says: the file looks truncated.')
    }
    f.details.hybrid = head.length >= 512 && head.readUInt16LE(510) === 0xaa55
    return f
  }
  const f: Found = { format: 'raw', virtualSize: size, details: {}, unsafe: [], warnings: [] }
  const gpt = (await readAt(fh, 512, 8)).toString('latin1') === 'EFI PART' || (await readAt(fh, 4096, 8)).toString('latin1') === 'EFI PART'
  if (gpt) f.details.partitionTable = 'gpt'
  else if (head.length >= 512 && head.readUInt16LE(510) === 0xaa55) {
    let parts = 0
    for (let i = 0; i < 4; i++) if (head[446 + i * 16 + 4] !== 0) parts++
    f.details.partitionTable = parts > 0 ? 'mbr' : 'none'
    if (parts > 0) f.details.partitions = parts
    else f.details.bootSector = true
  } else f.details.partitionTable = 'none'
  if (f.details.partitionTable === 'none') {
    f.warnings.push('No partition table or known format header found: the file is treated as a raw disk (a bare filesystem or arbitrary data?).')
  }
  if (size % 512 !== 0) f.warnings.push(`The size (${size} bytes) is not a multiple of 512; a raw disk normally is.`)
  return f
}

// --------------------------------------------------------------------------------------------------- driver ---

async function detect(fh: FileHandle, size: number): Promise<Found> {
  const head = await readAt(fh, 0, 512)
  const magic4 = head.toString('latin1', 0, 4)
  if (head.length >= 4 && head.readUInt32BE(0) === 0x514649fb) return qcow2(fh, head, size)
  if (magic4 === 'KDMV' && head.length >= 64) return vmdkSparse(fh, head)
  if (head.toString('latin1', 0, 8) === 'vhdxfile') return vhdx(fh)
  if (head.toString('latin1', 0, 8) === 'conectix') return vhdFooter(head)
  if (head.length >= 0x50 && head.readUInt32LE(0x40) === 0xbeda107f) return vdi(head)
  if (/^# Disk DescriptorFile/.test(head.toString('latin1', 0, 64))) {
    const f: Found = { format: 'vmdk', virtualSize: null, details: {}, unsafe: [], warnings: [] }
    vmdkDescriptor((await readAt(fh, 0, 64 * 1024)).toString('latin1'), f, false)
    return f
  }
  if (size >= 512) {
    const tail = await readAt(fh, size - 512, 512)
    if (tail.toString('latin1', 0, 8) === 'conectix') return vhdFooter(tail)
  }
  return raw(fh, head, size)
}

/** Which declared formats a detected format satisfies (no entry: anything but those is a mismatch). */
function compatible(found: Format, declared: DiskFormat): 'ok' | 'warn' | 'mismatch' {
  if (declared === found) return 'ok'
  if (declared === 'ami' || declared === 'ari' || declared === 'aki' || declared === 'ploop') return 'warn'
  if (found === 'iso' && declared === 'raw') return 'warn'
  return 'mismatch'
}

/**
 * Inspects a local file. Throws FILE for an unusable file (missing, empty, a folder, unreadable, a symlink loop),
 * FORMAT_MISMATCH when `declared` contradicts the file; returns the report (with `unsafe` reasons, which the caller
 * turns into an UNSAFE_FILE refusal before uploading, see `assertUploadable`).
 */
export async function inspectFile(path: string, declared: DiskFormat | 'auto'): Promise<InspectionReport> {
  let st
  try {
    st = await stat(path)
  } catch (e) {
    throw fileError(path, e)
  }
  if (st.isDirectory()) throw new AppError({ code: 'FILE', message: `${path} is a folder, not a disk image.` })
  if (!st.isFile()) throw new AppError({ code: 'FILE', message: `${path} is not a regular file.` })
  if (st.size === 0) throw new AppError({ code: 'FILE', message: `${path} is empty (0 bytes).` })
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (e) {
    throw fileError(path, e)
  }
  let found: Found
  try {
    found = await detect(fh, st.size)
  } catch (e) {
    throw fileError(path, e)
  } finally {
    await fh.close()
  }
  const proposed: DiskFormat = found.format === 'unknown' ? 'raw' : found.format
  const report: InspectionReport = {
    format: found.format,
    proposedDiskFormat: proposed,
    size: st.size,
    virtualSize: found.virtualSize,
    proposedMinDiskGiB: Math.max(1, Math.ceil((found.virtualSize ?? st.size) / GiB)),
    details: found.details,
    unsafe: found.unsafe,
    warnings: found.warnings,
  }
  if (declared !== 'auto') {
    const c = compatible(found.format, declared)
    if (c === 'mismatch') {
      throw new AppError({
        code: 'FORMAT_MISMATCH',
        message: `${path} is ${article(found.format)} ${found.format} file, not ${declared}: uploading it as ${declared} would give an image that cannot boot (this Glance does not check). Choose disk format ${proposed} or auto.`,
        details: { detected: found.format, declared },
      })
    }
    if (c === 'warn') report.warnings.push(`Declared ${declared}, detected ${found.format}; sent as ${declared}.`)
    report.proposedDiskFormat = declared
  }
  return report
}

/** Throws UNSAFE_FILE when the report has refusals. */
export function assertUploadable(path: string, report: InspectionReport): void {
  if (report.unsafe.length > 0) {
    throw new AppError({
      code: 'UNSAFE_FILE',
      message: `${path} cannot be uploaded: ${report.unsafe.join(' ')}`,
      details: { format: report.format, reasons: report.unsafe },
    })
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a'
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
  return new AppError({ code: 'FILE', message: `Cannot read ${path}: ${why}.`, details: { errno: code ?? null } }, { cause: e })
}
