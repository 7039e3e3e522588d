import { describe, expect, it } from 'vitest'
import { bytesToGiBCeil, formatBytes, formatDuration, formatSpeed, percent, safeFileName } from '@/lib/format'

describe('formatBytes (binary units, Intl.NumberFormat in the UI locale)', () => {
  const MiB = 1024 ** 2
  // Whole numbers keep their zeros: "100 MiB" was shown as "1 MiB" and 560 MiB as "56 MiB".
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [10, '10 B'],
    [100, '100 B'],
    [1000, '1,000 B'],
    [1023, '1,023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024, '10 KiB'],
    [100 * 1024, '100 KiB'],
    [10 * MiB, '10 MiB'],
    [100 * MiB, '100 MiB'],
    [560 * MiB, '560 MiB'],
    [1000 * MiB, '1,000 MiB'],
    [1023.9 * MiB, '1 GiB'],
    [1.25 * 1024 ** 3, '1.25 GiB'],
    [10.5 * 1024 ** 3, '10.5 GiB'],
    [123.4 * 1024 ** 3, '123 GiB'],
    [2 * 1024 ** 4, '2 TiB'],
  ])('en: %d -> %s', (n, s) => {
    expect(formatBytes(n)).toBe(s)
    expect(formatBytes(n, 'en')).toBe(s)
  })
  it.each([
    [0, '0 B'],
    [100, '100 B'],
    [1000, '1,000 B'],
    [1023, '1,023 B'],
    [1024, '1 KiB'],
    [100 * MiB, '100 MiB'],
    [560 * MiB, '560 MiB'],
    [1.25 * 1024 ** 3, '1.25 GiB'],
  ])('zh-CN: %d -> %s', (n, s) => expect(formatBytes(n, 'zh-CN')).toBe(s))
  it('a locale with a decimal comma uses it', () => {
    expect(formatBytes(1536, 'de')).toBe('1,5 KiB')
    expect(formatBytes(100 * MiB, 'de')).toBe('100 MiB')
  })
  it('unknown sizes are a dash (or the given text)', () => {
    expect(formatBytes(null)).toBe('—')
    expect(formatBytes(undefined, 'en', 'n/a')).toBe('n/a')
    expect(formatBytes(-1)).toBe('—')
    expect(formatBytes(Number.NaN, 'zh-CN')).toBe('—')
  })
  it('a speed is a size per second', () => {
    expect(formatSpeed(560 * MiB, 'en')).toBe('560 MiB/s')
    expect(formatSpeed(100 * MiB, 'zh-CN')).toBe('100 MiB/s')
    expect(formatSpeed(undefined, 'en')).toBe('—')
  })
})

describe('formatDuration', () => {
  it('formats seconds, minutes, hours; unknown as a dash', () => {
    expect(formatDuration(42)).toBe('42s')
    expect(formatDuration(185)).toBe('3m 05s')
    expect(formatDuration(3720)).toBe('1h 02m')
    expect(formatDuration(undefined)).toBe('—')
  })
})

describe('sizes for volumes and progress', () => {
  it('bytesToGiBCeil rounds up to whole GiB, at least 1, 0 when unknown', () => {
    expect(bytesToGiBCeil(1)).toBe(1)
    expect(bytesToGiBCeil(1024 ** 3)).toBe(1)
    expect(bytesToGiBCeil(1024 ** 3 + 1)).toBe(2)
    expect(bytesToGiBCeil(null)).toBe(0)
  })
  it('percent is undefined without a total', () => {
    expect(percent(50, 200)).toBe(25)
    expect(percent(50, undefined)).toBeUndefined()
  })
})

describe('safeFileName', () => {
  it('removes path separators and adds the format extension', () => {
    expect(safeFileName('../../etc/passwd', 'raw')).toBe('_.._etc_passwd.img')
    expect(safeFileName('ubuntu 22.04', 'qcow2')).toBe('ubuntu 22.04.qcow2')
    expect(safeFileName('disk.qcow2', 'qcow2')).toBe('disk.qcow2')
    expect(safeFileName('a:b*c?', null)).toBe('a_b_c_')
    expect(safeFileName('', 'iso', 'abc')).toBe('abc.iso')
    expect(safeFileName('CON', null, 'img-1')).toBe('img-1')
  })
})
