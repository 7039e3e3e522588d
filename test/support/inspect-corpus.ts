/**
 * A corpus of disk images made at test time with the tools a user has (qemu-img, parted, mkisofs, xorriso, mkudffs;
 * test/cloud/install.sh installs them), plus in-place patches of their headers for what those tools refuse to
 * make (the unsafe variants). Each entry says what the inspector must conclude:
 *
 *   expect                         | meaning
 *   -------------------------------|----------------------------------------------------------------------
 *   { format }                     | accepted (no refusal) and detected as that format
 *   { refused: reason }            | refused with that reason code among its refusals (UNSAFE_FILE)
 *   { mismatch: true }             | FORMAT_MISMATCH for the declared format
 *
 * Used by test/main/transfers/inspect-corpus.test.ts (the inspector) and test/e2e/inspect-cli.test.ts (the built CLI).
 */
import { execFileSync } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync, appendFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DiskFormat } from '../../preload/api'

export interface CorpusEntry {
  name: string
  path: string
  declared?: DiskFormat
  expect: { format: string } | { refused: string } | { mismatch: true }
}

const MiB = 1024 * 1024

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: 'ignore' })
}
function qemu(...args: string[]): void {
  run('qemu-img', args)
}
function patch(path: string, pos: number, b: Buffer): void {
  const fd = openSync(path, 'r+')
  writeSync(fd, b, 0, b.length, pos)
  closeSync(fd)
}
function u32be(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
function u32le(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n)
  return b
}
/** Replaces text in a file with text of the same length (the layout stays). */
function replaceText(path: string, from: string, to: string): void {
  const s = readFileSync(path).toString('latin1')
  if (!s.includes(from)) throw new Error(`${path}: no ${from}`)
  writeFileSync(path, Buffer.from(s.replace(from, to.padEnd(from.length, ' ')), 'latin1'))
}

