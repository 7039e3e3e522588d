/**
 * The streamed copy's body (main/copy/stream-body.ts) over real streams: the bytes pass unchanged, md5 and sha512
 * equal a one-pass hash of the source, in both consumption modes (DirectBody writeInto, and pipe with a slow
 * consumer), the source is paused while the consumer lags (bounded buffering), and a source that stops short fails.
 */
import { createHash, randomBytes } from 'node:crypto'
import { PassThrough, Readable, Transform, Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { HashedStreamBody, COPY_INFLIGHT } from '../../../main/copy/stream-body'

function source(total: number, chunk = 64 * 1024): { stream: Readable; data: Buffer; pulled: () => number } {
  const data = randomBytes(total)
  let off = 0
  const stream = new Readable({
    highWaterMark: chunk,
    read() {
      if (off >= total) return this.push(null)
      const n = Math.min(chunk, total - off)
      this.push(data.subarray(off, off + n))
      off += n
    },
  })
  return { stream, data, pulled: () => off }
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex')
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex')

describe('HashedStreamBody', () => {
  it('writeInto: every byte reaches the target in order; md5 + sha512 of the source', async () => {
    const s = source(9 * 1024 * 1024 + 5)
    const body = new HashedStreamBody(s.stream, s.data.length)
    const got: Buffer[] = []
    const out = new Writable({
      write(c: Buffer, _e, cb) {
        got.push(Buffer.from(c))
        setImmediate(cb)
      },
    })
    const ended = new Promise((r) => out.on('finish', r))
    body.writeInto(out)
    await ended
    const d = await body.digests()
    body.dispose()
    expect(Buffer.concat(got).equals(s.data)).toBe(true)
    expect(d).toEqual({ md5: md5(s.data), sha512: sha512(s.data), bytes: s.data.length })
  })

  it('piped into a slow consumer: the bytes and hashes are right and the source is held back (bounded)', async () => {
    const s = source(6 * 1024 * 1024)
    let seen = 0
    const body = new HashedStreamBody(s.stream, s.data.length, (n) => (seen += n))
    let maxAhead = 0
    let consumed = 0
    const slow = new Transform({
      highWaterMark: 16 * 1024,
      transform(c: Buffer, _e, cb) {
        consumed += c.length
        maxAhead = Math.max(maxAhead, s.pulled() - consumed)
        setTimeout(() => cb(null, c), 1)
      },
    })
    const got: Buffer[] = []
    const sink = new PassThrough()
    sink.on('data', (c: Buffer) => got.push(c))
    const done = new Promise((r) => sink.on('end', r))
    body.pipe(slow).pipe(sink)
    await done
    const d = await body.digests()
    body.dispose()
    expect(Buffer.concat(got).equals(s.data)).toBe(true)
    expect(d.sha512).toBe(sha512(s.data))
    expect(seen).toBe(s.data.length)
    // never more than the in-flight bound plus a few chunks ahead of the consumer
    expect(maxAhead).toBeLessThan(COPY_INFLIGHT + 1024 * 1024)
  })

  it('a source that ends short fails the body (retryable NETWORK), nothing is ended as complete', async () => {
    const s = source(1024 * 1024)
    const body = new HashedStreamBody(s.stream, s.data.length + 10)
    const out = new PassThrough()
    out.resume()
    let finished = false
    out.on('finish', () => (finished = true))
    const err = await new Promise<unknown>((r) => {
      body.on('error', r)
      body.writeInto(out)
    })
    body.dispose()
    expect(err).toMatchObject({ code: 'NETWORK', retryable: true })
    expect(finished).toBe(false)
  })
})
