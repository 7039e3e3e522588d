import { describe, expect, it } from 'vitest'
import { bytesToGiBCeil, formatBytes, formatDuration, percent, safeFileName } from '@/lib/format'

describe('formatBytes (binary units)', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024 ** 2, '10 MiB'],
    [1.25 * 1024 ** 3, '1.25 GiB'],
    [123.4 * 1024 ** 3, '123 GiB'],
    [2 * 1024 ** 4, '2 TiB'],
  ])('%d -> %s', (n, s) => expect(formatBytes(n)).toBe(s))
  it('unknown sizes are a dash', () => {
    expect(formatBytes(null)).toBe('—')
    expect(formatBytes(undefined, 'n/a')).toBe('n/a')
    expect(formatBytes(-1)).toBe('—')
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
