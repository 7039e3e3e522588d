/**
 * The connector and "test connection" against the REAL loopback Keystone + Glance: the report, wrong password vs
 * unknown project, a region without an image service (a real region made in Keystone for the test, then deleted),
 * an unreachable host, the session cache per profile, testDraft, and an untrusted certificate (a TLS-terminating
 * proxy with a self-signed certificate made by openssl in front of the real Keystone).
 * Keystone is reached through a counting pass-through proxy (test/support/fault-proxy.ts) so that the tokens issued
 * can be counted; every URL comes from the credentials or the catalog.
 *
 *   set -a; . /tmp/devcloud/admin-openrc.sh; set +a; CLOUD_STATE_DIR=/tmp/devcloud \
 *     npx vitest run --project integration test/integration/profiles/connector.test.ts
 *
 * The pure mapping (sessionOptions) is in test/main/profiles/connector.test.ts.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProfileInput } from '../../../preload/api'
import { CloudConnector, openCloudClient, testConnection } from '../../../main/profiles/connector'
import { identityV3Url } from '../../../main/openstack/session'
import { ProfileService } from '../../../main/profiles/service'
import type { Session } from '../../../main/openstack/session'
import { describeCloud, memberCloud, type CloudCreds } from '../../support/cloud'
import { startFaultProxy, type FaultProxy, type RuleHandle } from '../../support/fault-proxy'
import { sessionFor } from '../openstack/helpers'
import { harness, tempDir } from '../../main/profiles/helpers'
import { passwordOf, profileOf as sharedProfileOf, rejection } from './helpers'
import { describeError } from '../../../preload/rules/messages'
import { translator } from '../../../main/i18n'

/** The sentence the UI shows for an error, in each language (issue 14.7: worded from reason + params, not `message`). */
const zh = (e: unknown): string => describeError(e, translator('zh-CN')).text
const en = (e: unknown): string => describeError(e, translator('en')).text

const profileOf = (c: CloudCreds, o: Partial<ProfileInput> = {}): ProfileInput => sharedProfileOf(c, { name: `it-connector-${c.username}`, ...o })

/** The origin (scheme://host:port) and path of Keystone's v3 root, from the credentials' auth URL. */
function keystone(c: CloudCreds): { origin: string; v3Path: string } {
  const u = new URL(identityV3Url(c.authUrl))
  return { origin: u.origin, v3Path: u.pathname.replace(/\/+$/, '') }
}

/** Keystone admin API calls (regions, endpoints) with the admin's session. */
async function identity<T>(s: Session, c: CloudCreds, method: string, path: string, json?: unknown): Promise<T> {
  const r = await s.request<T>({
    method,
    url: `${identityV3Url(c.authUrl)}${path}`,
    ...(json ? { json } : {}),
    ...(method === 'DELETE' ? { responseType: 'none' } : {}),
  })
  return r.body
}

