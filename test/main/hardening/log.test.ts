import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileLogger, redact } from '../../../main/log'
import { onPosix } from '../../support/needs'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gd-log-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const read = (f: string): Record<string, unknown>[] =>
  readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('file logger', () => {
  it('rotates at maxBytes, keeps `keep` old files, drops older ones, loses no line in between', () => {
    const file = join(dir, 'logs', 'main.log')
    const log = createFileLogger({ file, maxBytes: 1000, keep: 3 })
    for (let i = 0; i < 200; i++) log.info('event', { i, pad: 'x'.repeat(50) })
    const names = readdirSync(join(dir, 'logs')).sort()
    expect(names).toEqual(['main.log', 'main.log.1', 'main.log.2', 'main.log.3'])
    for (const n of names) expect(statSync(join(dir, 'logs', n)).size).toBeLessThan(1000 + 200)
    // the newest lines, in order, across the kept files
    const seq = ['main.log.3', 'main.log.2', 'main.log.1', 'main.log'].flatMap((n) => read(join(dir, 'logs', n)).map((r) => r.i as number))
    expect(seq.at(-1)).toBe(199)
    for (let k = 1; k < seq.length; k++) expect(seq[k]).toBe(seq[k - 1]! + 1)
  })

  onPosix('respects the level and never throws when the folder cannot be written', () => {
    const file = join(dir, 'ro', 'main.log')
    mkdirSync(join(dir, 'ro'))
    chmodSync(join(dir, 'ro'), 0o500)
    const log = createFileLogger({ file, level: 'warn' })
    expect(() => {
      log.info('dropped')
      log.error('cannot be written')
    }).not.toThrow()
    chmodSync(join(dir, 'ro'), 0o700)
    const ok = createFileLogger({ file: join(dir, 'ok.log'), level: 'warn' })
    ok.debug('no')
    ok.info('no')
    ok.warn('yes')
    expect(read(join(dir, 'ok.log')).map((r) => r.msg)).toEqual(['yes'])
  })

  it('redacts secret-looking keys, registered literal secrets and Keystone tokens, at any depth', () => {
    const file = join(dir, 'main.log')
    const log = createFileLogger({ file })
    log.addSecret('hunter2-literal')
    const token = 'gAAAAABlZ' + 'a'.repeat(150)
    log.info('auth', {
      password: 'p1',
      headers: { 'X-Auth-Token': token, 'x-subject-token': token, Authorization: 'Bearer abc' },
      nested: [{ secret: 's1', application_credential_secret: 's2' }],
      message: `failed for hunter2-literal with ${token}`,
      url: `https://k/v3?token=${token}`,
    })
    const text = readFileSync(file, 'utf8')
    for (const s of ['p1"', token, 'Bearer abc', '"s1"', '"s2"', 'hunter2-literal']) expect(text).not.toContain(s)
    expect(text).toContain('[REDACTED')
    // ordinary data is kept
    expect(redact({ name: 'ubuntu', size: 3, ok: true, passwordless: true })).toEqual({ name: 'ubuntu', size: 3, ok: true, passwordless: true })
  })
})
