/**
 * The pure part of the connector: profile -> SessionOptions. The connector and "test connection" (report, errors,
 * session cache, TLS) run against the real loopback cloud in test/integration/profiles/connector.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { sessionOptions } from '../../../main/profiles/connector'
import { sampleProfile } from './helpers'

describe('sessionOptions', () => {
  it('maps password and application-credential profiles (ids win over names)', () => {
    const p = sampleProfile({ userDomainId: 'dom1', projectId: 'pid', caFile: '/ca.pem', insecure: true, endpointOverrides: { image: 'http://img' } })
    expect(sessionOptions(p, 'pw')).toMatchObject({
      authUrl: p.authUrl,
      interface: 'public',
      caFile: '/ca.pem',
      insecure: true,
      endpointOverrides: { image: 'http://img' },
      auth: { type: 'password', password: 'pw', username: 'alice', userDomainId: 'dom1', projectId: 'pid' },
    })
    expect(sessionOptions(p, 'pw').auth).not.toHaveProperty('projectName')
    const ac = sampleProfile({ authType: 'applicationCredential', appCredentialId: 'ac1', username: '', projectName: '' })
    expect(sessionOptions(ac, 's').auth).toEqual({ type: 'applicationCredential', secret: 's', id: 'ac1', userDomainName: 'Default' })
  })
})
