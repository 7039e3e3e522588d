/**
 * The connector and "test connection" against a small fake Keystone + Glance on loopback (plain HTTP and HTTPS with a
 * self-signed certificate), so the error explanations and the session cache are checked without the real cloud.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../preload/api'
import { CloudConnector, openCloudClient, sessionOptions, testConnection } from '../../../main/profiles/connector'
import { ProfileService } from '../../../main/profiles/service'
import { harness, sampleProfile, tempDir } from './helpers'

interface Fake {
  url: string
  tokensIssued: number
  close(): Promise<void>
}

/** Keystone (admin/pw on project ops; any project name other than ops is "unknown") + Glance on RegionOne only. */
function handler(state: { tokensIssued: number; base: () => string }): http.RequestListener {
  return (req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const json = (status: number, obj: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify(obj))
      }
      const url = req.url ?? ''
      if (req.method === 'POST' && url === '/v3/auth/tokens') {
        const auth = JSON.parse(body).auth
        const user = auth.identity.password?.user
        const ok = user?.name === 'admin' && user?.password === 'pw'
        const scope = auth.scope?.project
        if (!ok || (scope && scope.name !== 'ops')) return json(401, { error: { code: 401, message: 'The request you have made requires authentication.' } })
        state.tokensIssued++
        const base = state.base()
        return json(
          201,
          {
            token: {
              expires_at: new Date(Date.now() + 3600_000).toISOString(),
              issued_at: new Date().toISOString(),
              user: { id: 'u1', name: 'admin' },
              project: scope ? { id: 'p1', name: 'ops' } : undefined,
              roles: scope ? [{ name: 'member' }, { name: 'reader' }] : [],
              catalog: scope
                ? [
                    { type: 'image', endpoints: [{ interface: 'public', region: 'RegionOne', url: base }] },
                    { type: 'identity', endpoints: [{ interface: 'public', region: 'RegionTwo', url: `${base}/v3` }] },
                  ]
                : [],
            },
          },
          { 'x-subject-token': `tok-${state.tokensIssued}` },
        )
      }
      if (url === '/versions') return json(200, { versions: [{ id: 'v2.15', status: 'CURRENT' }, { id: 'v2.9', status: 'SUPPORTED' }] })
      if (url === '/v2/info/import') return json(200, { 'import-methods': { value: ['glance-direct', 'web-download'] } })
      if (url === '/v2/info/stores') return json(200, { stores: [{ id: 'file1', default: true }] })
      if (url === '/v2/info/usage') return json(200, { usage: { image_count_total: { limit: 100, usage: 3 } } })
      json(404, { message: 'not found' })
    })
  }
}

