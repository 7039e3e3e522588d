/**
 * The inspector over a corpus generated at test time (test/support/inspect-corpus.ts: qemu-img, parted, mkisofs,
 * xorriso, mkudffs, and header patches for the unsafe variants): every safe image accepted with its format, every
 * unsafe one refused with the reason of the check that catches it (remove a check and its entry fails). Then the
 * same verdict from the streamed bytes (StreamCapture), and a 64 GiB sparse file inspected by reading a few small regions.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, closeSync, readSync, rmSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../preload/api'
import { inspectionText, INSPECTION_WORDS } from '../../../preload/rules/inspection'
import { assertUploadable, inspectFile, inspectHandle, inspectSource, verdictOf } from '../../../main/transfers/inspect'
import { NotCaptured, StreamCapture } from '../../../main/transfers/inspect/source'
import { buildCorpus, type CorpusEntry } from '../../support/inspect-corpus'
import { describeNeeds } from '../../support/needs'

let dir: string
let corpus: CorpusEntry[] = []

/** The tools test/support/inspect-corpus.ts runs; a missing one fails the suite under REQUIRE_CLOUD=1, else skips it. */
const TOOLS: Record<string, string> = { 'qemu-img': 'qemu-utils', parted: 'parted', mkisofs: 'genisoimage', xorriso: 'xorriso', mkudffs: 'udftools' }
const onPath = (tool: string): boolean => (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, tool)))
const missing = Object.keys(TOOLS).filter((t) => !onPath(t))
const problem = missing.length ? `missing on PATH: ${missing.map((t) => `${t} (Debian ${TOOLS[t]})`).join(', ')}` : null

