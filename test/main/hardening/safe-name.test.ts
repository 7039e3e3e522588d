import { describe, expect, it } from 'vitest'
import { MAX_NAME_BYTES, safeFileName } from '../../../main/files/safe-name'

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8')
/** What every result must satisfy, whatever the input. */
function assertSafe(name: string): void {
  expect(name.length).toBeGreaterThan(0)
  expect(bytes(name)).toBeLessThanOrEqual(MAX_NAME_BYTES)
  expect(name).not.toMatch(/[/\\<>:"|?*]/)
  // eslint-disable-next-line no-control-regex -- the point
  expect(name).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
  expect(name).not.toMatch(/^\.|[.\s]$/)
  expect(name).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i)
  expect(name).not.toContain('\ufffd')
}

describe('safeFileName', () => {
  it.each([
    ['ubuntu-22.04', 'qcow2', 'ubuntu-22.04.qcow2'],
    ['a/b\\c', undefined, 'a_b_c'],
    ['../../etc/passwd', undefined, '_.._etc_passwd'],
    ['..', undefined, 'image'],
    ['.', 'raw', 'image.raw'],
    ['...', undefined, 'image'],
    ['', undefined, 'image'],
    ['   ', 'iso', 'image.iso'],
    ['.hidden', undefined, 'hidden'],
    ['name. . ', undefined, 'name'],
    ['a<b>c:d"e|f?g*h', undefined, 'a_b_c_d_e_f_g_h'],
    ['line\nbreak\ttab\u0000nul\u001b[31m', undefined, 'linebreaktabnul[31m'],
    ['bidi\u202eexe.txt', undefined, 'bidiexe.txt'],
    ['CON', undefined, 'CON_'],
    ['con', 'qcow2', 'con_.qcow2'],
    ['nul.txt', undefined, 'nul_.txt'],
    ['Com1', undefined, 'Com1_'],
    ['LPT9.tar.gz', undefined, 'LPT9_.tar.gz'],
    ['aux ', 'img', 'aux_.img'],
    ['console', undefined, 'console'],
    ['disk.qcow2', 'qcow2', 'disk.qcow2'],
    ['镜像 Ubuntu', 'qcow2', '镜像 Ubuntu.qcow2'],
  ])('%j (%s) -> %j', (input, ext, expected) => {
    const out = safeFileName(input, ext)
    expect(out).toBe(expected)
    assertSafe(out)
  })

  it('caps the length at 200 UTF-8 bytes without splitting a character, keeping the extension', () => {
    for (const unit of ['a', 'é', '镜', '😀', 'e\u0301']) {
      const out = safeFileName(unit.repeat(300), 'qcow2')
      assertSafe(out)
      expect(out.endsWith('.qcow2')).toBe(true)
      expect(bytes(out)).toBeGreaterThan(MAX_NAME_BYTES - 8)
      // Round-trips through UTF-8: no half character.
      expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out)
      expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
    }
    expect(bytes(safeFileName('x'.repeat(300)))).toBe(MAX_NAME_BYTES)
  })

  it('sanitizes the extension too', () => {
    expect(safeFileName('disk', '../x')).toBe('disk._x')
    expect(safeFileName('disk', '...')).toBe('disk')
    expect(safeFileName('disk', '.qcow2')).toBe('disk.qcow2')
  })

  it('never returns an unsafe name for arbitrary input', () => {
    const alphabet = ['a', '.', ' ', '/', '\\', ':', '*', '\u0000', '\n', 'é', '😀', 'CON', 'nul', '..', '\u202e', '\u00a0']
    let seed = 7
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    for (let i = 0; i < 2000; i++) {
      let s = ''
      for (let j = rnd(80); j > 0; j--) s += alphabet[rnd(alphabet.length)]
      assertSafe(safeFileName(s, rnd(2) ? 'qcow2' : undefined))
    }
    assertSafe(safeFileName(undefined))
    assertSafe(safeFileName(42))
  })
})