async function listen(server: http.Server | https.Server, proto: 'http' | 'https', state: { base: () => string }): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `${proto}://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.base = () => url
  return url
}

async function fakeCloud(): Promise<Fake> {
  const state = { tokensIssued: 0, base: () => '' }
  const server = http.createServer(handler(state))
  const url = await listen(server, 'http', state)
  return {
    url,
    get tokensIssued() {
      return state.tokensIssued
    },
    close: () => new Promise((r) => server.close(() => r())),
  }
}

const profile = (base: string, o: Parameters<typeof sampleProfile>[0] = {}) =>
  sampleProfile({ name: 'Fake', authUrl: `${base}/v3`, username: 'admin', projectName: 'ops', regions: ['RegionOne', 'RegionTwo'], defaultRegion: 'RegionOne', ...o })

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('did not reject')
}

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

describe('connector against a fake cloud', () => {
  let fake: Fake
  beforeAll(async () => {
    fake = await fakeCloud()
  })
  afterAll(async () => {
    await fake.close()
  })

  it('testConnection reports user, project, roles, regions, endpoints, version, import methods, stores, quota, capabilities', async () => {
    const r = await testConnection(profile(fake.url), 'pw')
    expect(r).toMatchObject({
      ok: true,
      user: { id: 'u1', name: 'admin' },
      project: { id: 'p1', name: 'ops' },
      roles: ['member', 'reader'],
      regions: ['RegionOne', 'RegionTwo'],
      endpoints: [{ region: 'RegionOne', image: fake.url }, { region: 'RegionTwo' }],
      glanceVersion: 'v2.15',
      importMethods: ['glance-direct', 'web-download'],
      stores: [{ id: 'file1', default: true }],
      quota: { image_count_total: { limit: 100, usage: 3 } },
    })
    expect(r.capabilities.isAdmin).toBe(false)
    expect(r.capabilities.can.publicize.allowed).toBe(false)
    expect(r.capabilities.can.createVolume.allowed).toBe(false)
    expect(Date.parse(r.tokenExpiresAt)).toBeGreaterThan(Date.now())
  })

  it('wrong password -> AUTH_FAILED (credentials); right password, unknown project -> AUTH_FAILED (project)', async () => {
    const wrong = await rejection(testConnection(profile(fake.url), 'nope'))
    expect(wrong.code).toBe('AUTH_FAILED')
    expect(wrong.details?.reason).toBe('credentials')
    expect(wrong.message).toMatch(/user name or password is wrong/)
    const proj = await rejection(testConnection(profile(fake.url, { projectName: 'nosuch' }), 'pw'))
    expect(proj.code).toBe('AUTH_FAILED')
    expect(proj.details?.reason).toBe('project')
    expect(proj.message).toMatch(/project nosuch .* does not exist or user admin has no role/)
  })

  it('no image service in a region -> NO_ENDPOINT naming the regions that have one', async () => {
    const e = await rejection(testConnection(profile(fake.url), 'pw', 'RegionTwo'))
    expect(e.code).toBe('NO_ENDPOINT')
    expect(e.message).toMatch(/no image service \(Glance\) in region RegionTwo; this cloud has one in: RegionOne/)
    expect((await rejection(openCloudClient(profile(fake.url), 'pw', 'RegionTwo'))).code).toBe('NO_ENDPOINT')
  })

  it('unreachable host -> NETWORK with host:port', async () => {
    const srv = http.createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const port = (srv.address() as AddressInfo).port
    await new Promise<void>((r) => srv.close(() => r()))
    const e = await rejection(testConnection(profile(`http://127.0.0.1:${port}`), 'pw'))
    expect(e.code).toBe('NETWORK')
    expect(e.message).toContain(`Cannot reach 127.0.0.1:${port}: the connection was refused`)
    expect(e.details).toMatchObject({ host: '127.0.0.1', port, reason: 'ECONNREFUSED' })
  })

  it('CloudConnector: one session per profile shared by regions, dropped when the secret or profile changes; NO_SECRET', async () => {
    const h = harness()
    const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    const clouds = new CloudConnector({ profiles, log: h.log })
    const p = profiles.create(profile(fake.url, { endpointOverrides: { 'RegionTwo/image': `${fake.url}` } }))
    expect((await rejection(clouds.client({ profileId: p.id }))).code).toBe('NO_SECRET')
    expect((await rejection(clouds.client({ profileId: 'ghost' }))).code).toBe('PROFILE_NOT_FOUND')
    profiles.setSecret({ profileId: p.id, secret: 'pw', persist: true })
    const before = fake.tokensIssued
    const c1 = await clouds.client({ profileId: p.id })
    const c2 = await clouds.client({ profileId: p.id, region: 'RegionTwo' })
    expect(c1.region).toBe('RegionOne')
    expect(c2.region).toBe('RegionTwo')
    expect(c2.session).toBe(c1.session)
    expect(c1.cinder).toBeNull()
    expect(c1.keys).toEqual(p.propertyKeys)
    expect(fake.tokensIssued).toBe(before + 1)
    // profiles:test on the saved profile: a fresh authentication, reported.
    expect((await clouds.test({ profileId: p.id, region: 'RegionOne' })).project.name).toBe('ops')
    expect(fake.tokensIssued).toBe(before + 2)
    // Notes do not matter to the session; credentials do.
    profiles.update(p.id, { ...profile(fake.url, { endpointOverrides: { 'RegionTwo/image': `${fake.url}` } }), notes: 'hello' })
    expect((await clouds.client({ profileId: p.id })).session).toBe(c1.session)
    profiles.setSecret({ profileId: p.id, secret: 'nope', persist: false })
    expect((await rejection(clouds.client({ profileId: p.id }))).code).toBe('AUTH_FAILED')
    profiles.setSecret({ profileId: p.id, secret: 'pw', persist: false })
    const c3 = await clouds.client({ profileId: p.id })
    expect(c3.session).not.toBe(c1.session)
    profiles.remove(p.id)
    expect((await rejection(clouds.client({ profileId: p.id }))).code).toBe('PROFILE_NOT_FOUND')
  })

  it('testDraft tests an unsaved profile, with the typed secret or the stored one', async () => {
    const h = harness()
    const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    const clouds = new CloudConnector({ profiles, log: h.log })
    expect((await clouds.testDraft(profile(fake.url), 'pw')).project.name).toBe('ops')
    const p = profiles.create(profile(fake.url))
    profiles.setSecret({ profileId: p.id, secret: 'pw', persist: true })
    expect((await clouds.testDraft(profile(fake.url, { name: 'edited' }), undefined, p.id)).user.name).toBe('admin')
    expect((await rejection(clouds.testDraft(profile(fake.url), undefined))).code).toBe('NO_SECRET')
  })
})

describe('certificate not trusted', () => {
  let server: https.Server
  let base: string
  let caFile: string
  beforeAll(async () => {
    const dir = tempDir()
    caFile = join(dir, 'cert.pem')
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-subj', '/CN=keystone.test.local/O=Glance Desktop Test',
      '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', caFile,
    ], { stdio: 'ignore' })
    const state = { tokensIssued: 0, base: () => '' }
    server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(caFile) }, handler(state))
    base = await listen(server, 'https', state)
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  })

  it('-> TLS with the certificate subject and issuer and a hint to pick a CA file; the CA file then works', async () => {
    const e = await rejection(testConnection(profile(base), 'pw'))
    expect(e.code).toBe('TLS')
    expect(e.details).toMatchObject({ pickCaFile: true, selfSigned: true })
    expect(String(e.details?.subject)).toContain('CN=keystone.test.local')
    expect(String(e.details?.issuer)).toContain('O=Glance Desktop Test')
    expect(e.message).toMatch(/not trusted \(subject: .*CN=keystone\.test\.local.*\).*Choose the CA file/)
    const ok = await testConnection(profile(base, { caFile }), 'pw')
    expect(ok.project.name).toBe('ops')
    const insecure = await testConnection(profile(base, { insecure: true }), 'pw')
    expect(insecure.user.name).toBe('admin')
  })
})
