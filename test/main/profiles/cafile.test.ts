/**
 * Issue 12.5: a CA bundle is copied into the data dir when a profile is saved with it, read asynchronously with a
 * size bound; a FIFO or /dev/zero named as the bundle cannot hang the app (saving, or testing a draft).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CloudConnector } from '../../../main/profiles/connector'
import { ProfileService } from '../../../main/profiles/service'
import { harness, sampleProfile, tempDir } from './helpers'
import { onPosix } from '../../support/needs'

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n'
const posix = process.platform !== 'win32'

async function setup() {
  const h = harness()
  h.platform.dialogs.confirm = async () => true
  const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log, fromEnvironment: false })
  return { h, profiles, clouds: new CloudConnector({ profiles, log: h.log }) }
}

describe('caFile: copied in, bounded, never blocking', () => {
  it('a chosen bundle is copied into <dataDir>/ca (0600); the profile names the copy; the original may change', async () => {
    const { h, profiles } = await setup()
    const src = join(tempDir(), 'corp-ca.pem')
    writeFileSync(src, PEM)
    const p = await profiles.createConfirmed(sampleProfile({ caFile: src }))
    expect(p.caFile.startsWith(join(h.dir, 'ca'))).toBe(true)
    expect(readFileSync(p.caFile, 'utf8')).toBe(PEM)
    if (posix) expect(statSync(p.caFile).mode & 0o777).toBe(0o600)
    writeFileSync(src, 'changed later')
    expect(readFileSync(profiles.get(p.id).caFile, 'utf8')).toBe(PEM)
    // Saving again with the copy keeps it (no new copy, no confirmation needed for an unchanged CA).
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = profiles.get(p.id)
    expect((await profiles.updateConfirmed(p.id, input)).caFile).toBe(p.caFile)
  })

  onPosix('/dev/zero, a folder, a 2 MiB file and a non-PEM file are refused with their reason', async () => {
    const { profiles } = await setup()
    const dir = tempDir()
    const big = join(dir, 'big.pem')
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 0x41))
    const text = join(dir, 'notes.txt')
    writeFileSync(text, 'hello')
    const cases: [string, string][] = [
      ['/dev/zero', 'caNotRegular'],
      [dir, 'caNotRegular'],
      [big, 'caTooLarge'],
      [text, 'caNoPem'],
      [join(dir, 'missing.pem'), 'caUnreadable'],
    ]
    for (const [path, reason] of cases) {
      await expect(profiles.createConfirmed(sampleProfile({ name: `ca ${reason}`, caFile: path })), path).rejects.toMatchObject({ details: { reason } })
    }
    expect(profiles.list()).toEqual([])
  })

  onPosix(
    'a FIFO as the CA bundle: saving and testing a draft fail at once instead of hanging',
    async () => {
      const { profiles, clouds } = await setup()
      const fifo = join(tempDir(), 'ca.fifo')
      execFileSync('mkfifo', [fifo])
      const t0 = Date.now()
      await expect(profiles.createConfirmed(sampleProfile({ caFile: fifo }))).rejects.toMatchObject({ code: 'FILE', details: { reason: 'caNotRegular' } })
      await expect(clouds.testDraft(sampleProfile({ authUrl: 'https://127.0.0.1:9/v3', caFile: fifo }), 'typed-pw')).rejects.toMatchObject({ code: 'FILE' })
      await expect(clouds.testDraft(sampleProfile({ authUrl: 'https://127.0.0.1:9/v3', caFile: '/dev/zero' }), 'typed-pw')).rejects.toMatchObject({
        code: 'FILE',
      })
      expect(Date.now() - t0).toBeLessThan(5000)
    },
    10_000,
  )
})
