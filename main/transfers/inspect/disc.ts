/**
 * Optical discs and partition tables: ISO 9660 and UDF (volume descriptors from 32 KiB, oslo's ISOInspector, incl.
 * a UDF volume recognition sequence with no ISO primary descriptor, as mkudffs writes it), MBR and GPT (oslo's
 * GPTInspector sanity checks), and the raw fallback.
 *
 *   input                                            | result
 *   -------------------------------------------------|-----------------------------------------------------
 *   CD001 type 1 in descriptors 16..47               | iso: volume id, size = blocks * block size
 *   BEA01/NSR02/NSR03 (no CD001 primary)              | iso (udf): size = the file's
 *   0x55AA and an entry of type 0xEE                  | gpt: one protective entry only (gptExtraPartitions), an
 *                                                    | "EFI PART" header at 512 or 4096 (gptHeader)
 *   0x55AA and other non-empty entries                | mbr; boot flag not 0x00/0x80: refused mbrBootFlag
 *   0x55AA, no entry                                  | no table (a boot sector): raw with bootSector
 */
import { found, hex, refuse, warn, type Detector, type Found } from './found'
import type { ByteSource } from './source'

const SECTOR = 2048
const FIRST = 0x8000
const SLOTS = 32

export const disc: Detector = async (src) => {
  if (src.size < FIRST + SECTOR) return null
  const area = await src.read(FIRST, SECTOR * SLOTS)
  let primary: Buffer | null = null
  let udf: string | null = null
  for (let i = 0; (i + 1) * SECTOR <= area.length; i++) {
    const d = area.subarray(i * SECTOR, (i + 1) * SECTOR)
    const id = d.toString('latin1', 1, 6)
    if (id === 'CD001' && d[0] === 1 && !primary) primary = d
    else if (id === 'NSR02' || id === 'NSR03') udf = id
  }
  if (!primary && !udf) return null
  const f = found('iso')
  f.details.filesystem = primary && udf ? 'iso9660+udf' : primary ? 'iso9660' : 'udf'
  if (udf) f.details.udf = udf
  if (primary) {
    f.details.volumeId = primary.toString('latin1', 40, 72).trim()
    const blocks = primary.readUInt32LE(80)
    const blockSize = primary.readUInt16LE(128) || SECTOR
    f.details.volumeBytes = blocks * blockSize
    f.virtualSize = blocks * blockSize
    if (blocks * blockSize > src.size) warn(f, 'isoTruncated', { volumeBytes: blocks * blockSize, size: src.size })
  } else f.virtualSize = src.size
  return f
}

interface Entry {
  index: number
  boot: number
  type: number
  start: number
  sectors: number
}

function entries(head: Buffer): Entry[] {
  const out: Entry[] = []
  for (let i = 0; i < 4; i++) {
    const e = 446 + i * 16
    out.push({ index: i + 1, boot: head[e]!, type: head[e + 4]!, start: head.readUInt32LE(e + 8), sectors: head.readUInt32LE(e + 12) })
  }
  return out
}

export const partitions: Detector = async (src, head) => {
  if (head.length < 512 || head.readUInt16LE(510) !== 0xaa55) return null
  const all = entries(head)
  const used = all.filter((e) => e.type !== 0)
  if (!used.length) return null
  const protective = used.filter((e) => e.type === 0xee)
  const f: Found = found(protective.length ? 'gpt' : 'mbr')
  f.virtualSize = src.size
  f.details.partitionTable = protective.length ? 'gpt' : 'mbr'
  f.details.partitions = used.length
  for (const e of all) if (e.boot !== 0 && e.boot !== 0x80) refuse(f, 'mbrBootFlag', { partition: e.index, value: hex(e.boot) })
  if (protective.length) {
    if (used.length > 1) refuse(f, 'gptExtraPartitions', { count: used.length - 1 })
    const h512 = await src.read(512, 92)
    const h4k = h512.toString('latin1', 0, 8) === 'EFI PART' ? h512 : await src.read(4096, 92)
    if (h4k.toString('latin1', 0, 8) !== 'EFI PART') refuse(f, 'gptHeader', { field: 'signature "EFI PART" at 512 or 4096' })
    else {
      const size = h4k.readUInt32LE(12)
      const myLba = Number(h4k.readBigUInt64LE(24))
      if (size < 92 || size > 4096) refuse(f, 'gptHeader', { field: `header size ${size}` })
      else if (myLba !== 1) refuse(f, 'gptHeader', { field: `my LBA ${myLba}` })
    }
  } else {
    for (const e of used) if ((e.start + e.sectors) * 512 > src.size) warn(f, 'mbrBeyondEnd', { partition: e.index })
  }
  return f
}

export function raw(src: ByteSource, head: Buffer): Found {
  const f = found('raw')
  f.virtualSize = src.size
  f.details.partitionTable = 'none'
  if (head.length >= 512 && head.readUInt16LE(510) === 0xaa55) f.details.bootSector = true
  else warn(f, 'rawNoTable')
  return f
}
