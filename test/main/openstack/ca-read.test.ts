/** The TLS code reads a profile's CA bundle through the one bounded reader: its refusals carry a reason + path. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readCa } from '../../../main/openstack/tunnel'

describe('readCa', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-read-'))
  it('a bundle without a PEM certificate is TLS/caNoPem with the path', () => {
    const p = join(dir, 'not-pem.txt')
    writeFileSync(p, 'hello')
    expect(() => readCa(p)).toThrow(expect.objectContaining({ code: 'TLS', details: { reason: 'caNoPem', params: { path: p } } }))
  })
  it('a missing bundle is FILE/caUnreadable; a folder FILE/caNotRegular', () => {
    expect(() => readCa(join(dir, 'missing.pem'))).toThrow(
      expect.objectContaining({ code: 'FILE', details: expect.objectContaining({ reason: 'caUnreadable' }) }),
    )
    expect(() => readCa(dir)).toThrow(expect.objectContaining({ code: 'FILE', details: expect.objectContaining({ reason: 'caNotRegular' }) }))
  })
})
