/**
 * Issue 12.7: every token a session gets from the REAL Keystone is registered with the log's redactor (not only
 * the password), for the cached sessions of the connector and for "test connection"; a line that quotes the token
 * is written redacted.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { CloudConnector } from '../../../main/profiles/connector'
import { ProfileService } from '../../../main/profiles/service'
import { describeCloud } from '../../support/cloud'
import { harness } from '../../main/profiles/helpers'
import { profileOf } from './helpers'

describeCloud('session tokens are registered with the redactor', (cloud) => {
  it('client() and test(): the token is a registered secret; logging it writes [REDACTED]', async () => {
    const h = harness()
    const registered: string[] = []
    const addSecret = h.log.addSecret.bind(h.log)
    h.log.addSecret = (s) => {
      registered.push(s)
      addSecret(s)
    }
    const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log, fromEnvironment: false })
    const clouds = new CloudConnector({ profiles, log: h.log })
    const p = profiles.create(profileOf(cloud, { name: 'tokens' }))
    profiles.setSecret({ profileId: p.id, secret: cloud.password, persist: false })
    const client = await clouds.client({ profileId: p.id })
    const token = await client.session.getToken()
    expect(registered).toContain(token)
    const before = registered.length
    await clouds.test({ profileId: p.id })
    // test connection authenticates afresh: its own token is registered too.
    expect(registered.slice(before).some((s) => s !== cloud.password && s.length > 20)).toBe(true)
    // A token quoted without its usual prefix (a server's error text, say) is still removed: it is a literal secret.
    h.log.warn('echo', { text: `server said: ${token} and ${token.slice(0)}` })
    expect(readFileSync(join(h.dir, 'logs', 'main.log'), 'utf8')).not.toContain(token)
    clouds.close()
  })
})
