/**
 * qemu's own formats: qcow2 (block/qcow2.c, docs/interop/qcow2.txt), QED (block/qed.c: detected, always refused) and
 * LUKS (block/crypto.c: detected, refused unless declared raw).
 *
 *   qcow2 header                                   | verdict
 *   -----------------------------------------------|--------------------------------------------------------------
 *   version not 2/3, cluster_bits not 9..21,       | refused qcow2Header (qemu refuses or misreads such a header)
 *   header_length < 104 / > cluster / not 8-aligned,|
 *   refcount_order > 6, crypt_method > 2,          |
 *   backing name > 1023 bytes or past the cluster  |
 *   backing_file_offset != 0                       | refused qcow2BackingFile (oslo: any backing offset)
 *   incompatible bit 2 or the data-file extension  | refused qcow2DataFile
 *   incompatible bits >= 4 (oslo's known maximum)  | refused qcow2UnknownFeatures (bit 4, extended L2, too: Glance does)
 *   bit 1 (corrupt)                                | warning qcow2Corrupt; encryption: warning encrypted
 */
import { found, refuse, shown, u64be, u64le, warn, type Detector, type Found } from './found'

const QCOW2_MAGIC = 0x514649fb
const EXT_END = 0
const EXT_BACKING_FORMAT = 0xe2792aca
const EXT_DATA_FILE = 0x44415441
const EXT_CRYPTO = 0x0537be77
const INCOMPAT_CORRUPT = 1n << 1n
const INCOMPAT_DATA_FILE = 1n << 2n
/** Bits 0..3 (dirty, corrupt, data file, compression type): what oslo's inspector lets through. */
const INCOMPAT_KNOWN = 0b1111n

export const qcow2: Detector = async (src, head) => {
  if (head.length < 4 || head.readUInt32BE(0) !== QCOW2_MAGIC) return null
  const f = found('qcow2')
  const bad = (field: string, value: string | number, expected: string): Found => {
    refuse(f, 'qcow2Header', { field, value, expected })
    return f
  }
  if (head.length < 72) return bad('header', `${head.length} bytes`, 'at least 72')
  const version = head.readUInt32BE(4)
  f.details.version = version
  if (version !== 2 && version !== 3) return bad('version', version, '2 or 3')
  const clusterBits = head.readUInt32BE(20)
  f.details.clusterBits = clusterBits
  if (clusterBits < 9 || clusterBits > 21) return bad('cluster_bits', clusterBits, '9 to 21')
  const clusterSize = 2 ** clusterBits
  const backingOffset = u64be(head, 8)
  const backingSize = head.readUInt32BE(16)
  f.virtualSize = u64be(head, 24)
  const crypt = head.readUInt32BE(32)
  if (crypt > 2) return bad('crypt_method', crypt, '0, 1 or 2')
  f.details.encryption = crypt === 0 ? 'none' : crypt === 1 ? 'aes' : 'luks'
  if (crypt !== 0) warn(f, 'encrypted', { method: f.details.encryption })

  let headerLength = 72
  let incompat = 0n
  if (version === 3) {
    if (head.length < 104) return bad('header', `${head.length} bytes`, 'at least 104 for version 3')
    incompat = head.readBigUInt64BE(72)
    f.details.incompatibleFeatures = Number(incompat)
    const refcountOrder = head.readUInt32BE(96)
    f.details.refcountOrder = refcountOrder
    if (refcountOrder > 6) return bad('refcount_order', refcountOrder, '0 to 6')
    headerLength = head.readUInt32BE(100)
    if (headerLength < 104 || headerLength > clusterSize || headerLength % 8 !== 0) {
      return bad('header_length', headerLength, `104 to ${clusterSize}, a multiple of 8`)
    }
  }

  f.details.backingFile = null
  if (backingOffset !== 0) {
    if (backingSize > 1023 || backingOffset + backingSize > clusterSize) {
      bad('backing_file_offset', `${backingOffset} (+${backingSize})`, 'a name of at most 1023 bytes inside the first cluster')
    }
    const name = (await src.read(backingOffset, Math.min(backingSize, 1023))).toString('utf8')
    f.details.backingFile = name
    refuse(f, 'qcow2BackingFile', { name: shown(name) })
  }
  f.details.dataFile = null
  let dataFile: { reason: string; params: Record<string, string | number> } | null = null
  if (incompat & INCOMPAT_DATA_FILE) {
    f.details.dataFile = true
    refuse(f, 'qcow2DataFile', { name: '?' })
    dataFile = f.unsafe[f.unsafe.length - 1]!
  }
  if (incompat & INCOMPAT_CORRUPT) warn(f, 'qcow2Corrupt')
  const unknown = incompat & ~INCOMPAT_KNOWN
  if (unknown) {
    const bits: number[] = []
    for (let i = 0; i < 64; i++) if (unknown & (1n << BigInt(i))) bits.push(i)
    refuse(f, 'qcow2UnknownFeatures', { bits: bits.map((b) => `bit ${b}`).join(', ') })
  }

  // header extensions: after the header, inside the first cluster (bounded walk)
  const area = headerLength < clusterSize ? await src.read(headerLength, Math.min(clusterSize - headerLength, 64 * 1024)) : Buffer.alloc(0)
  let p = 0
  for (let i = 0; i < 64 && p + 8 <= area.length; i++) {
    const type = area.readUInt32BE(p)
    const len = area.readUInt32BE(p + 4)
    if (type === EXT_END) break
    const data = area.subarray(p + 8, Math.min(p + 8 + len, area.length))
    if (type === EXT_BACKING_FORMAT) f.details.backingFormat = data.toString('utf8')
    else if (type === EXT_DATA_FILE) {
      const name = data.toString('utf8')
      f.details.dataFile = name
      if (dataFile) dataFile.params.name = shown(name)
      else refuse(f, 'qcow2DataFile', { name: shown(name) })
    } else if (type === EXT_CRYPTO) f.details.cryptoHeader = true
    p += 8 + Math.ceil(len / 8) * 8
  }
  if (f.virtualSize > 0 && src.size > f.virtualSize * 2 + 64 * 1024 * 1024) warn(f, 'qcow2Larger')
  return f
}

export const qed: Detector = (_src, head) => {
  if (head.length < 8 || head.toString('latin1', 0, 4) !== 'QED\0') return Promise.resolve(null)
  const f = found('qed')
  if (head.length >= 56) f.virtualSize = u64le(head, 48)
  refuse(f, 'qed')
  return Promise.resolve(f)
}

const LUKS_MAGIC = Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe])

export const luks: Detector = (src, head) => {
  if (head.length < 8 || !head.subarray(0, 6).equals(LUKS_MAGIC)) return Promise.resolve(null)
  const f = found('luks')
  const version = head.readUInt16BE(6)
  f.details.version = version
  // LUKS1: the payload starts at payload-offset sectors (offset 104); what is left is the guest's disk
  if (version === 1 && head.length >= 108) f.virtualSize = Math.max(0, src.size - head.readUInt32BE(104) * 512)
  f.details.cipher = head.toString('latin1', 8, 40).replace(/\0.*$/s, '')
  refuse(f, 'luks', { version })
  return Promise.resolve(f)
}
