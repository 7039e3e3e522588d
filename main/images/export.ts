/**
 * Image list export: CSV (UTF-8 with BOM, RFC 4180 quoting, formula-injection guarded) and a real .xlsx (a minimal
 * OOXML package: one sheet of inline strings and numbers, zipped here with deflateRawSync + CRC32, no dependency).
 * Files are written atomically (tmp + rename).
 */
import { deflateRawSync } from 'node:zlib'
import { atomicWriteFile } from '../files/atomic'
import type { ImageDTO } from '../../preload/api'
import type { Translate } from '../../preload/rules/messages'
import { translator, type UiLocale } from '../i18n'

export type Cell = string | number | boolean | null

/**
 * Known columns, in the UI's own terms: the header is the catalogue key the UI labels that column or field with
 * (renderer/i18n: col.* for the list's columns, field.* for the form's fields) plus the unit of a raw number; a cell
 * whose value is a code (status, visibility, yes/no, OS, architecture, virtualization, boot mode) is worded in the
 * export's locale from the same catalogue (main/i18n.ts). An unknown code stays as it is.
 *
 * | column            | header key             | unit  | cell                      |
 * |-------------------|------------------------|-------|---------------------------|
 * | status            | col.status             |       | status.<v>                |
 * | visibility        | col.visibility         |       | visibility.<v>            |
 * | size, virtualSize | col.size, col.virtualSize | bytes | number                 |
 * | minDisk           | col.minDisk            | GiB   | number                    |
 * | minRam            | col.minRam             | MiB   | number                    |
 * | osType            | col.osType             |       | os.<v>                    |
 * | architecture      | col.architecture       |       | arch.<v>                  |
 * | virtualization    | col.virtualization     |       | virt.<v>                  |
 * | bootMode          | field.bootMode         |       | boot.<v>                  |
 * | booleans          | col.* / field.*        |       | app.yes / app.no          |
 */
type Kind = 'status' | 'visibility' | 'bool' | 'os' | 'arch' | 'virt' | 'boot'
type Unit = 'bytes' | 'GiB' | 'MiB'
interface Column {
  label: string
  unit?: Unit
  kind?: Kind
  get: (i: ImageDTO) => Cell
}

const COLUMNS: Record<string, Column> = {
  id: { label: 'col.id', get: (i) => i.id },
  name: { label: 'col.name', get: (i) => i.name },
  status: { label: 'col.status', kind: 'status', get: (i) => i.status },
  diskFormat: { label: 'col.diskFormat', get: (i) => i.diskFormat },
  containerFormat: { label: 'field.containerFormat', get: (i) => i.containerFormat },
  size: { label: 'col.size', unit: 'bytes', get: (i) => i.size },
  virtualSize: { label: 'col.virtualSize', unit: 'bytes', get: (i) => i.virtualSize },
  visibility: { label: 'col.visibility', kind: 'visibility', get: (i) => i.visibility },
  public: { label: 'field.public', kind: 'bool', get: (i) => i.visibility === 'public' },
  protected: { label: 'col.protected', kind: 'bool', get: (i) => i.protected },
  owner: { label: 'col.owner', get: (i) => i.owner },
  createdAt: { label: 'col.createdAt', get: (i) => i.createdAt },
  updatedAt: { label: 'col.updatedAt', get: (i) => i.updatedAt },
  tags: { label: 'col.tags', get: (i) => i.tags.join(', ') },
  checksum: { label: 'field.checksum', get: (i) => i.checksum },
  hashAlgo: { label: 'export.hashAlgo', get: (i) => i.hashAlgo },
  hashValue: { label: 'field.hash', get: (i) => i.hashValue },
  minDisk: { label: 'col.minDisk', unit: 'GiB', get: (i) => i.minDisk },
  minRam: { label: 'col.minRam', unit: 'MiB', get: (i) => i.minRam },
  minRamGiB: { label: 'col.minRam', unit: 'GiB', get: (i) => i.fields.minRamGiB },
  osType: { label: 'col.osType', kind: 'os', get: (i) => i.fields.osType ?? null },
  architecture: { label: 'col.architecture', kind: 'arch', get: (i) => i.fields.architecture ?? null },
  virtualization: { label: 'col.virtualization', kind: 'virt', get: (i) => i.fields.virtualization ?? null },
  bootMode: { label: 'field.bootMode', kind: 'boot', get: (i) => i.fields.bootMode ?? null },
  agent: { label: 'field.agent', kind: 'bool', get: (i) => i.fields.agent ?? null },
  multiqueue: { label: 'field.multiqueue', kind: 'bool', get: (i) => i.fields.multiqueue ?? null },
  onlineResize: { label: 'field.onlineResize', kind: 'bool', get: (i) => i.fields.onlineResize ?? null },
  encryptedPassword: { label: 'field.encryptedPassword', kind: 'bool', get: (i) => i.fields.encryptedPassword ?? null },
  description: { label: 'field.description', get: (i) => i.fields.description ?? null },
  hidden: { label: 'field.hidden', kind: 'bool', get: (i) => i.hidden },
}

export const EXPORT_COLUMNS = Object.keys(COLUMNS)

const KIND_SECTION: Record<Exclude<Kind, 'bool'>, string> = { status: 'status', visibility: 'visibility', os: 'os', arch: 'arch', virt: 'virt', boot: 'boot' }

/** A cell in the export's language: codes worded from the catalogue (unknown ones as they are), yes/no for booleans. */
function wordCell(v: Cell, kind: Kind | undefined, t: Translate): Cell {
  if (v === null || !kind) return v
  if (kind === 'bool') return typeof v === 'boolean' ? t(v ? 'app.yes' : 'app.no') : v
  if (typeof v !== 'string' || !/^[A-Za-z0-9_]+$/.test(v)) return v
  const key = `${KIND_SECTION[kind]}.${v}`
  const w = t(key)
  return w === key ? v : w
}

function header(c: Column, t: Translate): string {
  const label = t(c.label)
  if (!c.unit) return label
  return t('export.withUnit', { label, unit: c.unit === 'bytes' ? t('export.bytes') : c.unit })
}

/** The sheet name of an xlsx export in the UI's language (the list's title). */
export function sheetName(locale: UiLocale): string {
  return translator(locale)('images.title')
}

/** Header + rows for the given columns; unknown column ids are read as custom properties (`prop:key` or `key`). */
export function tabulate(images: ImageDTO[], columns: string[], locale: UiLocale): Cell[][] {
  const t = translator(locale)
  const cols = columns.length ? columns : ['id', 'name', 'status', 'diskFormat', 'size', 'visibility', 'createdAt']
  const head = cols.map((c) => {
    const k = COLUMNS[c]
    return k ? header(k, t) : c.replace(/^prop:/, '')
  })
  const rows = images.map((img) =>
    cols.map((c) => {
      const k = COLUMNS[c]
      if (k) return wordCell(k.get(img), k.kind, t)
      const key = c.replace(/^prop:/, '')
      const v = img.properties[key] ?? img.raw[key]
      return v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : (v as Cell)
    }),
  )
  return [head, ...rows]
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
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)
  )
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

/** Writes an export atomically (main/files/atomic.ts), readable by the user's other programs (0644). */
export async function writeFileAtomic(path: string, data: Buffer | string): Promise<void> {
  return atomicWriteFile(path, data, 0o644)
}
