import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { messages } from '@/i18n'
import { cellText, DEFAULT_COLUMNS, exportColumns, normalizeColumns } from '@/lib/columns'
import { consoleFieldRows, FIELD_LABELS, fieldValue, statusLabel, tagsInUse } from '@/lib/fields'
import { image } from './support/mockApi'

const mk = (locale: 'en' | 'zh-CN') => {
  const i = createI18n({ legacy: false, locale, messages })
  return (k: string, p?: Record<string, unknown>) => (p ? i.global.t(k, p) : i.global.t(k))
}
const en = mk('en')
const zh = mk('zh-CN')

describe('console field labels and values', () => {
  it('every console field has a label in both languages', () => {
    expect(Object.keys(FIELD_LABELS).sort()).toEqual(
      [
        'agent',
        'architecture',
        'bootMode',
        'description',
        'encryptedPassword',
        'minDiskGiB',
        'minRamGiB',
        'multiqueue',
        'onlineResize',
        'osType',
        'protected',
        'public',
        'virtualization',
      ].sort(),
    )
    expect(zh(FIELD_LABELS.virtualization)).toBe('虚拟化类型')
    expect(en(FIELD_LABELS.multiqueue)).toBe('NIC multiqueue')
  })

  it('values in plain words', () => {
    expect(fieldValue('osType', 'oraclelinux', en)).toBe('Oracle Linux')
    expect(fieldValue('architecture', 'arm', en)).toBe('Arm')
    expect(fieldValue('virtualization', 'baremetal', zh)).toBe('Baremetal')
    expect(fieldValue('agent', true, zh)).toBe('是')
    expect(fieldValue('multiqueue', false, en)).toBe('No')
    expect(fieldValue('onlineResize', undefined, en)).toBe('not set')
    expect(fieldValue('minRamGiB', 4, en)).toBe('4 GiB')
    expect(fieldValue('bootMode', 'uefi', en)).toBe('UEFI')
  })

  it('detail rows hide boot mode for QEMU images unless it is set', () => {
    const rows = consoleFieldRows({ minDiskGiB: 1, minRamGiB: 1, public: false, protected: false, virtualization: 'qemu' }, en)
    expect(rows.map((r) => r.key)).not.toContain('bootMode')
    const bm = consoleFieldRows({ minDiskGiB: 1, minRamGiB: 1, public: false, protected: false, virtualization: 'baremetal' }, en)
    expect(bm.map((r) => r.key)).toContain('bootMode')
  })

  it('detail rows: the unit once ("1 GiB" under "Min disk", not under "(GiB)"), public left to the visibility row (issue 14.8)', () => {
    const rows = consoleFieldRows({ minDiskGiB: 10, minRamGiB: 2, public: false, protected: true, virtualization: 'qemu' }, en, { omit: ['public'] })
    const disk = rows.find((r) => r.key === 'minDiskGiB')!
    expect(disk.value).toBe('10 GiB')
    expect(disk.label).not.toContain('GiB')
    expect(rows.find((r) => r.key === 'minRamGiB')!.label).not.toContain('GiB')
    expect(rows.map((r) => r.key)).not.toContain('public')
    expect(rows.filter((r) => r.key === 'protected')).toHaveLength(1)
  })

  it('status labels fall back to the raw status', () => {
    expect(statusLabel('active', zh)).toBe('可用')
    expect(statusLabel('weird', en)).toBe('weird')
  })

  it('tag suggestions: most used first', () => {
    expect(tagsInUse([image({ tags: ['b', 'a'] }), image({ tags: ['a'] }), image({ tags: ['c'] })])).toEqual(['a', 'b', 'c'])
  })
})

describe('columns', () => {
  it('defaults to the console’s columns and cleans a remembered choice', () => {
    expect(DEFAULT_COLUMNS).toEqual([
      'name',
      'status',
      'diskFormat',
      'osType',
      'architecture',
      'virtualization',
      'size',
      'visibility',
      'protected',
      'owner',
      'createdAt',
      'updatedAt',
    ])
    expect(normalizeColumns(['size', 'bogus', 'size', 'status'])).toEqual(['name', 'size', 'status'])
    expect(normalizeColumns('x')).toEqual(DEFAULT_COLUMNS)
    expect(normalizeColumns([])).toEqual(DEFAULT_COLUMNS)
  })

  it('export columns: the shown ones in canonical order, plus id', () => {
    expect(exportColumns(['size', 'name'])).toEqual(['name', 'size', 'id'])
  })

  it('cell text', () => {
    const im = image({
      size: 1536,
      fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false, osType: 'ubuntu', architecture: 'x86' },
      protected: true,
      minRam: 2048,
    })
    expect(cellText(im, 'size', en, 'en')).toBe('1.5 KiB')
    expect(cellText(im, 'osType', en, 'en')).toBe('Ubuntu')
    expect(cellText(im, 'architecture', en, 'en')).toBe('x86')
    expect(cellText(im, 'virtualization', en, 'en')).toBe('—')
    expect(cellText(im, 'protected', zh, 'zh-CN')).toBe('是')
    expect(cellText(im, 'visibility', zh, 'zh-CN')).toBe('私有')
    expect(cellText(im, 'minRam', en, 'en')).toBe('2 GiB')
  })
})