/** Builds the corpus in `dir`. */
export function buildCorpus(dir: string): CorpusEntry[] {
  mkdirSync(dir, { recursive: true })
  const out: CorpusEntry[] = []
  const p = (n: string): string => join(dir, n)
  const add = (name: string, expect: CorpusEntry['expect'], declared?: DiskFormat): string => {
    out.push({ name, path: p(name), expect, ...(declared ? { declared } : {}) })
    return p(name)
  }
  const files = p('iso-content')
  mkdirSync(files, { recursive: true })
  writeFileSync(join(files, 'readme.txt'), 'hello\n')

  // ---------------------------------------------------------------- qcow2
  qemu('create', '-f', 'qcow2', add('v3.qcow2', { format: 'qcow2' }), '1G')
  qemu('create', '-f', 'qcow2', '-o', 'compat=0.10', add('v2.qcow2', { format: 'qcow2' }), '1G')
  qemu('create', '-f', 'qcow2', '-o', 'compression_type=zstd', add('zstd.qcow2', { format: 'qcow2' }), '64M') // bit 3: known
  qemu('create', '-f', 'qcow2', p('base.qcow2'), '64M')
  qemu('create', '-f', 'qcow2', '-b', p('base.qcow2'), '-F', 'qcow2', add('backing.qcow2', { refused: 'qcow2BackingFile' }))
  qemu('create', '-f', 'qcow2', '-o', `data_file=${p('data.raw')}`, add('datafile.qcow2', { refused: 'qcow2DataFile' }), '64M')
  qemu('create', '-f', 'qcow2', '-o', 'extended_l2=on', add('extl2.qcow2', { refused: 'qcow2UnknownFeatures' }), '64M') // bit 4: oslo refuses
  qemu('create', '-f', 'qcow2', add('bit40.qcow2', { refused: 'qcow2UnknownFeatures' }), '64M')
  patch(p('bit40.qcow2'), 72, Buffer.from([0, 0, 0, 0x01, 0, 0, 0, 0])) // incompatible bit 32+8
  qemu('create', '-f', 'qcow2', add('version4.qcow2', { refused: 'qcow2Header' }), '64M')
  patch(p('version4.qcow2'), 4, u32be(4))
  qemu('create', '-f', 'qcow2', add('clusterbits.qcow2', { refused: 'qcow2Header' }), '64M')
  patch(p('clusterbits.qcow2'), 20, u32be(30))
  qemu('create', '-f', 'qcow2', add('hdrlen.qcow2', { refused: 'qcow2Header' }), '64M')
  patch(p('hdrlen.qcow2'), 100, u32be(80))
  qemu('create', '-f', 'qcow2', add('declared-raw.qcow2', { mismatch: true }, 'raw'), '64M')

  // ---------------------------------------------------------------- qed, luks
  qemu('create', '-f', 'qed', add('disk.qed', { refused: 'qed' }), '64M')
  const luksArgs = (file: string): string[] => ['create', '-f', 'luks', '--object', 'secret,id=s0,data=abc', '-o', 'key-secret=s0,iter-time=50', file, '16M']
  for (const [n, exp, decl] of [
    ['auto.luks', { refused: 'luks' }, undefined],
    ['declared.luks', { format: 'luks' }, 'raw'],
  ] as const) {
    const f = add(n, exp, decl)
    try {
      qemu(...luksArgs(f))
    } catch {
      qemu(...luksArgs(f)) // qemu-img's PBKDF timing now and then fails on a busy machine
    }
  }

  // ---------------------------------------------------------------- vmdk
  for (const sub of ['monolithicSparse', 'streamOptimized'])
    qemu('create', '-f', 'vmdk', '-o', `subformat=${sub}`, add(`${sub}.vmdk`, { format: 'vmdk' }), '1G')
  // streamOptimized with its header in a footer (gdOffset all ones), as a one-pass writer makes it
  const footer = (name: string, expect: CorpusEntry['expect'], breakFooter?: (foot: Buffer) => void): void => {
    const f = add(name, expect)
    qemu('create', '-f', 'vmdk', '-o', 'subformat=streamOptimized', f, '1G')
    const head = Buffer.from(readFileSync(f).subarray(0, 512))
    const foot = Buffer.from(head)
    breakFooter?.(foot)
    patch(f, 56, Buffer.from('ffffffffffffffff', 'hex'))
    const pad = (512 - (statSync(f).size % 512)) % 512
    const marker = Buffer.alloc(512)
    marker.writeBigUInt64LE(1n, 0)
    marker.writeUInt32LE(3, 12) // MARKER_FOOTER
    appendFileSync(f, Buffer.concat([Buffer.alloc(pad), marker, foot, Buffer.alloc(512)]))
  }
  footer('footer.vmdk', { format: 'vmdk' })
  footer('footer-version.vmdk', { refused: 'vmdkFooter' }, (b) => b.writeUInt32LE(7, 4))
  footer('footer-gd.vmdk', { refused: 'vmdkFooter' }, (b) => b.writeBigUInt64LE(0xffffffffffffffffn, 56))
  // the descriptor inside a sparse vmdk, rewritten in place
  const sparse = (name: string, expect: CorpusEntry['expect'], from: string, to: string): void => {
    const f = add(name, expect)
    qemu('create', '-f', 'vmdk', f, '64M')
    replaceText(f, from, to)
  }
  sparse('host-extent.vmdk', { refused: 'vmdkExtentFile' }, 'RW 131072 SPARSE "host-extent.vmdk"', 'RW 131072 FLAT "/etc/passwd" 0')
  sparse('other-extent.vmdk', { refused: 'vmdkExtentFile' }, 'RW 131072 SPARSE "other-extent.vmdk"', 'RW 131072 FLAT "other.img" 0')
  sparse('createtype.vmdk', { refused: 'vmdkCreateType' }, 'createType="monolithicSparse"', 'createType="vmfs"')
  sparse('parent.vmdk', { refused: 'vmdkParent' }, 'parentCID=ffffffff', 'parentCID=12345678')
  sparse('badline.vmdk', { refused: 'vmdkDescriptorLine' }, '# Extent description', 'include "/etc/pwd"')
  sparse('two-extents.vmdk', { refused: 'vmdkExtentCount' }, '# The Disk Data Base', 'RW 8 SPARSE "b.vmdk"')
  for (const [n, off, val] of [
    ['descoffset.vmdk', 28, 2n],
    ['descsize.vmdk', 36, 1n << 30n],
  ] as const) {
    const f = add(n, { refused: 'vmdkDescriptorBounds' })
    qemu('create', '-f', 'vmdk', f, '64M')
    const b = Buffer.alloc(8)
    b.writeBigUInt64LE(val)
    patch(f, off, b)
  }
  qemu('create', '-f', 'vmdk', add('version9.vmdk', { refused: 'vmdkHeader' }), '64M')
  patch(p('version9.vmdk'), 4, u32le(9))
  const cowd = add('vmdk3.vmdk', { refused: 'vmdkCowd' })
  writeFileSync(cowd, Buffer.concat([Buffer.from('COWD', 'latin1'), u32le(1), Buffer.alloc(MiB - 8)]))
  // descriptor files: qemu-img's, and the ones qemu's probe accepts that do not start with "# Disk DescriptorFile"
  const flatDir = p('flat')
  mkdirSync(flatDir, { recursive: true })
  qemu('create', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', join(flatDir, 'disk.vmdk'), '16M')
  out.push({ name: 'monolithicFlat descriptor', path: join(flatDir, 'disk.vmdk'), expect: { refused: 'vmdkDescriptorFile' } })
  writeFileSync(
    add('comment-first.vmdk', { refused: 'vmdkDescriptorFile' }),
    '# just a comment\n#another\nversion=1\ncreateType="monolithicFlat"\nRW 2048 FLAT "/etc/passwd" 0\n',
  )
  writeFileSync(add('blank-lines.vmdk', { refused: 'vmdkDescriptorFile' }), '   \n \r\nversion=2\r\nRW 2048 FLAT "/etc/hostname" 0\r\n')

  // ---------------------------------------------------------------- vhd, vhdx, vdi
  qemu('create', '-f', 'vpc', add('dynamic.vhd', { format: 'vhd' }), '1G')
  qemu('create', '-f', 'vpc', '-o', 'subformat=fixed', add('fixed.vhd', { format: 'vhd' }), '16M')
  qemu('create', '-f', 'vpc', add('diff.vhd', { refused: 'vhdDifferencing' }), '64M')
  for (const off of [60, statSync(p('diff.vhd')).size - 512 + 60]) patch(p('diff.vhd'), off, u32be(4))
  qemu('create', '-f', 'vhdx', add('disk.vhdx', { format: 'vhdx' }), '1G')
  qemu('create', '-f', 'vhdx', add('diff.vhdx', { refused: 'vhdxDifferencing' }), '64M')
  setVhdxHasParent(p('diff.vhdx'))
  qemu('create', '-f', 'vdi', add('disk.vdi', { format: 'vdi' }), '1G')
  qemu('create', '-f', 'vdi', add('diff.vdi', { refused: 'vdiDifferencing' }), '64M')
  patch(p('diff.vdi'), 0x4c, u32le(4))

  // ---------------------------------------------------------------- iso, udf
  run('mkisofs', ['-quiet', '-V', 'CORPUS', '-o', add('plain.iso', { format: 'iso' }), files])
  run('mkisofs', ['-quiet', '-udf', '-o', add('bridge.iso', { format: 'iso' }), files])
  const udf = add('only.udf', { format: 'iso' })
  writeFileSync(udf, Buffer.alloc(0))
  run('truncate', ['-s', '16M', udf])
  run('mkudffs', ['--media-type=hd', udf])
  const part = p('part.img')
  run('truncate', ['-s', '1M', part])
  run('xorriso', ['-as', 'mkisofs', '-quiet', '-append_partition', '2', '0x83', part, '-o', add('hybrid-mbr.iso', { format: 'iso' }), files])
  run('xorriso', [
    '-as',
    'mkisofs',
    '-quiet',
    '-append_partition',
    '2',
    '0x83',
    part,
    '-appended_part_as_gpt',
    '-o',
    add('hybrid-gpt.iso', { format: 'iso' }),
    files,
  ])

  // ---------------------------------------------------------------- raw: gpt, mbr
  const disk = (name: string, label: 'gpt' | 'msdos', expect: CorpusEntry['expect']): string => {
    const f = add(name, expect)
    run('truncate', ['-s', '64M', f])
    run('parted', ['-s', f, 'mklabel', label, 'mkpart', 'primary', '1MiB', '32MiB'])
    return f
  }
  disk('gpt.raw', 'gpt', { format: 'raw' })
  disk('mbr.raw', 'msdos', { format: 'raw' })
  patch(disk('bootflag.raw', 'msdos', { refused: 'mbrBootFlag' }), 446, Buffer.from([0x01]))
  const extra = disk('gpt-extra.raw', 'gpt', { refused: 'gptExtraPartitions' })
  const entry = Buffer.alloc(16)
  entry[4] = 0x83
  entry.writeUInt32LE(2048, 8)
  entry.writeUInt32LE(2048, 12)
  patch(extra, 446 + 16, entry)
  patch(disk('gpt-noheader.raw', 'gpt', { refused: 'gptHeader' }), 512, Buffer.alloc(512))
  run('truncate', ['-s', '8M', add('empty.raw', { format: 'raw' })])
  run('truncate', ['-s', '64M', add('declared-qcow2.raw', { mismatch: true }, 'qcow2')])

  // ---------------------------------------------------------------- polyglots
  const poly1 = add('qcow2+vhd.img', { refused: 'polyglot' })
  qemu('create', '-f', 'qcow2', poly1, '64M')
  const vhdFoot = readFileSync(p('fixed.vhd')).subarray(-512)
  appendFileSync(poly1, vhdFoot)
  const poly2 = add('iso+qcow2.img', { refused: 'polyglot' })
  run('mkisofs', ['-quiet', '-o', poly2, files])
  patch(poly2, 0, readFileSync(p('v3.qcow2')).subarray(0, 512))
  const poly3 = add('vdi+iso.img', { refused: 'polyglot' })
  run('mkisofs', ['-quiet', '-o', poly3, files])
  patch(poly3, 0, readFileSync(p('disk.vdi')).subarray(0, 512))
  return out
}

/** Sets HasParent in a vhdx's file parameters (the metadata item qemu-img writes), as a differencing disk has it. */
function setVhdxHasParent(path: string): void {
  const b = readFileSync(path)
  const guid = Buffer.from('3767a1ca36fa434db3b633f0aa44e76b', 'hex') // CAA16737-FA36-4D43-B3B6-33F0AA44E76B on disk
  const regionTable = 192 * 1024
  const meta = Number(b.readBigUInt64LE(regionTable + 16 + 16)) // the first entry is BAT or metadata: find metadata
  let metaOffset = meta
  for (let i = 0; i < b.readUInt32LE(regionTable + 8); i++) {
    const e = regionTable + 16 + i * 32
    if (b.subarray(e, e + 16).equals(Buffer.from('06a27c8b90479a4bb8fe575f050f886e', 'hex'))) metaOffset = Number(b.readBigUInt64LE(e + 16))
  }
  const n = b.readUInt16LE(metaOffset + 10)
  for (let i = 0; i < n; i++) {
    const e = metaOffset + 32 + i * 32
    if (b.subarray(e, e + 16).equals(guid)) {
      const off = metaOffset + b.readUInt32LE(e + 16)
      patch(path, off + 4, u32le(b.readUInt32LE(off + 4) | 2))
      return
    }
  }
  throw new Error('no file parameters item')
}
