/**
 * The upload body's tap (issue 13.2): every chunk is shown to the inspector with its offset before it is sent, and
 * the LAST chunk is held back until `beforeEnd` resolves; a throw there stops the body without sending it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HashedFileBody } from '../../../main/transfers/hashed-source'

const KiB = 1024
let dir: string
let path: string
const SIZE = 300 * KiB + 7
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tap-'))
  path = join(dir, 'f.bin')
  writeFileSync(path, Buffer.alloc(SIZE, 7))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function sink(): { out: Writable; got: () => number; ended: Promise<void> } {
  let n = 0
  let done: () => void = () => {}
  const ended = new Promise<void>((r) => (done = r))
  const out = new Writable({
    write(c: Buffer, _e, cb) {
      n += c.length
      cb()
    },
    final(cb) {
      done()
      cb()
    },
  })
  return { out, got: () => n, ended }
}

describe('HashedFileBody tap', () => {
  for (const mode of ['direct', 'stream'] as const) {
    it(`${mode}: chunks are seen with their offsets; the last waits for beforeEnd, and a throw there keeps it back`, async () => {
      for (const fail of [false, true]) {
        const seen: [number, number][] = []
        let sentAtEnd = -1
        const fh = await open(path, 'r')
        const s = sink()
        let counted = 0
        const body = new HashedFileBody(path, SIZE, {
          onBytes: (n) => (counted += n),
          slotSize: 64 * KiB,
          slots: 2,
          file: fh,
          tap: {
            chunk: (pos, d) => seen.push([pos, d.length]),
            beforeEnd: async () => {
              await new Promise((r) => setTimeout(r, 20))
              sentAtEnd = s.got()
              if (fail) throw new Error('verdict differs')
            },
          },
        })
        const error = new Promise<Error | null>((r) => {
          body.once('error', r)
          void s.ended.then(() => r(null))
        })
        if (mode === 'direct') body.writeInto(s.out)
        else body.pipe(new PassThrough()).pipe(s.out)
        const e = await error
        body.dispose()
        expect(seen.map(([p]) => p)).toEqual([0, 1, 2, 3, 4].map((i) => i * 64 * KiB))
        expect(seen.reduce((n, [, l]) => n + l, 0)).toBe(SIZE)
        // when beforeEnd ran, everything but the last chunk had been handed over, not the last one
        expect(sentAtEnd).toBeLessThanOrEqual(4 * 64 * KiB)
        if (fail) {
          expect(e?.message).toBe('verdict differs')
          expect(s.got()).toBeLessThan(SIZE)
        } else {
          expect(e).toBeNull()
          expect(s.got()).toBe(SIZE)
          // progress counts every byte, the held-back chunk too
          expect(counted).toBe(SIZE)
        }
        // the caller's handle stays open (the upload closes it)
        expect((await fh.stat()).size).toBe(SIZE)
        await fh.close()
      }
    })
  }
})
