/**
 * Image list export: CSV (UTF-8 with BOM, RFC 4180 quoting, formula-injection guarded) and a real .xlsx (a minimal
 * OOXML package: one sheet of inline strings and numbers, zipped here with deflateRawSync + CRC32, no dependency).
 * Files are written atomically (tmp + rename).
 */
import { deflateRawSync } from 'node:zlib'
import { open, rename, rm } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { ImageDTO } from '../../preload/api'

export type Cell = string | number | boolean | null

/** Known columns: id -> [en, zh-CN] header and how to read it. */
const COLUMNS: Record<string, { en: string; zh: string; get: (i: ImageDTO) => Cell }> = {
  id: { en: 'ID', zh: 'ID', get: (i) => i.id },
  name: { en: 'Name', zh: '名称', get: (i) => i.name },
  status: { en: 'Status', zh: '状态', get: (i) => i.status },
  diskFormat: { en: 'Disk format', zh: '磁盘格式', get: (i) => i.diskFormat },
  containerFormat: { en: 'Container format', zh: '容器格式', get: (i) => i.containerFormat },
  size: { en: 'Size (bytes)', zh: '大小（字节）', get: (i) => i.size },
  virtualSize: { en: 'Virtual size (bytes)', zh: '虚拟大小（字节）', get: (i) => i.virtualSize },
  visibility: { en: 'Visibility', zh: '可见性', get: (i) => i.visibility },
  public: { en: 'Public', zh: '公有', get: (i) => i.visibility === 'public' },
  protected: { en: 'Protected', zh: '受保护', get: (i) => i.protected },
  owner: { en: 'Owner', zh: '所有者', get: (i) => i.owner },
  createdAt: { en: 'Created', zh: '创建时间', get: (i) => i.createdAt },
  updatedAt: { en: 'Updated', zh: '更新时间', get: (i) => i.updatedAt },
  tags: { en: 'Tags', zh: '标签', get: (i) => i.tags.join(', ') },
  checksum: { en: 'MD5', zh: 'MD5', get: (i) => i.checksum },
  hashAlgo: { en: 'Hash algorithm', zh: '哈希算法', get: (i) => i.hashAlgo },
  hashValue: { en: 'Hash', zh: '哈希值', get: (i) => i.hashValue },
  minDisk: { en: 'Min disk (GiB)', zh: '最小系统盘（GiB）', get: (i) => i.minDisk },
  minRam: { en: 'Min memory (MiB)', zh: '最小内存（MiB）', get: (i) => i.minRam },
  minRamGiB: { en: 'Min memory (GiB)', zh: '最小内存（GiB）', get: (i) => i.fields.minRamGiB },
  osType: { en: 'OS type', zh: '操作系统类型', get: (i) => i.fields.osType ?? null },
  architecture: { en: 'CPU architecture', zh: 'CPU 架构', get: (i) => i.fields.architecture ?? null },
  virtualization: { en: 'Virtualization', zh: '虚拟化类型', get: (i) => i.fields.virtualization ?? null },
  bootMode: { en: 'Boot mode', zh: '启动方式', get: (i) => i.fields.bootMode ?? null },
  agent: { en: 'Built-in agent', zh: '内置代理', get: (i) => i.fields.agent ?? null },
  multiqueue: { en: 'NIC multiqueue', zh: '网卡多队列', get: (i) => i.fields.multiqueue ?? null },
  onlineResize: { en: 'Online resize', zh: '在线扩容', get: (i) => i.fields.onlineResize ?? null },
  encryptedPassword: { en: 'Encrypted initial password', zh: '加密初始密码', get: (i) => i.fields.encryptedPassword ?? null },
  description: { en: 'Description', zh: '描述', get: (i) => i.fields.description ?? null },
  hidden: { en: 'Hidden', zh: '隐藏', get: (i) => i.hidden },
}

export const EXPORT_COLUMNS = Object.keys(COLUMNS)

/** Header + rows for the given columns; unknown column ids are read as custom properties (`prop:key` or `key`). */
export function tabulate(images: ImageDTO[], columns: string[], locale: 'zh-CN' | 'en'): Cell[][] {
  const cols = columns.length ? columns : ['id', 'name', 'status', 'diskFormat', 'size', 'visibility', 'createdAt']
  const header = cols.map((c) => {
    const k = COLUMNS[c]
    return k ? (locale === 'zh-CN' ? k.zh : k.en) : c.replace(/^prop:/, '')
  })
  const rows = images.map((img) =>
    cols.map((c) => {
      const k = COLUMNS[c]
      if (k) return k.get(img)
      const key = c.replace(/^prop:/, '')
      const v = img.properties[key] ?? img.raw[key]
      return v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : (v as Cell)
    }),
  )
  return [header, ...rows]
}

function cellText(v: Cell): string {
  if (v === null) return ''
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return String(v)
}

/** CSV text (with a leading BOM so Excel reads UTF-8), CRLF lines, cells starting = + - @ neutralised. */
export function toCsv(rows: Cell[][]): string {
  const esc = (v: Cell) => {
    let s = cellText(v)
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  return `\uFEFF${rows.map((r) => r.map(esc).join(',')).join('\r\n')}\r\n`
}

// ---------------------------------------------------------------------------------------------------------------
// Zip + xlsx
// ---------------------------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

export function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A zip archive (deflate, UTF-8 names) of the given files. */
export function zip(files: { name: string; data: Buffer }[], date = new Date()): Buffer {
  const dosTime = ((date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2)) & 0xffff
  const dosDate = (((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate()) & 0xffff
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8')
    const comp = deflateRawSync(f.data)
    const crc = crc32(f.data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(8, 8) // deflate
    local.writeUInt16LE(dosTime, 10)
    local.writeUInt16LE(dosDate, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(comp.length, 18)
    local.writeUInt32LE(f.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    locals.push(local, name, comp)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt16LE(dosTime, 12)
    central.writeUInt16LE(dosDate, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(comp.length, 20)
    central.writeUInt32LE(f.data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)
    offset += local.length + name.length + comp.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

function xmlEscape(s: string): string {
  // Also drop characters XML 1.0 forbids.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)
}

function colName(i: number): string {
  let s = ''
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}

/** A one-sheet .xlsx workbook: the first row bold-less header, numbers as numbers, booleans as booleans. */
export function toXlsx(rows: Cell[][], sheetName = 'Images'): Buffer {
  const sheetRows = rows
    .map((r, ri) => {
      const cells = r
        .map((v, ci) => {
          const ref = `${colName(ci)}${ri + 1}`
          if (v === null || v === '') return ''
          if (typeof v === 'number' && Number.isFinite(v)) return `<c r="${ref}"><v>${v}</v></c>`
          if (typeof v === 'boolean') return `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`
          return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlEscape(String(v))}</t></is></c>`
        })
        .join('')
      return `<row r="${ri + 1}">${cells}</row>`
    })
    .join('')
  const xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
  const files = [
    {
      name: '[Content_Types].xml',
      data: `${xml}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    },
    {
      name: '_rels/.rels',
      data: `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      data: `${xml}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${xmlEscape(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      data: `${xml}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`,
    },
  ]
  return zip(files.map((f) => ({ name: f.name, data: Buffer.from(f.data, 'utf8') })))
}

/** Writes a file atomically: a temporary sibling, fsync, rename over the target. */
export async function writeFileAtomic(path: string, data: Buffer | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const fh = await open(tmp, 'w', 0o644)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } catch (e) {
    await fh.close().catch(() => {})
    await rm(tmp, { force: true })
    throw e
  }
  await fh.close()
  try {
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
}
