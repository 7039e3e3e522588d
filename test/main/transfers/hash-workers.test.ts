import { createHash, randomBytes } from 'node:crypto'
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { SlotRing, WorkerHasher } from '../../../main/transfers/hash-workers'
import { ReceiveHasher } from '../../../main/transfers/hash-receive'
import { HashedFileBody, PROGRESS_STEP } from '../../../main/transfers/hashed-source'

const dir = mkdtempSync(join(tmpdir(), 'gd-hash-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex')
const sha512 = (b: Buffer): string => createHash('sha512').update(b).digest('hex')

describe('WorkerHasher', () => {
  it('equals a one-pass hash, in order, over shared slots reused across uneven chunk boundaries', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12345)
    const ring = new SlotRing(2, 256 * 1024)
    const h = new WorkerHasher(['md5', 'sha512'])
    let off = 0
    let k = 0
    while (off < data.length) {
      const n = Math.min(data.length - off, 1 + ((k++ * 7919) % ring.size))
      const i = await ring.acquire()
      const slot = ring.slot(i)
      data.copy(slot, 0, off, off + n)
      off += n
      // the slot is reused as soon as the workers are done with it: a wrong order or an early reuse changes the digest
      void h.update(slot.subarray(0, n)).then(() => {
        slot.fill(0xff)
        ring.release(i)
      })
    }
    const d = await h.digest()
    expect(d).toEqual({ md5: md5(data), sha512: sha512(data), bytes: data.length })
    expect(h.stopped).toBe(true)
  })

  it('copies ordinary (non-shared) buffers, and computes only the algorithms asked for', async () => {
    const a = randomBytes(1000)
    const b = randomBytes(70_000)
    const h = new WorkerHasher(['sha512'])
    await Promise.all([h.update(a), h.update(b), h.update(Buffer.alloc(0))])
    expect(await h.digest()).toEqual({ sha512: sha512(Buffer.concat([a, b])), bytes: a.length + b.length })
  })

  it("threads 'one': both algorithms in one worker, same digests", async () => {
    const a = randomBytes(300_000)
    const h = new WorkerHasher(['md5', 'sha512'], 'one')
    await h.update(a)
    expect(await h.digest()).toEqual({ md5: md5(a), sha512: sha512(a), bytes: a.length })
  })

  it('a failing worker rejects pending and later calls', async () => {
    const h = new WorkerHasher(['md5', 'nope' as 'md5'])
    await expect(h.update(Buffer.from('x'))).rejects.toThrow()
    await expect(h.digest()).rejects.toThrow()
    expect(h.error).toBeInstanceOf(Error)
    expect(h.stopped).toBe(true)
  })

  it('destroy (cancel) terminates the workers and rejects what is pending', async () => {
    const h = new WorkerHasher()
    const p = h.update(Buffer.alloc(8 * 1024 * 1024))
    h.destroy(new Error('cancelled'))
    await expect(p).rejects.toThrow('cancelled')
    expect(h.stopped).toBe(true)
    await expect(h.update(Buffer.from('x'))).rejects.toThrow('cancelled')
  })
})

describe('HashedFileBody', () => {
  const data = randomBytes(5 * 1024 * 1024 + 3)
  const p = join(dir, 'body.bin')
  writeFileSync(p, data)

  it('direct mode: writes every byte in order into the request and hashes the same pass', async () => {
    const got: Buffer[] = []
    let progress = 0
    const out = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _e, cb) {
        got.push(Buffer.from(chunk)) // a copy: the slot is reused once the write is done
        setTimeout(cb, 1)
      },
    })
    const steps: number[] = []
    // slots larger than a progress step: each slot goes out in steps, each counted when taken
    const body = new HashedFileBody(p, data.length, {
      slots: 3,
      slotSize: 3 * PROGRESS_STEP,
      onBytes: (n) => {
        progress += n
        steps.push(n)
      },
    })
    const finished = new Promise((r) => out.on('finish', r))
    body.writeInto(out)
    await finished
    expect(Buffer.concat(got).equals(data)).toBe(true)
    expect(progress).toBe(data.length)
    expect(Math.max(...steps)).toBeLessThanOrEqual(PROGRESS_STEP)
    expect(steps.length).toBeGreaterThanOrEqual(Math.ceil(data.length / PROGRESS_STEP))
    expect(await body.digests()).toEqual({ md5: md5(data), sha512: sha512(data), bytes: data.length })
    body.dispose()
  })

  it('stream mode: a plain consumer gets the bytes, the digests match', async () => {
    const body = new HashedFileBody(p, data.length, { slots: 2, slotSize: 512 * 1024 })
    const parts: Buffer[] = []
    for await (const c of body) parts.push(c as Buffer)
    expect(Buffer.concat(parts).equals(data)).toBe(true)
    expect(await body.digests()).toEqual({ md5: md5(data), sha512: sha512(data), bytes: data.length })
  })

  it('a file that shrank is an error; the workers stop', async () => {
    const body = new HashedFileBody(p, data.length + 10, { slots: 2, slotSize: 1024 * 1024 })
    const out = new PassThrough()
    out.resume()
    const err = new Promise<Error>((r) => body.on('error', r))
    body.writeInto(out)
    expect((await err).message).toMatch(/changed during the upload/)
    expect(body.hasher.stopped).toBe(true)
  })

  it('cancel: destroying the request stops reading; dispose terminates the workers', async () => {
    const out = new Writable({ highWaterMark: 1, write: (_c, _e, cb) => setTimeout(cb, 20) })
    const body = new HashedFileBody(p, data.length, { slots: 2, slotSize: 256 * 1024 })
    body.writeInto(out)
    await new Promise((r) => setTimeout(r, 30))
    out.destroy()
    body.dispose()
    expect(body.hasher.stopped).toBe(true)
    await expect(body.digests()).rejects.toThrow()
  })
})