describeCloud('connector against the real cloud', (admin) => {
  let ks: FaultProxy
  let tokens: RuleHandle
  let authUrl: string
  let admin0: Session
  /** Glance and Cinder per region, as the catalog (read directly) says. */
  const catalog: Record<string, { image?: string; volume?: string }> = {}
  const profile = (o: Partial<ProfileInput> = {}) => profileOf(admin, { authUrl, ...o })

  beforeAll(async () => {
    const k = keystone(admin)
    ks = await startFaultProxy({ target: k.origin })
    tokens = ks.addRule({ name: 'tokens', method: 'POST', path: /^\/v3\/auth\/tokens/, action: { kind: 'pass' } })
    authUrl = `${ks.url}${k.v3Path}`
    admin0 = sessionFor(admin)
    await admin0.authenticate()
    for (const r of admin0.regions()) {
      const e: { image?: string; volume?: string } = {}
      try {
        e.image = admin0.endpoint('image', r)
      } catch {
        /* none */
      }
      try {
        e.volume = admin0.endpoint('volumev3', r)
      } catch {
        /* none */
      }
      catalog[r] = e
    }
  })
  afterAll(async () => {
    admin0?.close()
    await ks?.close()
  })

  it('testConnection reports user, project, roles, regions, endpoints, version, import methods, stores, quota, capabilities', async () => {
    const r = await testConnection(profile(), admin.password)
    expect(r).toMatchObject({
      ok: true,
      user: { id: admin0.user.id, name: admin.username },
      project: { id: admin0.project.id, name: admin.projectName },
    })
    expect(r.roles).toEqual(expect.arrayContaining(['admin', 'member', 'reader']))
    expect(r.regions).toEqual(expect.arrayContaining(['RegionOne', 'RegionTwo']))
    expect(catalog.RegionOne?.image).toBeTruthy()
    expect(catalog.RegionTwo?.image).toBeTruthy()
    expect(r.endpoints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ region: 'RegionOne', image: catalog.RegionOne!.image }),
        expect.objectContaining({ region: 'RegionTwo', image: catalog.RegionTwo!.image }),
      ]),
    )
    expect(r.glanceVersion).toMatch(/^v2\.\d+$/)
    expect(r.importMethods).toEqual(expect.arrayContaining(['glance-direct', 'web-download']))
    expect(Array.isArray(r.stores)).toBe(true)
    expect(r.capabilities.isAdmin).toBe(true)
    expect(r.capabilities.can.publicize.allowed).toBe(true)
    expect(Date.parse(r.tokenExpiresAt)).toBeGreaterThan(Date.now())
    // RegionOne's Glance has a single store (no /v2/info/stores); quota only when Glance reports usage
    if (r.quota) expect(typeof r.quota).toBe('object')
  })

  it("a member, in RegionTwo: no admin capabilities, no publicizing; the region's stores", async () => {
    const member = memberCloud()
    expect(member, 'the loopback cloud has a demo (member) user').not.toBeNull()
    const r = await testConnection(profileOf(member!, { authUrl }), member!.password, 'RegionTwo')
    expect(r.user.name).toBe(member!.username)
    expect(r.project.name).toBe(member!.projectName)
    expect(r.roles).toContain('member')
    expect(r.roles).not.toContain('admin')
    expect(r.capabilities.isAdmin).toBe(false)
    expect(r.capabilities.can.publicize.allowed).toBe(false)
    // a volume can only be made where the catalog has a block-storage service
    if (!catalog.RegionTwo?.volume) expect(r.capabilities.can.createVolume.allowed).toBe(false)
    // RegionTwo's Glance has several stores (test/cloud/README.md), exactly one of them the default
    expect(r.stores.length).toBeGreaterThan(1)
    expect(r.stores.filter((x) => x.default)).toHaveLength(1)
  })

  it('wrong password -> AUTH_FAILED (credentials); right password, unknown project -> AUTH_FAILED (project)', async () => {
    const nosuch = `nosuch-${randomBytes(4).toString('hex')}`
    const [wrong, proj] = await Promise.all([
      rejection(testConnection(profile(), `${admin.password}-nope`)),
      rejection(testConnection(profile({ auth: passwordOf(admin, { projectName: nosuch }) }), admin.password)),
    ])
    expect(wrong.code).toBe('AUTH_FAILED')
    expect(wrong.details?.reason).toBe('credentials')
    expect(wrong.message).toMatch(/user name or password is wrong/)
    expect(proj.code).toBe('AUTH_FAILED')
    expect(proj.details?.reason).toBe('project')
    expect(proj.message).toMatch(new RegExp(`project ${nosuch} .* does not exist or user ${admin.username} has no role`))
    // B3: the UI words them from reason + params, in the UI's language
    expect(zh(wrong)).toBe(`用户名或密码错误：Keystone 拒绝了用户 ${admin.username}（域 ${admin.userDomainName}）。`)
    expect(en(wrong)).toBe(`The user name or password is wrong: Keystone refused user ${admin.username} (domain ${admin.userDomainName}).`)
    expect(zh(proj)).toContain(`项目 ${nosuch}`)
    expect(zh(proj)).toContain(`用户 ${admin.username}`)
    expect(en(proj)).toContain(`project ${nosuch}`)
  })

  it('no image service in a region (a real region with only an identity endpoint) -> NO_ENDPOINT naming the regions that have one', async () => {
    const region = `RegionEmpty-${randomBytes(4).toString('hex')}`
    const s = sessionFor(admin)
    let endpointId: string | undefined
    let made = false
    try {
      await identity(s, admin, 'POST', '/regions', { region: { id: region, description: 'glance-desktop connector test (temporary)' } })
      made = true
      const { services } = await identity<{ services: { id: string; type: string }[] }>(s, admin, 'GET', '/services?type=identity')
      const identityUrl = admin0.endpoint('identity', admin.region)
      const created = await identity<{ endpoint: { id: string } }>(s, admin, 'POST', '/endpoints', {
        endpoint: { service_id: services[0]!.id, interface: 'public', region_id: region, url: identityUrl },
      })
      endpointId = created.endpoint.id

      const [e, r, o] = await Promise.all([
        rejection(testConnection(profile(), admin.password, region)),
        testConnection(profile(), admin.password),
        rejection(openCloudClient(profile(), admin.password, region)),
      ])
      expect(e.code).toBe('NO_ENDPOINT')
      const withImage = Object.keys(catalog).filter((r) => catalog[r]!.image)
      expect(e.message).toMatch(new RegExp(`no image service \\(Glance\\) in region ${region}; this cloud has one in: `))
      for (const r of withImage) expect(e.message).toContain(r)
      expect(e.details).toMatchObject({ region, serviceType: 'image' })
      expect((e.details as { available: string[] }).available.sort()).toEqual(withImage.sort())
      expect(o.code).toBe('NO_ENDPOINT')
      // the region is in the catalog (its identity endpoint), without an image endpoint
      expect(r.regions).toContain(region)
      expect(r.endpoints.find((x) => x.region === region)).toEqual({ region })
    } finally {
      if (endpointId) await identity(s, admin, 'DELETE', `/endpoints/${endpointId}`).catch(() => {})
      if (made) await identity(s, admin, 'DELETE', `/regions/${region}`).catch(() => {})
      s.close()
    }
    // and it is gone again
    const gone = sessionFor(admin)
    try {
      await expect(identity(gone, admin, 'GET', `/regions/${region}`)).rejects.toMatchObject({ status: 404 })
    } finally {
      gone.close()
    }
  })

  it('unreachable host -> NETWORK with host:port', async () => {
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const port = (srv.address() as AddressInfo).port
    await new Promise<void>((r) => srv.close(() => r()))
    const e = await rejection(testConnection(profile({ authUrl: `http://127.0.0.1:${port}/v3` }), admin.password))
    expect(e.code).toBe('NETWORK')
    expect(e.message).toContain(`Cannot reach 127.0.0.1:${port}: the connection was refused`)
    expect(e.details).toMatchObject({ host: '127.0.0.1', port, os: 'ECONNREFUSED', reason: 'refused', params: { host: `127.0.0.1:${port}`, phase: 'auth' } })
    expect(zh(e)).toBe(`无法连接 127.0.0.1:${port}：连接被拒绝（该地址没有服务在监听）。请检查地址、网络、VPN 或代理。`)
    expect(en(e)).toBe(`Cannot reach 127.0.0.1:${port}: the connection was refused (nothing listens there). Check the address, your network, VPN or proxy.`)
  })

  it('CloudConnector: one session per profile shared by regions, dropped when the secret or profile changes; NO_SECRET', async () => {
    const h = harness()
    const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    const clouds = new CloudConnector({ profiles, log: h.log })
    const p = profiles.create(profile())
    expect((await rejection(clouds.client({ profileId: p.id }))).code).toBe('NO_SECRET')
    expect((await rejection(clouds.client({ profileId: 'ghost' }))).code).toBe('PROFILE_NOT_FOUND')
    profiles.setSecret({ profileId: p.id, secret: admin.password, persist: true })
    const before = tokens.matched
    const c1 = await clouds.client({ profileId: p.id })
    const c2 = await clouds.client({ profileId: p.id, region: 'RegionTwo' })
    expect(c1.region).toBe(admin.region)
    expect(c2.region).toBe('RegionTwo')
    expect(c2.session).toBe(c1.session)
    expect(c1.cinder === null).toBe(!catalog[admin.region]?.volume)
    expect(c2.cinder === null).toBe(!catalog.RegionTwo?.volume)
    expect(c1.keys).toEqual(p.propertyKeys)
    expect(tokens.matched).toBe(before + 1)
    // the clients work: both regions' Glance answer with the one token
    expect(await c1.glance.importInfo()).toContain('web-download')
    expect(await c2.glance.importInfo()).toContain('web-download')
    expect(tokens.matched).toBe(before + 1)
    // profiles:test on the saved profile: a fresh authentication, reported.
    expect((await clouds.test({ profileId: p.id, region: admin.region })).project.name).toBe(admin.projectName)
    expect(tokens.matched).toBe(before + 2)
    // Notes do not matter to the session; credentials do.
    profiles.update(p.id, { ...profile(), notes: 'hello' })
    expect((await clouds.client({ profileId: p.id })).session).toBe(c1.session)
    expect(tokens.matched).toBe(before + 2)
    profiles.setSecret({ profileId: p.id, secret: `${admin.password}-nope`, persist: false })
    expect((await rejection(clouds.client({ profileId: p.id }))).code).toBe('AUTH_FAILED')
    profiles.setSecret({ profileId: p.id, secret: admin.password, persist: false })
    const c3 = await clouds.client({ profileId: p.id })
    expect(c3.session).not.toBe(c1.session)
    profiles.remove(p.id)
    expect((await rejection(clouds.client({ profileId: p.id }))).code).toBe('PROFILE_NOT_FOUND')
    rmSync(h.dir, { recursive: true, force: true })
  })

  it('testDraft tests an unsaved profile, with the typed secret or the stored one', async () => {
    const h = harness()
    const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    const clouds = new CloudConnector({ profiles, log: h.log })
    expect((await clouds.testDraft(profile(), admin.password)).project.name).toBe(admin.projectName)
    const p = profiles.create(profile())
    profiles.setSecret({ profileId: p.id, secret: admin.password, persist: true })
    expect((await clouds.testDraft(profile({ name: 'edited' }), undefined, p.id)).user.name).toBe(admin.username)
    expect((await rejection(clouds.testDraft(profile(), undefined))).code).toBe('NO_SECRET')
    rmSync(h.dir, { recursive: true, force: true })
  })

  describe('certificate not trusted (a TLS-terminating proxy with a self-signed certificate in front of the real Keystone)', () => {
    let server: https.Server
    let dir: string
    let base: string
    let caFile: string
    beforeAll(async () => {
      dir = tempDir('gd-it-tls-')
      caFile = join(dir, 'cert.pem')
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=keystone.test.local/O=Glance Desktop Test',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          caFile,
        ],
        { stdio: 'ignore' },
      )
      const target = new URL(keystone(admin).origin)
      // a proxy, not an imitation: every request is piped to the real Keystone and its answer piped back
      server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(caFile) }, (req, res) => {
        const up = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers)
            r.pipe(res)
          },
        )
        up.on('error', () => res.destroy())
        req.pipe(up)
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(async () => {
      server?.closeAllConnections()
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it('-> TLS with the certificate subject and issuer and a hint to pick a CA file; the CA file then works', async () => {
      const tls = (o: Partial<ProfileInput> = {}) => profile({ authUrl: `${base}${keystone(admin).v3Path}`, ...o })
      const e = await rejection(testConnection(tls(), admin.password))
      expect(e.code).toBe('TLS')
      expect(e.details).toMatchObject({ pickCaFile: true, selfSigned: true })
      expect(String(e.details?.subject)).toContain('CN=keystone.test.local')
      expect(String(e.details?.issuer)).toContain('O=Glance Desktop Test')
      expect(e.message).toMatch(/not trusted \(subject: .*CN=keystone\.test\.local.*\).*Choose the CA file/)
      expect(zh(e)).toMatch(/^.+ 的证书不受信任（主题：.*CN=keystone\.test\.local.*；签发者：.*O=Glance Desktop Test.*）。/)
      expect(zh(e)).toContain('CA 文件')
      expect(en(e)).toMatch(/not trusted \(subject: .*CN=keystone\.test\.local.*issuer: .*O=Glance Desktop Test/)
      const [ok, insecure] = await Promise.all([testConnection(tls({ caFile }), admin.password), testConnection(tls({ insecure: true }), admin.password)])
      expect(ok.project.name).toBe(admin.projectName)
      expect(ok.user.id).toBe(admin0.user.id)
      expect(insecure.user.name).toBe(admin.username)
    })
  })
})
