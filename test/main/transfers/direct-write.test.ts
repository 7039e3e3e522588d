// issue 16: the download's O_DIRECT writes (direct-write.ts) give the same file as the buffered ones, resumed or not
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { alignedSlots, openDirect, writeAllDirect } from '../../../main/transfers/direct-write'
import { ReceiveHasher } from '../../../main/transfers/hash-receive'
import type { EngineHooks } from '../../../main/transfers/engine'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'direct-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function hooks(ac = new AbortController()): EngineHooks & { got: number } {
  const h = { signal: ac.signal, got: 0, phase() {}, bytes: (n: number) => void (h.got += n) }
  return h
}

/** `data` in chunks of odd sizes (as sockets deliver), optionally failing after `failAfter` bytes. */
function source(data: Buffer, failAfter?: number): Readable {
  let off = 0
  return new Readable({
    read() {
      if (failAfter !== undefined && off >= failAfter) return void this.destroy(new Error('connection reset'))
      if (off >= data.length) return void this.push(null)
      const n = Math.min(1 + ((off * 7919) % 70_000), data.length - off, failAfter !== undefined ? failAfter - off : Infinity)
      this.push(data.subarray(off, off + n))
      off += n
    },
  })
}

async function run(data: Buffer, kept: Buffer, opts: { slot?: number; slots?: number; failAfter?: number; refuse?: boolean } = {}) {
  const part = join(dir, 'img.part')
  writeFileSync(part, kept)
  const fh = await open(part, 'a+')
  let dfh: FileHandle | null = await openDirect(part, fh)
  if (!dfh) dfh = await open(part, 'r+') // no O_DIRECT here: the same code path over a buffered descriptor
  if (opts.refuse) {
    const real = dfh
    dfh = Object.assign(Object.create(real) as FileHandle, {
      write: () => Promise.reject(Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' })),
    })
  }
  const h = new ReceiveHasher(fh, ['sha512'], kept.length)
  const hk = hooks()
  const r = await writeAllDirect(source(data, opts.failAfter), fh, dfh, kept.length, h, hk, opts.slot, opts.slots).then(
    () => null,
    (e: unknown) => e as Error,
  )
  const d = r ? null : await h.finish()
  h.destroy()
  await dfh.close().catch(() => {})
  await fh.close()
  return { error: r, digest: d, file: readFileSync(part), got: hk.got }
}

const sha512 = (b: Buffer): string => createHash('sha512').update(b).digest('hex')

describe('writeAllDirect', () => {
  it('slots are page-aligned views of the sizes asked', () => {
    const s = alignedSlots(3, 65536)
    expect(s.map((b) => b.length)).toEqual([65536, 65536, 65536])
    expect(s[1]!.byteOffset).toBe(65536)
  })

  it('a whole download: the file is the bytes received, the hash theirs (unaligned end)', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 1234)
    const r = await run(data, Buffer.alloc(0))
    expect(r.error).toBeNull()
    expect(r.file.equals(data)).toBe(true)
    expect(r.digest).toEqual({ bytes: data.length, sha512: sha512(data) })
    expect(r.got).toBe(data.length)
  })

  it('a resumed part file ending off a block boundary: its prefix kept, the rest appended', async () => {
    const kept = randomBytes(10_001)
    const data = randomBytes(3 * 1024 * 1024 + 77)
    const r = await run(data, kept, { slot: 65536, slots: 2 })
    expect(r.error).toBeNull()
    const all = Buffer.concat([kept, data])
    expect(r.file.equals(all)).toBe(true)
    expect(r.digest?.sha512).toBe(sha512(all))
  })

  it('few small slots (back-pressure): the same bytes', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 4096)
    const r = await run(data, randomBytes(4096), { slot: 65536, slots: 2 })
    expect(r.error).toBeNull()
    expect(r.file.subarray(4096).equals(data)).toBe(true)
  })

  it('the connection breaks: every byte received is in the file, then the error', async () => {
    const data = randomBytes(3 * 1024 * 1024)
    const r = await run(data, Buffer.alloc(0), { failAfter: 1_500_003 })
    expect(r.error?.message).toMatch(/connection reset/)
    expect(r.file.equals(data.subarray(0, 1_500_003))).toBe(true)
  })

  it('O_DIRECT refused (EINVAL): the buffered writes take over, the same file', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 5)
    const r = await run(data, randomBytes(100), { refuse: true })
    expect(r.error).toBeNull()
    expect(r.file.subarray(100).equals(data)).toBe(true)
  })

  it('a write that fails otherwise (disk full) is the error', async () => {
    const part = join(dir, 'img.part')
    writeFileSync(part, '')
    const fh = await open(part, 'a+')
    const dfh = Object.assign(Object.create(fh) as FileHandle, {
      write: () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })),
    })
    const h = new ReceiveHasher(fh, ['sha512'], 0)
    const e = await writeAllDirect(source(randomBytes(3 * 1024 * 1024)), fh, dfh, 0, h, hooks()).then(
      () => null,
      (x: unknown) => x as NodeJS.ErrnoException,
    )
    h.destroy()
    await fh.close()
    expect(e?.code).toBe('ENOSPC')
  })

  // seen in CI: a pause while the O_DIRECT descriptor was being opened destroyed the response before the writer
  // listened to it; its 'close' had come and gone, and the job never stopped (a 360 s timeout)
  it.each([
    ['paused (aborted) before the writer starts', true],
    ['broken before the writer starts', false],
  ])('a response already closed: %s -> the error, at once', async (_, aborted) => {
    const part = join(dir, 'img.part')
    writeFileSync(part, '')
    const fh = await open(part, 'a+')
    const ac = new AbortController()
    const src = source(randomBytes(64 * 1024))
    src.on('error', () => {})
    if (aborted) ac.abort(new Error('paused'))
    src.destroy(aborted ? undefined : new Error('connection reset'))
    await new Promise((r) => setImmediate(r))
    expect(src.closed).toBe(true)
    const h = new ReceiveHasher(fh, ['sha512'], 0)
    const e = await Promise.race([
      writeAllDirect(src, fh, fh, 0, h, hooks(ac)).then(
        () => 'resolved',
        (x: unknown) => (x as Error).message,
      ),
      new Promise((r) => setTimeout(() => r('hung'), 2000)),
    ])
    h.destroy()
    await fh.close()
    expect(e).toBe(aborted ? 'paused' : 'connection reset')
  })
})
