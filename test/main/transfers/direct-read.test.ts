// issue 16.3: the upload reads its file with O_DIRECT into the ring's page-aligned slots (Linux), and the bytes sent
// and hashed are the file's, whatever its size; where O_DIRECT is refused (a file system, at open or at the first
// read; a ring that is not aligned; another platform) the same body reads buffered.
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { SlotRing } from '../../../main/transfers/hash-workers'
import { HashedFileBody } from '../../../main/transfers/hashed-source'

const dir = mkdtempSync(join(tmpdir(), 'gd-dread-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const sha512 = (b: Buffer): string => createHash('sha512').update(b).digest('hex')

/** Whether this directory's file system opens files with O_DIRECT (tmpfs does not). */
function takesODirect(d: string): boolean {
  const flag = (constants as Record<string, number | undefined>).O_DIRECT
  if (process.platform !== 'linux' || flag === undefined) return false
  const p = join(d, 'probe')
  writeFileSync(p, Buffer.alloc(4096))
  try {
    closeSync(openSync(p, constants.O_RDONLY | flag))
    return true
  } catch {
    return false
  } finally {
    rmSync(p, { force: true })
  }
}

async function send(path: string, size: number, slots: number, slotSize: number) {
  const got: Buffer[] = []
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      got.push(Buffer.from(chunk))
      cb()
    },
  })
  const body = new HashedFileBody(path, size, { slots, slotSize, algos: ['sha512'] })
  const finished = new Promise((r, j) => {
    out.on('finish', r)
    body.on('error', j)
  })
  body.writeInto(out)
  await finished
  const d = await body.digests()
  body.dispose()
  return { sent: Buffer.concat(got), sha512: d.sha512, direct: body.directBytes }
}

describe('the upload body reads with O_DIRECT', () => {
  it('a ring of 64 KiB multiples is page-aligned; other sizes are not', () => {
    expect(new SlotRing(2, 256 * 1024).aligned).toBe(true)
    expect(new SlotRing(3, 1000).aligned).toBe(false)
  })

  // sizes around the block and slot boundaries: the last chunk's read is rounded up to whole blocks
  for (const size of [1, 4095, 4096, 4097, 512 * 1024, 512 * 1024 + 1, 3 * 256 * 1024 + 12345]) {
    it(`sends and hashes every byte of a ${size}-byte file`, async () => {
      const data = randomBytes(size)
      const p = join(dir, `f-${size}.bin`)
      writeFileSync(p, data)
      const r = await send(p, size, 2, 256 * 1024)
      expect(r.sent.equals(data)).toBe(true)
      expect(r.sha512).toBe(sha512(data))
      // every byte through the O_DIRECT descriptor where this file system takes it, none elsewhere
      expect(r.direct).toBe(takesODirect(dir) ? size : 0)
    })
  }

  it('on Linux, this machine reads the test files with O_DIRECT (the path the upload takes)', () => {
    if (process.platform === 'linux') expect(takesODirect(dir)).toBe(true)
    else expect(takesODirect(dir)).toBe(false)
  })

  it('a tmpfs file too (Linux 6.6+ takes O_DIRECT there, older kernels refuse it at open: buffered)', async () => {
    const shm = '/dev/shm'
    const where = process.platform === 'linux' && existsSync(shm) ? mkdtempSync(join(shm, 'gd-dread-')) : dir
    try {
      const data = randomBytes(300_001)
      const p = join(where, 'f.bin')
      writeFileSync(p, data)
      const r = await send(p, data.length, 2, 256 * 1024)
      expect(r.sent.equals(data)).toBe(true)
      expect(r.sha512).toBe(sha512(data))
      expect(r.direct).toBe(takesODirect(where) ? data.length : 0)
    } finally {
      if (where !== dir) rmSync(where, { recursive: true, force: true })
    }
  })

  it('a file system that opens with O_DIRECT but refuses the read (EINVAL) goes on buffered, the same bytes', async () => {
    const data = randomBytes(700_000)
    const p = join(dir, 'einval.bin')
    writeFileSync(p, data)
    const fh = await open(p, 'r')
    const proto = Object.getPrototypeOf(fh) as { read: (...a: unknown[]) => Promise<unknown> }
    await fh.close()
    // the body's first read is its first O_DIRECT read (where O_DIRECT is taken at all)
    const spy = vi
      .spyOn(proto, 'read')
      .mockImplementationOnce(() => Promise.reject(Object.assign(new Error('EINVAL: invalid argument, read'), { code: 'EINVAL' })))
    try {
      const r = await send(p, data.length, 2, 256 * 1024)
      expect(r.sent.equals(data)).toBe(true)
      expect(r.sha512).toBe(sha512(data))
      expect(r.direct).toBe(0)
      expect(spy.mock.calls.length).toBeGreaterThan(1)
    } finally {
      spy.mockRestore()
    }
  })

  it('a ring that is not page-aligned reads buffered, the same bytes', async () => {
    const data = randomBytes(10_000)
    const p = join(dir, 'odd.bin')
    writeFileSync(p, data)
    const r = await send(p, data.length, 3, 1000)
    expect(r.sent.equals(data)).toBe(true)
    expect(r.sha512).toBe(sha512(data))
    expect(r.direct).toBe(0)
  })
})
