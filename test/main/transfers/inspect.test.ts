import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../preload/api'
import { assertUploadable, inspectFile } from '../../../main/transfers/inspect'
import { describeNeeds } from '../../support/needs'

const QEMU = existsSync('/usr/bin/qemu-img') ? '/usr/bin/qemu-img' : null
const MiB = 1024 * 1024
let dir: string

function qemu(...args: string[]): void {
  execFileSync(QEMU!, args, { stdio: 'ignore' })
}
async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    return (e as AppError).code
  }
}

/** A raw file with bytes written at given offsets (sparse elsewhere). */
function rawWith(name: string, size: number, patches: [number, Buffer][]): string {
  const p = join(dir, name)
  const fd = openSync(p, 'w')
  writeSync(fd, Buffer.alloc(1), 0, 1, size - 1)
  for (const [off, b] of patches) writeSync(fd, b, 0, b.length, off)
  closeSync(fd)
  return p
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inspect-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Under REQUIRE_CLOUD=1 a missing qemu-img fails this suite instead of skipping it (test/support/needs.ts).
describeNeeds('inspectFile: formats made by qemu-img', QEMU ? null : 'qemu-img is missing (/usr/bin/qemu-img, Debian qemu-utils)', () => {
  it('qcow2 v3: version, virtual size, min_disk, no backing file', async () => {
    const p = join(dir, 'a.qcow2')
    qemu('create', '-f', 'qcow2', p, '3G')
    const r = await inspectFile(p, 'auto')
    expect(r.format).toBe('qcow2')
    expect(r.proposedDiskFormat).toBe('qcow2')
    expect(r.virtualSize).toBe(3 * 1024 ** 3)
    expect(r.proposedMinDiskGiB).toBe(3)
    expect(r.details.version).toBe(3)
    expect(r.details.backingFile).toBeNull()
    expect(r.unsafe).toEqual([])
    expect(() => assertUploadable(p, r)).not.toThrow()
    expect((await inspectFile(p, 'qcow2')).proposedDiskFormat).toBe('qcow2')
  })

  it('qcow2 v2 (compat=0.10), virtual size rounds min_disk up', async () => {
    const p = join(dir, 'v2.qcow2')
    qemu('create', '-f', 'qcow2', '-o', 'compat=0.10', p, `${1024 + 1}M`)
    const r = await inspectFile(p, 'auto')
    expect(r.details.version).toBe(2)
    expect(r.proposedMinDiskGiB).toBe(2)
  })

  it('qcow2 with a backing file is unsafe, and says why', async () => {
    const base = join(dir, 'base.qcow2')
    const child = join(dir, 'child.qcow2')
    qemu('create', '-f', 'qcow2', base, '64M')
    qemu('create', '-f', 'qcow2', '-b', base, '-F', 'qcow2', child)
    const r = await inspectFile(child, 'auto')
    expect(r.details.backingFile).toBe(base)
    expect(r.details.backingFormat).toBe('qcow2')
    expect(r.unsafe.join(' ')).toMatch(/backing file/)
    let err: unknown
    try {
      assertUploadable(child, r)
    } catch (e) {
      err = e
    }
    expect(AppError.is(err, 'UNSAFE_FILE')).toBe(true)
    expect((err as AppError).message).toMatch(/backing file/)
  })

  it('qcow2 with an external data file is unsafe (feature bit + header extension)', async () => {
    const p = join(dir, 'df.qcow2')
    qemu('create', '-f', 'qcow2', '-o', `data_file=${join(dir, 'df.raw')}`, p, '64M')
    const r = await inspectFile(p, 'auto')
    expect(r.details.dataFile).toBe(join(dir, 'df.raw'))
    expect(r.unsafe.join(' ')).toMatch(/external data file/)
  })

  it('encrypted qcow2 (luks) is reported', async () => {
    const p = join(dir, 'enc.qcow2')
    // qemu-img times its PBKDF on the CPU clock and now and then fails with "Unable to get accurate CPU usage" on a
    // short iter-time: give it a measurable time and a second chance.
    const args = [
      'create',
      '-f',
      'qcow2',
      '--object',
      'secret,id=s0,data=abc',
      '-o',
      'encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=200',
      p,
      '16M',
    ]
    try {
      qemu(...args)
    } catch {
      qemu(...args)
    }
    const r = await inspectFile(p, 'auto')
    expect(r.details.encryption).toBe('luks')
    expect(r.warnings.join(' ')).toMatch(/encrypted/)
  }, 30_000)

  it('vmdk monolithicSparse and streamOptimized are safe; createType reported', async () => {
    for (const sub of ['monolithicSparse', 'streamOptimized']) {
      const p = join(dir, `${sub}.vmdk`)
      qemu('create', '-f', 'vmdk', '-o', `subformat=${sub}`, p, '2G')
      const r = await inspectFile(p, 'auto')
      expect(r.format).toBe('vmdk')
      expect(r.details.createType).toBe(sub)
      expect(r.virtualSize).toBe(2 * 1024 ** 3)
      expect(r.unsafe).toEqual([])
    }
  })

  it.each(['monolithicFlat', 'twoGbMaxExtentSparse', 'twoGbMaxExtentFlat'])('vmdk %s (descriptor + extent files) is unsafe', async (sub) => {
    const d = join(dir, sub)
    mkdirSync(d)
    const p = join(d, 'disk.vmdk')
    qemu('create', '-f', 'vmdk', '-o', `subformat=${sub}`, p, '16M')
    const r = await inspectFile(p, 'auto')
    expect(r.format).toBe('vmdk')
    expect(r.details.createType).toBe(sub)
    expect(r.unsafe.length).toBeGreaterThan(0)
    expect(r.unsafe.join(' ')).toMatch(/descriptor|other files|references/)
  })

  it('sparse vmdk whose embedded descriptor says monolithicFlat is unsafe', async () => {
    const p = join(dir, 'forged.vmdk')
    qemu('create', '-f', 'vmdk', p, '16M')
    // rewrite the embedded descriptor's createType and extent type in place (same length)
    const buf = execFileSync('cat', [p])
    const s = buf.toString('latin1')
    const patched = s
      .replace('createType="monolithicSparse"', 'createType="monolithicFlat"  ')
      .replace(/RW (\d+) SPARSE "forged.vmdk"/, 'RW $1 FLAT   "other.img"  ')
    writeFileSync(p, Buffer.from(patched, 'latin1'))
    const r = await inspectFile(p, 'auto')
    expect(r.details.createType).toBe('monolithicFlat')
    expect(r.unsafe.join(' ')).toMatch(/createType is "monolithicFlat"/)
    expect(r.issues?.unsafe).toContainEqual({ reason: 'vmdkExtentFile', params: { file: '"other.img"', type: 'FLAT' } })
  })

  it('vhd (vpc dynamic and fixed), vhdx, vdi: virtual sizes', async () => {
    const vpc = join(dir, 'a.vhd')
    qemu('create', '-f', 'vpc', vpc, '1G')
    let r = await inspectFile(vpc, 'auto')
    expect(r.format).toBe('vhd')
    expect(r.details.diskType).toBe('dynamic')
    expect(r.virtualSize).toBeGreaterThan(1000 * MiB) // CHS rounding
    const fixed = join(dir, 'fixed.vhd')
    qemu('create', '-f', 'vpc', '-o', 'subformat=fixed', fixed, '8M')
    r = await inspectFile(fixed, 'vhd')
    expect(r.details.diskType).toBe('fixed')
    const vhdx = join(dir, 'a.vhdx')
    qemu('create', '-f', 'vhdx', vhdx, '5G')
    r = await inspectFile(vhdx, 'auto')
    expect(r.format).toBe('vhdx')
    expect(r.virtualSize).toBe(5 * 1024 ** 3)
    expect(r.proposedMinDiskGiB).toBe(5)
    const vdi = join(dir, 'a.vdi')
    qemu('create', '-f', 'vdi', vdi, '3G')
    r = await inspectFile(vdi, 'auto')
    expect(r.format).toBe('vdi')
    expect(r.virtualSize).toBe(3 * 1024 ** 3)
    expect(r.details.imageType).toBe('dynamic')
  })

  it('raw from qemu-img: no partition table, a warning, virtual size = size', async () => {
    const p = join(dir, 'a.raw')
    qemu('create', '-f', 'raw', p, '10M')
    const r = await inspectFile(p, 'auto')
    expect(r.format).toBe('raw')
    expect(r.virtualSize).toBe(10 * MiB)
    expect(r.proposedMinDiskGiB).toBe(1)
    expect(r.details.partitionTable).toBe('none')
  })

  it('a declared format that contradicts the file is FORMAT_MISMATCH', async () => {
    const q = join(dir, 'mm.qcow2')
    qemu('create', '-f', 'qcow2', q, '16M')
    expect(await code(inspectFile(q, 'raw'))).toBe('FORMAT_MISMATCH')
    expect(await code(inspectFile(q, 'iso'))).toBe('FORMAT_MISMATCH')
    const raw = join(dir, 'mm.raw')
    qemu('create', '-f', 'raw', raw, '1M')
    expect(await code(inspectFile(raw, 'qcow2'))).toBe('FORMAT_MISMATCH')
    expect(await code(inspectFile(raw, 'vmdk'))).toBe('FORMAT_MISMATCH')
    try {
      await inspectFile(raw, 'qcow2')
    } catch (e) {
      expect((e as AppError).message).toMatch(/is a raw file, not qcow2/)
    }
  })
})

describe('inspectFile: hand-built headers', () => {
  it('ISO 9660 (CD001 at 0x8001)', async () => {
    const pvd = Buffer.alloc(2048)
    pvd[0] = 1
    pvd.write('CD001', 1, 'latin1')
    pvd.write('MYVOLUME'.padEnd(32), 40, 'latin1')
    pvd.writeUInt32LE(64, 0x50)
    const p = rawWith('a.iso', 64 * 2048, [[0x8000, pvd]])
    const r = await inspectFile(p, 'auto')
    expect(r.format).toBe('iso')
    expect(r.proposedDiskFormat).toBe('iso')
    expect(r.details.volumeId).toBe('MYVOLUME')
    expect((await inspectFile(p, 'iso')).unsafe).toEqual([])
    // an ISO is raw bytes: declaring raw is allowed with a warning
    expect((await inspectFile(p, 'raw')).warnings.join(' ')).toMatch(/detected iso/)
    expect(await code(inspectFile(p, 'qcow2'))).toBe('FORMAT_MISMATCH')
  })

  it('raw with a GPT / an MBR partition table', async () => {
    const mbr = Buffer.alloc(512)
    mbr.writeUInt16LE(0xaa55, 510)
    const protective = Buffer.from(mbr)
    protective[446 + 4] = 0xee
    protective.writeUInt32LE(1, 446 + 8)
    protective.writeUInt32LE(4 * 2048 - 1, 446 + 12)
    const hdr = Buffer.alloc(92)
    hdr.write('EFI PART', 0, 'latin1')
    hdr.writeUInt32LE(92, 12)
    hdr.writeBigUInt64LE(1n, 24)
    const gpt = rawWith('gpt.raw', 4 * MiB, [
      [0, protective],
      [512, hdr],
    ])
    expect((await inspectFile(gpt, 'auto')).details.partitionTable).toBe('gpt')
    const withPart = Buffer.from(mbr)
    withPart[446 + 4] = 0x83
    const m = rawWith('mbr.raw', 4 * MiB, [[0, withPart]])
    const r = await inspectFile(m, 'raw')
    expect(r.details.partitionTable).toBe('mbr')
    expect(r.details.partitions).toBe(1)
    expect(r.warnings).toEqual([])
    const isoDeclared = await code(inspectFile(m, 'iso'))
    expect(isoDeclared).toBe('FORMAT_MISMATCH')
  })

  it('differencing vhd (footer type 4) is unsafe', async () => {
    const footer = Buffer.alloc(512)
    footer.write('conectix', 0, 'latin1')
    footer.writeBigUInt64BE(BigInt(8 * MiB), 48)
    footer.writeUInt32BE(4, 60)
    const p = rawWith('diff.vhd', 8 * MiB + 512, [[8 * MiB, footer]])
    const r = await inspectFile(p, 'auto')
    expect(r.format).toBe('vhd')
    expect(r.details.diskType).toBe('differencing')
    expect(r.unsafe.join(' ')).toMatch(/parent/)
  })

  it('a qcow2 header with an unsupported version is refused', async () => {
    const h = Buffer.alloc(104)
    h.writeUInt32BE(0x514649fb, 0)
    h.writeUInt32BE(1, 4)
    const p = rawWith('v1.qcow', 4096, [[0, h]])
    expect((await inspectFile(p, 'auto')).unsafe.join(' ')).toMatch(/version = 1/)
  })

  it('file errors: missing, empty, folder, unreadable, symlink loop', async () => {
    expect(await code(inspectFile(join(dir, 'nope'), 'auto'))).toBe('FILE')
    const empty = join(dir, 'empty.img')
    writeFileSync(empty, '')
    await expect(inspectFile(empty, 'auto')).rejects.toThrow(/empty/)
    await expect(inspectFile(dir, 'auto')).rejects.toThrow(/folder/)
    const a = join(dir, 'loop-a')
    const b = join(dir, 'loop-b')
    symlinkSync(b, a)
    symlinkSync(a, b)
    await expect(inspectFile(a, 'auto')).rejects.toThrow(/symbolic link loop/)
    const locked = join(dir, 'locked.img')
    writeFileSync(locked, 'x'.repeat(1024))
    chmodSync(locked, 0o000)
    if (process.getuid?.() !== 0) {
      await expect(inspectFile(locked, 'auto')).rejects.toThrow(/permission denied/)
    }
  })

  it('constant work: a 64 GiB sparse raw file inspects in milliseconds', async () => {
    const p = rawWith('huge.raw', 64 * 1024 ** 3, [])
    const t = performance.now()
    const r = await inspectFile(p, 'auto')
    expect(performance.now() - t).toBeLessThan(200)
    expect(r.proposedMinDiskGiB).toBe(64)
  })
})
