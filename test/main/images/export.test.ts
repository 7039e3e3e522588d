import { describe, expect, it } from 'vitest'
import { inflateRawSync } from 'node:zlib'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32, tabulate, toCsv, toXlsx, writeFileAtomic, zip } from '../../../main/images/export'
import { toImageDTO } from '../../../main/openstack/properties'

/** A small zip reader: the central directory, each entry inflated and CRC-checked. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  expect(eocd).toBeGreaterThan(0)
  const count = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  const out = new Map<string, Buffer>()
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50)
    const method = buf.readUInt16LE(p + 10)
    const crc = buf.readUInt32LE(p + 16)
    const csize = buf.readUInt32LE(p + 20)
    const usize = buf.readUInt32LE(p + 24)
    const nlen = buf.readUInt16LE(p + 28)
    const elen = buf.readUInt16LE(p + 30)
    const clen = buf.readUInt16LE(p + 32)
    const off = buf.readUInt32LE(p + 42)
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8')
    expect(buf.readUInt32LE(off)).toBe(0x04034b50)
    const lnlen = buf.readUInt16LE(off + 26)
    const lelen = buf.readUInt16LE(off + 28)
    const data = buf.subarray(off + 30 + lnlen + lelen, off + 30 + lnlen + lelen + csize)
    const plain = method === 8 ? inflateRawSync(data) : Buffer.from(data)
    expect(plain.length).toBe(usize)
    expect(crc32(plain)).toBe(crc)
    out.set(name, plain)
    p += 46 + nlen + elen + clen
  }
  return out
}

const images = [
  toImageDTO({ id: 'a1', name: 'ubuntu "jammy", 22.04', status: 'active', size: 1234, visibility: 'public', os_distro: 'ubuntu', tags: ['x', 'y'] }),
  toImageDTO({ id: 'b2', name: '=cmd|calc <&>', status: 'queued', size: null, visibility: 'private', custom: '中文' }),
]

describe('crc32 / zip', () => {
  it('crc32 matches the known value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
  })
  it('zip round-trips', () => {
    const files = unzip(
      zip([
        { name: 'a.txt', data: Buffer.from('hello hello hello') },
        { name: 'dir/中.txt', data: Buffer.alloc(0) },
      ]),
    )
    expect(files.get('a.txt')!.toString()).toBe('hello hello hello')
    expect(files.get('dir/中.txt')!.length).toBe(0)
  })
})

describe('tabulate / csv / xlsx', () => {
  it('tabulates with localized headers and property columns', () => {
    const rows = tabulate(images, ['id', 'name', 'size', 'public', 'osType', 'tags', 'prop:custom'], 'zh-CN')
    expect(rows[0]).toEqual(['ID', '名称', '大小（字节）', '公用', '操作系统类别', '标签', 'custom'])
    expect(rows[1]).toEqual(['a1', 'ubuntu "jammy", 22.04', 1234, '是', 'Ubuntu', 'x, y', null])
    expect(rows[2]).toEqual(['b2', '=cmd|calc <&>', null, '否', null, '', '中文'])
  })
  it('headers in the UI’s own terms and coded cells worded, in both languages (issue 14.7)', () => {
    const cols = ['status', 'visibility', 'protected', 'minDisk', 'architecture', 'virtualization', 'bootMode', 'containerFormat']
    const im = toImageDTO({
      id: 'c3',
      name: 'x',
      status: 'deactivated',
      visibility: 'shared',
      protected: true,
      min_disk: 20,
      architecture: 'aarch64',
      hypervisor_type: 'ironic',
      hw_firmware_type: 'uefi',
      container_format: 'bare',
    })
    const weird = toImageDTO({ id: 'd4', name: 'y', status: 'brand_new_status', visibility: 'private', protected: false })
    const zh = tabulate([im, weird], cols, 'zh-CN')
    expect(zh[0]).toEqual(['状态', '可见性', '受保护的', '最小系统盘（GiB）', 'CPU架构', '虚拟化类型', '启动方式', '容器格式'])
    expect(zh[1]).toEqual(['已停用', '共享', '是', 20, 'Arm', 'Baremetal', 'UEFI', 'bare'])
    expect(zh[2]![0]).toBe('brand_new_status') // an unknown code stays as it is
    const en = tabulate([im], cols, 'en')
    expect(en[0]).toEqual(['Status', 'Visibility', 'Protected', 'Min disk (GiB)', 'CPU architecture', 'Virtualization', 'Boot mode', 'Container format'])
    expect(en[1]).toEqual(['Deactivated', 'Shared', 'Yes', 20, 'Arm', 'Baremetal', 'UEFI', 'bare'])
  })
  it('CSV: BOM, quoting, CRLF, formula guard', () => {
    const csv = toCsv(tabulate(images, ['id', 'name', 'size'], 'en'))
    expect(csv.startsWith('\uFEFFID,Name,Size (bytes)\r\n')).toBe(true)
    expect(csv).toContain('a1,"ubuntu ""jammy"", 22.04",1234\r\n')
    expect(csv).toContain("b2,'=cmd|calc <&>,\r\n")
  })
  it('xlsx is a valid OOXML package with the cells', () => {
    const files = unzip(toXlsx(tabulate(images, ['id', 'name', 'size', 'public', 'prop:custom'], 'en')))
    expect([...files.keys()].sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ])
    const sheet = files.get('xl/worksheets/sheet1.xml')!.toString('utf8')
    expect(sheet).toContain('<c r="C2"><v>1234</v></c>')
    expect(sheet).toContain('<c r="D2" t="inlineStr"><is><t xml:space="preserve">Yes</t></is></c>')
    expect(sheet).toContain('=cmd|calc &lt;&amp;&gt;')
    expect(sheet).toContain('中文')
    expect(sheet).not.toContain('<c r="C3"') // null cells are omitted
    expect(files.get('[Content_Types].xml')!.toString()).toContain('spreadsheetml.sheet.main+xml')
  })
  it('writes atomically, leaving no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'))
    try {
      const f = join(dir, 'out.csv')
      await writeFileAtomic(f, 'one')
      await writeFileAtomic(f, 'two')
      expect(readFileSync(f, 'utf8')).toBe('two')
      expect(readdirSync(dir)).toEqual(['out.csv'])
      await expect(writeFileAtomic(join(dir, 'missing', 'x.csv'), 'x')).rejects.toThrow()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
