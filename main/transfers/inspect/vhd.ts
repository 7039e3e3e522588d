/**
 * Microsoft's VHD (qemu block/vpc.c) and VHDX (block/vhdx.c), VirtualBox's VDI (block/vdi.c). Differencing disks
 * (they need a parent file) are refused.
 *
 *   input                                              | result
 *   ---------------------------------------------------|-------------------------------------------------------
 *   "conectix" at 0 (dynamic: header copy) or at EOF-512 | vhd; disk type 4 -> refused vhdDifferencing
 *   (fixed: footer only, the data is a raw disk)        | `fixed` marks the one combination with MBR/GPT allowed
 *   "vhdxfile": region table -> metadata table          | vhdx; a parent locator or file-parameters HasParent ->
 *                                                       | refused vhdxDifferencing; unreadable tables: a warning
 *   VDI magic 0xbeda107f at 0x40                        | vdi; image type 3 (undo) / 4 (diff) -> refused
 */
import { found, refuse, u64be, u64le, warn, type Detector, type Found } from './found'

function footer(b: Buffer, fixed: boolean): Found {
  const f = found('vhd')
  f.virtualSize = u64be(b, 48)
  const type = b.readUInt32BE(60)
  f.details.diskType = type === 2 ? 'fixed' : type === 3 ? 'dynamic' : type === 4 ? 'differencing' : `unknown (${type})`
  if (fixed) f.details.footerOnly = true
  if (type === 4) refuse(f, 'vhdDifferencing', { parent: 'parent locator' })
  return f
}

export const vhd: Detector = async (src, head) => {
  if (head.length >= 512 && head.toString('latin1', 0, 8) === 'conectix') {
    const f = footer(head, false)
    if (f.details.diskType === 'differencing') {
      // the dynamic header (at the footer's data offset) names the parent (UTF-16BE, 512 bytes at 0x40)
      const dataOffset = u64be(head, 16)
      if (dataOffset > 0 && dataOffset < src.size) {
        const dyn = await src.read(dataOffset, 1024)
        if (dyn.length >= 0x240 && dyn.toString('latin1', 0, 8) === 'cxsparse') {
          const name = Buffer.from(dyn.subarray(0x40, 0x240)).swap16().toString('utf16le').replace(/\0.*$/s, '')
          if (name) f.unsafe[0]!.params.parent = JSON.stringify(name)
        }
      }
    }
    return f
  }
  if (src.size >= 1024) {
    const tail = await src.read(src.size - 512, 512)
    if (tail.length === 512 && tail.toString('latin1', 0, 8) === 'conectix') return footer(tail, true)
  }
  return null
}

/** A GUID in its on-disk (mixed-endian) form. */
function guid(s: string): Buffer {
  const b = Buffer.from(s.replace(/-/g, ''), 'hex')
  b.subarray(0, 4).reverse()
  b.subarray(4, 6).reverse()
  b.subarray(6, 8).reverse()
  return b
}
const METADATA_REGION = guid('8B7CA206-4790-4B9A-B8FE-575F050F886E')
const VIRTUAL_DISK_SIZE = guid('2FA54224-CD1B-4876-B211-5DBED83BF4B8')
const FILE_PARAMETERS = guid('CAA16737-FA36-4D43-B3B6-33F0AA44E76B')
const PARENT_LOCATOR = guid('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C')

export const vhdx: Detector = async (src, head) => {
  if (head.toString('latin1', 0, 8) !== 'vhdxfile') return null
  const f = found('vhdx')
  const region = await src.read(192 * 1024, 64 * 1024)
  if (region.length < 16 || region.toString('latin1', 0, 4) !== 'regi') {
    warn(f, 'vhdxUnreadable', { what: 'region table' })
    return f
  }
  const count = Math.min(region.readUInt32LE(8), 2047)
  let metaOffset = -1
  for (let i = 0; i < count; i++) {
    const e = 16 + i * 32
    if (e + 32 > region.length) break
    if (region.subarray(e, e + 16).equals(METADATA_REGION)) metaOffset = u64le(region, e + 16)
  }
  if (metaOffset < 0) {
    warn(f, 'vhdxUnreadable', { what: 'metadata region' })
    return f
  }
  const meta = await src.read(metaOffset, 64 * 1024)
  if (meta.length < 32 || meta.toString('latin1', 0, 8) !== 'metadata') {
    warn(f, 'vhdxUnreadable', { what: 'metadata table' })
    return f
  }
  const n = Math.min(meta.readUInt16LE(10), 2047)
  for (let i = 0; i < n; i++) {
    const e = 32 + i * 32
    if (e + 32 > meta.length) break
    const id = meta.subarray(e, e + 16)
    const off = meta.readUInt32LE(e + 16)
    if (id.equals(VIRTUAL_DISK_SIZE)) {
      const v = await src.read(metaOffset + off, 8)
      if (v.length === 8) f.virtualSize = u64le(v, 0)
    } else if (id.equals(FILE_PARAMETERS)) {
      const v = await src.read(metaOffset + off, 8)
      if (v.length === 8 && v.readUInt32LE(4) & 2) {
        f.details.hasParent = true
        refuse(f, 'vhdxDifferencing', { field: 'file parameters: HasParent' })
      }
    } else if (id.equals(PARENT_LOCATOR)) {
      f.details.parentLocator = true
      if (!f.unsafe.length) refuse(f, 'vhdxDifferencing', { field: 'parent locator' })
    }
  }
  return f
}

export const vdi: Detector = (_src, head) => {
  if (head.length < 0x50 || head.readUInt32LE(0x40) !== 0xbeda107f) return Promise.resolve(null)
  const f = found('vdi')
  const major = head.readUInt16LE(0x46)
  const minor = head.readUInt16LE(0x44)
  f.details.version = `${major}.${minor}`
  const type = head.readUInt32LE(0x4c)
  f.details.imageType = type === 1 ? 'dynamic' : type === 2 ? 'fixed' : type === 3 ? 'undo' : type === 4 ? 'differencing' : `unknown (${type})`
  if (type === 3 || type === 4) refuse(f, 'vdiDifferencing', { type: f.details.imageType })
  if (major === 1 && head.length >= 0x178) f.virtualSize = u64le(head, 0x170)
  else warn(f, 'vdiVersion', { version: `${major}.${minor}` })
  return Promise.resolve(f)
}
