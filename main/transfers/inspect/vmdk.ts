/**
 * VMDK (qemu block/vmdk.c, oslo's VMDKInspector). Three shapes:
 * - COWD (VMDK3, magic "COWD"): detected and refused (no inspector checks it, it can name parent files);
 * - sparse (magic "KDMV"): a 512-byte header, an embedded text descriptor, maybe a footer that replaces the header;
 * - a text descriptor file, found as qemu's vmdk_probe finds it: in the first 2048 bytes, any '#' comment lines and
 *   lines of spaces, then `version=1|2|3` (LF or CRLF). Its data is in other files by definition: refused.
 *
 *   check                                          | refusal
 *   -----------------------------------------------|----------------------------------------------------------
 *   version not 1..3                               | vmdkHeader
 *   descriptor not at sector 1, > 1 MiB, past EOF  | vmdkDescriptorBounds (oslo: exactly 0x200; qemu: <= 1 MiB)
 *   gdOffset = all ones: footer at EOF-1024        | vmdkFooter unless: footer marker, KDMV, same version and
 *                                                  | descriptor, a real gdOffset inside the file
 *   a descriptor line that is not comment/blank,   | vmdkDescriptorLine (oslo parses cautiously); non-ASCII too
 *   ddb*, key=value or an extent                   |
 *   createType not monolithicSparse/streamOptimized| vmdkCreateType
 *   an extent with '/' or '\', or not SPARSE       | vmdkExtentFile (only the image itself may hold the data)
 *   no extent / more than one                      | vmdkNoExtent / vmdkExtentCount
 *   parentFileNameHint or parentCID != ffffffff    | vmdkParent
 */
import { found, refuse, shown, u64le, type Detector, type Found } from './found'
import type { ByteSource } from './source'

const GD_AT_END = 0xffffffffffffffffn
const DESC_MAX = 1024 * 1024
const MARKER_FOOTER = 3
const SAFE_TYPES = new Set(['monolithicsparse', 'streamoptimized'])

/** qemu's vmdk_probe for a text descriptor (the magic cases are handled by the caller). */
export function probeDescriptorText(buf: Buffer): boolean {
  const end = Math.min(buf.length, 2048)
  let p = 0
  while (p < end) {
    const c = buf[p]
    if (c === 0x23 /* # */) {
      while (p < end && buf[p] !== 0x0a) p++
      p++
      continue
    }
    if (c === 0x20 /* space */) {
      while (p < end && buf[p] === 0x20) p++
      if (p < end && buf[p] === 0x0d) p++
      if (p === end || buf[p] !== 0x0a) return false
      p++
      continue
    }
    const rest = buf.toString('latin1', p, Math.min(end, p + 11))
    return /^version=[123](\n|\r\n)/.test(rest)
  }
  return false
}

interface Extent {
  access: string
  sectors: number
  type: string
  file: string
}

/** The cautious descriptor parse (oslo) plus our allowlist; `embedded` false: a descriptor file. */
export function checkDescriptor(raw: Buffer, f: Found, embedded: boolean): void {
  let end = raw.length
  while (end > 0 && raw[end - 1] === 0) end--
  const bytes = raw.subarray(0, end)
  // eslint-disable-next-line no-control-regex
  if (/[^\u0000-\u007f]/.test(bytes.toString('latin1'))) {
    refuse(f, 'vmdkDescriptorLine', { line: 'non-ASCII text' })
    return
  }
  const text = bytes.toString('latin1')
  const fields = new Map<string, string>()
  const extents: Extent[] = []
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (!line || line.startsWith('#')) continue
    const lower = line.toLowerCase()
    if (lower.startsWith('ddb')) continue
    const eq = line.indexOf('=')
    if (eq > 0 && !line.slice(0, eq).trim().includes(' ')) {
      fields.set(
        line.slice(0, eq).trim().toLowerCase(),
        line
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      )
      continue
    }
    const m = /^(rw|rdonly|noaccess)\s+(\d+)\s+(\S+)(?:\s+"([^"]*)")?/i.exec(line)
    if (m) {
      extents.push({ access: m[1]!, sectors: Number(m[2]), type: m[3]!.toUpperCase(), file: m[4] ?? '' })
      if (line.includes('/') || line.includes('\\')) refuse(f, 'vmdkExtentFile', { file: shown(m[4] ?? line), type: m[3]!.toUpperCase() })
      continue
    }
    refuse(f, 'vmdkDescriptorLine', { line: shown(line, 80) })
    return
  }
  const createType = fields.get('createtype') ?? null
  f.details.createType = createType
  f.details.extents = extents.length
  if (f.virtualSize === null) {
    const sectors = extents.reduce((n, e) => n + e.sectors, 0)
    if (sectors > 0) f.virtualSize = sectors * 512
  }
  if (!embedded) {
    refuse(f, 'vmdkDescriptorFile', {
      createType: shown(createType ?? ''),
      extents: extents.map((e) => shown(e.file)).join(', ') || '-',
    })
    return
  }
  if (!extents.length) refuse(f, 'vmdkNoExtent')
  if (!createType || !SAFE_TYPES.has(createType.toLowerCase())) refuse(f, 'vmdkCreateType', { createType: shown(createType ?? '') })
  for (const e of extents) {
    if (e.type !== 'SPARSE' && !f.unsafe.some((u) => u.reason === 'vmdkExtentFile')) refuse(f, 'vmdkExtentFile', { file: shown(e.file), type: e.type })
  }
  if (extents.length > 1) refuse(f, 'vmdkExtentCount', { count: extents.length })
  const parent = fields.get('parentfilenamehint')
  const parentCid = fields.get('parentcid')
  if (parent || (parentCid && parentCid.toLowerCase() !== 'ffffffff')) refuse(f, 'vmdkParent', { parent: shown(parent ?? parentCid ?? '') })
}