describeNeeds('the inspector over a generated corpus', problem, () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inspect-corpus-'))
    corpus = buildCorpus(dir)
  }, 120_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  async function verdict(e: CorpusEntry): Promise<{ format?: string; refused?: string[]; mismatch?: boolean }> {
    try {
      const r = await inspectFile(e.path, e.declared ?? 'auto')
      return { format: r.format, refused: (r.issues?.unsafe ?? []).map((i) => i.reason) }
    } catch (err) {
      if (AppError.is(err, 'FORMAT_MISMATCH')) return { mismatch: true }
      throw err
    }
  }

  describe('the inspection corpus', () => {
    it('has safe and unsafe variants (built by the tools)', () => {
      expect(corpus.filter((e) => 'format' in e.expect).length).toBeGreaterThan(15)
      expect(corpus.filter((e) => 'refused' in e.expect).length).toBeGreaterThan(25)
    })

    it('every entry gets its verdict: safe ones their format and no refusal, unsafe ones the reason of their check', async () => {
      const got: string[] = []
      const want: string[] = []
      for (const e of corpus) {
        const v = await verdict(e)
        want.push(`${e.name}: ${JSON.stringify(e.expect)}`)
        if ('format' in e.expect) got.push(`${e.name}: ${JSON.stringify(v.format === e.expect.format && !v.refused?.length ? e.expect : v)}`)
        else if ('refused' in e.expect) got.push(`${e.name}: ${JSON.stringify(v.refused?.includes(e.expect.refused) ? e.expect : v)}`)
        else got.push(`${e.name}: ${JSON.stringify(v.mismatch ? e.expect : v)}`)
      }
      expect(got).toEqual(want)
    }, 60_000)

    it('every refusal is worded in English and Chinese, naming what was found and the fixing command', async () => {
      const e = corpus.find((x) => x.name === 'host-extent.vmdk')!
      const r = await inspectFile(e.path, 'auto')
      const issue = r.issues!.unsafe.find((i) => i.reason === 'vmdkExtentFile')!
      expect(inspectionText(issue, 'en')).toMatch(/\/etc\/passwd.*FLAT.*qemu-img convert/)
      expect(inspectionText(issue, 'zh-CN')).toMatch(/\/etc\/passwd.*FLAT.*qemu-img convert/)
      expect(inspectionText(issue, 'zh-CN')).toMatch(/镜像之外/)
      let err: unknown
      try {
        assertUploadable(e.path, r)
      } catch (x) {
        err = x
      }
      expect(AppError.is(err, 'UNSAFE_FILE')).toBe(true)
      expect((err as AppError).details).toMatchObject({ reason: 'vmdkExtentFile', params: { file: '"/etc/passwd"', type: 'FLAT' } })
      // every reason has both words, and every {param} of the English is in the Chinese
      for (const [reason, [en, zh]] of Object.entries(INSPECTION_WORDS)) {
        const ps = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort()
        expect(ps(zh), reason).toEqual(ps(en))
        expect(zh, reason).toMatch(/[\u4e00-\u9fff]/)
      }
    })

    it('the polyglot refusal names every format found; an ISO hybrid with MBR or GPT is not a polyglot', async () => {
      const r = await inspectFile(corpus.find((x) => x.name === 'qcow2+vhd.img')!.path, 'auto')
      expect(r.issues!.unsafe.find((i) => i.reason === 'polyglot')?.params.formats).toBe('qcow2, vhd')
      for (const n of ['hybrid-mbr.iso', 'hybrid-gpt.iso']) {
        const h = await inspectFile(corpus.find((x) => x.name === n)!.path, 'auto')
        expect(h.format).toBe('iso')
        expect(h.details.hybrid).toBe(n.includes('gpt') ? 'gpt' : 'mbr')
      }
      const udf = await inspectFile(corpus.find((x) => x.name === 'only.udf')!.path, 'auto')
      expect(udf.details.filesystem).toBe('udf')
    })
  })

  /** Streams a file in `chunk`-byte pieces through a StreamCapture of `regions`, optionally changing the bytes. */
  function stream(path: string, size: number, capture: StreamCapture, chunk: number, change?: (pos: number, b: Buffer) => void): void {
    const fd = openSync(path, 'r')
    const buf = Buffer.alloc(chunk)
    for (let pos = 0; pos < size; pos += chunk) {
      const n = readSync(fd, buf, 0, Math.min(chunk, size - pos), pos)
      const part = buf.subarray(0, n)
      change?.(pos, part)
      capture.feed(pos, part)
    }
    closeSync(fd)
  }

  describe('the verdict on the streamed bytes (what the upload runs before its last part)', () => {
    it('equals the file verdict for every corpus entry, whatever the chunk size, keeping only small regions', async () => {
      for (const e of corpus) {
        if ('mismatch' in e.expect) continue
        const fh = await open(e.path, 'r')
        const size = (await fh.stat()).size
        const { report, regions } = await inspectHandle(fh, size, e.declared ?? 'auto')
        await fh.close()
        for (const chunk of [4096 + 17, 4 * 1024 * 1024]) {
          const cap = new StreamCapture(regions, size)
          stream(e.path, size, cap, chunk)
          expect(cap.bytes, e.name).toBeLessThanOrEqual(1.2 * 1024 * 1024)
          const streamed = await inspectSource(cap, e.declared ?? 'auto')
          expect(verdictOf(streamed), `${e.name} / ${chunk}`).toBe(verdictOf(report))
        }
      }
    }, 60_000)

    it('differs when the streamed bytes differ from the file: a changed header, or a layout that needs other regions', async () => {
      const raw = corpus.find((x) => x.name === 'mbr.raw')!
      const fh = await open(raw.path, 'r')
      const size = (await fh.stat()).size
      const { report, regions } = await inspectHandle(fh, size, 'auto')
      await fh.close()
      // a VHD footer in the streamed tail: another verdict
      const cap = new StreamCapture(regions, size)
      stream(raw.path, size, cap, 1024 * 1024, (pos, b) => {
        if (pos + b.length === size) b.write('conectix', b.length - 512, 'latin1')
      })
      expect(verdictOf(await inspectSource(cap, 'auto'))).not.toBe(verdictOf(report))
      // a qcow2 header streamed instead of the MBR: the inspector wants regions the file did not need
      const q = corpus.find((x) => x.name === 'backing.qcow2')!
      const head = Buffer.alloc(4096)
      const qfd = openSync(q.path, 'r')
      readSync(qfd, head, 0, 4096, 0)
      closeSync(qfd)
      const cap2 = new StreamCapture(regions, size)
      stream(raw.path, size, cap2, 1024 * 1024, (pos, b) => {
        if (pos === 0) head.copy(b, 0, 0, 4096)
      })
      const second = await inspectSource(cap2, 'auto').then(
        (r) => verdictOf(r),
        (e: unknown) => (e instanceof NotCaptured ? 'not captured' : String(e)),
      )
      expect(second).not.toBe(verdictOf(report))
    })
  })

  describe('bounded reads', () => {
    it('a 64 GiB sparse file (raw, and a qcow2 of 64 GiB) is inspected reading a few small regions, not the file', async () => {
      const big = join(dir, 'sparse-64g.raw')
      const fd = openSync(big, 'w')
      writeSync(fd, Buffer.from([0]), 0, 1, 64 * 1024 ** 3 - 1)
      closeSync(fd)
      const q = join(dir, 'big.qcow2')
      execFileSync('qemu-img', ['create', '-f', 'qcow2', q, '64G'], { stdio: 'ignore' })
      for (const [p, format] of [
        [big, 'raw'],
        [q, 'qcow2'],
      ] as const) {
        await inspectFile(p, 'auto') // warm
        const t0 = performance.now()
        const r = await inspectFile(p, 'auto')
        const ms = performance.now() - t0
        expect(r.format).toBe(format)
        expect(r.virtualSize).toBe(64 * 1024 ** 3)
        // The real property is the bytes read (below): a handful of small regions whatever the size. The wall-clock bound
        // only catches a full read of 64 GiB (minutes); it is generous because on a loaded 2-core CI machine even a few
        // reads can take hundreds of milliseconds.
        expect(ms).toBeLessThan(2000)
        const fh = await open(p, 'r')
        const { regions } = await inspectHandle(fh, (await fh.stat()).size, 'auto')
        await fh.close()
        expect(regions.reduce((n, [a, b]) => n + (b - a), 0)).toBeLessThan(256 * 1024)
      }
    })
  })
})
