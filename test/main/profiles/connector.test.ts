/**
 * The pure part of the connector: profile -> SessionOptions. The connector and "test connection" (report, errors,
 * session cache, TLS) run against the real loopback cloud in test/integration/profiles/connector.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { sessionOptions } from '../../../main/profiles/connector'
import { appCredentialAuth } from '../../../preload/api'
import { sampleAuth, sampleProfile } from './helpers'

describe('sessionOptions', () => {
  it('maps password and application-credential profiles (ids win over names)', () => {
    const p = sampleProfile({
      auth: sampleAuth({ userDomainId: 'dom1', projectId: 'pid' }),
      caFile: '/ca.pem',
      insecure: true,
      endpointOverrides: { image: 'http://img' },
    })
    expect(sessionOptions(p, 'pw')).toMatchObject({
      authUrl: p.authUrl,
      interface: 'public',
      caFile: '/ca.pem',
      insecure: true,
      endpointOverrides: { image: 'http://img' },
      auth: { type: 'password', password: 'pw', username: 'alice', userDomainId: 'dom1', projectId: 'pid' },
    })
    expect(sessionOptions(p, 'pw').auth).not.toHaveProperty('projectName')
    const ac = sampleProfile({ auth: appCredentialAuth({ appCredentialId: 'ac1' }) })
    expect(sessionOptions(ac, 's').auth).toEqual({ type: 'applicationCredential', secret: 's', id: 'ac1', userDomainName: 'Default' })
  })
})