async function sparse(src: ByteSource, head: Buffer): Promise<Found> {
  const f = found('vmdk')
  if (head.length < 512) {
    refuse(f, 'vmdkHeader', { field: 'header', value: `${head.length} bytes`, expected: '512' })
    return f
  }
  const version = head.readUInt32LE(4)
  f.details.version = version
  if (version < 1 || version > 3) {
    refuse(f, 'vmdkHeader', { field: 'version', value: version, expected: '1, 2 or 3' })
    return f
  }
  let h = head
  if (head.readBigUInt64LE(56) === GD_AT_END) {
    // a footer (streamOptimized written in one pass): qemu uses it instead of the header
    f.details.footer = true
    const bad = (field: string, value: string | number, expected: string): Found => {
      refuse(f, 'vmdkFooter', { field, value, expected })
      return f
    }
    if (src.size < 2048) return bad('file size', src.size, 'room for a footer')
    const tail = await src.read(src.size - 1536, 1024)
    const marker = tail.subarray(0, 512)
    const foot = tail.subarray(512, 1024)
    if (marker.readUInt32LE(12) !== MARKER_FOOTER) return bad('footer marker', marker.readUInt32LE(12), `${MARKER_FOOTER}`)
    if (foot.toString('latin1', 0, 4) !== 'KDMV') return bad('footer magic', shown(foot.toString('latin1', 0, 4)), '"KDMV"')
    if (foot.readUInt32LE(4) !== version) return bad('footer version', foot.readUInt32LE(4), `${version}, as the header`)
    const gd = foot.readBigUInt64LE(56)
    if (gd === GD_AT_END || gd === 0n || Number(gd) * 512 >= src.size) return bad('footer gdOffset', gd.toString(), 'a sector inside the file')
    if (u64le(foot, 28) !== u64le(head, 28) || u64le(foot, 36) !== u64le(head, 36)) {
      return bad('footer descriptor', `${u64le(foot, 28)}+${u64le(foot, 36)}`, `${u64le(head, 28)}+${u64le(head, 36)}, as the header`)
    }
    h = foot
  }
  f.virtualSize = u64le(h, 12) * 512
  const descSec = u64le(h, 28)
  const descNum = u64le(h, 36)
  const offset = descSec * 512
  const size = descNum * 512
  if (descSec === 0 || descNum === 0) {
    refuse(f, 'vmdkDescriptorBounds', { offset, size, fileSize: src.size, expected: 'an embedded descriptor' })
    return f
  }
  if (offset !== 512 || size > DESC_MAX || offset + size > src.size) {
    refuse(f, 'vmdkDescriptorBounds', { offset, size, fileSize: src.size, expected: 'at offset 512, at most 1 MiB, inside the file' })
    return f
  }
  checkDescriptor(await src.read(offset, size), f, true)
  return f
}

export const vmdk: Detector = async (src, head) => {
  const magic = head.toString('latin1', 0, 4)
  if (magic === 'COWD') {
    const f = found('vmdk')
    f.details.version = 3
    f.details.createType = 'COWD'
    refuse(f, 'vmdkCowd')
    return f
  }
  if (magic === 'KDMV') return sparse(src, head)
  if (!probeDescriptorText(head)) return null
  const f = found('vmdk')
  checkDescriptor(await src.read(0, Math.min(src.size, DESC_MAX)), f, false)
  return f
}