describe('ReceiveHasher (a download hashed on the thread that receives it)', () => {
  it('hashes the kept prefix from the file first, then what arrives, equal to a one-pass hash of the whole file', async () => {
    const prefix = randomBytes(700_000)
    const rest = [randomBytes(1), randomBytes(3 * 1024 * 1024 + 5), randomBytes(65_536)]
    const path = join(dir, 'tail.part')
    writeFileSync(path, prefix)
    const fh = await open(path, 'r')
    try {
      // a small read size: the prefix takes many reads, and the pieces arrive while it is being hashed
      const h = new ReceiveHasher(fh, ['sha512', 'md5'], prefix.length, 64 * 1024)
      for (const piece of rest) {
        h.take(piece)
        appendFileSync(path, piece)
        h.wrote(piece.length)
        await new Promise((r) => setTimeout(r, 5))
      }
      const all = Buffer.concat([prefix, ...rest])
      expect(await h.finish()).toEqual({ sha512: sha512(all), md5: md5(all), bytes: all.length })
      expect(h.hashed).toBe(all.length)
    } finally {
      await fh.close()
    }
  })

  it('a fresh download is hashed from the chunks alone: nothing is read back (the file may be write-only)', async () => {
    const path = join(dir, 'fresh.part')
    const fh = await open(path, 'w')
    try {
      const h = new ReceiveHasher(fh, ['sha512'], 0)
      const pieces = [randomBytes(65_536), randomBytes(3), randomBytes(1_000_000)]
      for (const piece of pieces) {
        h.take(piece)
        expect(h.hashed).toBe(pieces.slice(0, pieces.indexOf(piece) + 1).reduce((n, b) => n + b.length, 0))
        await fh.write(piece)
        h.wrote(piece.length)
      }
      const all = Buffer.concat(pieces)
      expect(await h.finish()).toEqual({ sha512: sha512(all), bytes: all.length })
    } finally {
      await fh.close()
    }
  })

  it('hashes only what was announced, not bytes written to the file beyond it', async () => {
    const path = join(dir, 'tail-extra.part')
    const data = randomBytes(200_000)
    writeFileSync(path, Buffer.concat([data, randomBytes(5000)]))
    const fh = await open(path, 'r')
    try {
      const h = new ReceiveHasher(fh, ['sha512'], data.length)
      expect(await h.finish()).toEqual({ sha512: sha512(data), bytes: data.length })
    } finally {
      await fh.close()
    }
  })

  it('a file shorter than announced (truncated behind its back) is an error, not a short digest', async () => {
    const path = join(dir, 'tail-short.part')
    writeFileSync(path, randomBytes(100_000))
    const fh = await open(path, 'r')
    try {
      truncateSync(path, 10_000)
      const h = new ReceiveHasher(fh, ['sha512'], 100_000)
      await expect(h.finish()).rejects.toThrow(/shorter/)
    } finally {
      await fh.close()
    }
  })

  it('an unreadable part file is an error; destroy() stops it and finish() then rejects', async () => {
    const path = join(dir, 'tail-stop.part')
    writeFileSync(path, randomBytes(1000))
    const wo = await open(path, 'a')
    try {
      await expect(new ReceiveHasher(wo, ['sha512'], 1000).finish()).rejects.toThrow(/EBADF/)
    } finally {
      await wo.close()
    }
    const fh = await open(path, 'r')
    try {
      const h = new ReceiveHasher(fh, ['sha512'], 1000)
      h.destroy()
      await expect(h.finish()).rejects.toThrow()
    } finally {
      await fh.close()
    }
  })
})

describe('GD_HASH_NICE', () => {
  it.skipIf(process.platform !== 'linux')('lowers the priority of the hashing thread, and only of that thread', async () => {
    const niceOf = (): number[] =>
      readdirSync('/proc/self/task').map((t) => {
        // field 19 of /proc/<pid>/task/<tid>/stat, counted after the ")" that ends the thread's name
        const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8')
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
      })
    const before = process.env.GD_HASH_NICE
    process.env.GD_HASH_NICE = '7'
    try {
      const h = new WorkerHasher(['sha512'])
      // the worker has run its start-up (which lowers its priority) once it has hashed something
      await h.update(new Uint8Array(randomBytes(1000)))
      expect(niceOf()).toContain(7)
      expect(niceOf().filter((n) => n === 7)).toHaveLength(1)
      await h.digest()
    } finally {
      if (before === undefined) delete process.env.GD_HASH_NICE
      else process.env.GD_HASH_NICE = before
    }
  })
})
