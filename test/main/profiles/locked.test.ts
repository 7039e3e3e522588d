/** A stored secret that this session cannot decrypt is `locked`, not `stored`; entering it again unlocks it. */
import { describe, expect, it } from 'vitest'
import { createNullLogger } from '../../../main/log'
import { SecretStore } from '../../../main/profiles/secrets'
import { ProfileService } from '../../../main/profiles/service'
import { fakeCipher, harness, sampleProfile, tempDir } from './helpers'

describe('secret state: locked', () => {
  it('another key (keychain changed) or no keychain: locked; never decrypted twice', () => {
    const dir = tempDir()
    new SecretStore({ dir, cipher: fakeCipher(true), log: createNullLogger() }).set('p1', 'pw-locked-1', true)
    const other = fakeCipher(true)
    const s = new SecretStore({ dir, cipher: other, log: createNullLogger() })
    expect(s.state('p1')).toBe('locked')
    expect(s.state('p1')).toBe('locked')
    expect(s.get('p1')).toBeUndefined()
    expect(other.calls.decrypt).toBe(1)
    expect(new SecretStore({ dir, cipher: fakeCipher(false), log: createNullLogger() }).state('p1')).toBe('locked')
    // Entered again: stored (with this session's key).
    s.set('p1', 'pw-locked-1', true)
    expect(s.state('p1')).toBe('stored')
    expect(s.get('p1')).toBe('pw-locked-1')
  })

  it('the profile list says locked', async () => {
    const h = harness()
    const a = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log, fromEnvironment: false })
    const p = a.create(sampleProfile())
    a.setSecret({ profileId: p.id, secret: 'pw-locked-2', persist: true })
    expect(a.get(p.id).secretState).toBe('stored')
    const h2 = harness({ dir: h.dir, cipher: fakeCipher(true) })
    const b = await ProfileService.open({ platform: h2.platform, events: h2.events, log: h2.log, fromEnvironment: false })
    expect(b.get(p.id).secretState).toBe('locked')
    expect(b.state().profiles[0]!.secretState).toBe('locked')
  })
})
