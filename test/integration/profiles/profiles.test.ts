/**
 * Profiles against the real loopback cloud: password and application-credential auth, both regions, a wrong password,
 * a wrong project, an unreachable host, and the OS_* way in through ProfileService + CloudConnector + the handlers.
 *
 *   set -a; . /tmp/devcloud/admin-openrc.sh; set +a; npx vitest run --project integration test/integration/profiles
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appCredentialAuth, type AppCredentialProfileAuth, type ProfileInput } from '../../../preload/api'
import { describeCloud, memberCloud, type CloudCreds } from '../../support/cloud'
import { itNeeds } from '../../support/needs'
import { CloudConnector, openCloudClient, testConnection } from '../../../main/profiles/connector'
import { ProfileService } from '../../../main/profiles/service'
import { profileHandlers } from '../../../main/profiles/handlers'
import { FileRegistry } from '../../../main/files/registry'
import { dispatch } from '../../../main/ipc/dispatch'
import { allFiles, harness } from '../../main/profiles/helpers'
import { passwordOf, profileOf as sharedProfileOf, rejection } from './helpers'

const profileOf = (c: CloudCreds, o: Partial<ProfileInput> = {}): ProfileInput =>
  sharedProfileOf(c, { name: `it-${c.username}`, defaultRegion: 'RegionOne', ...o })

async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

describeCloud('profiles against the loopback cloud', (admin) => {
  const member = memberCloud()

  it('password auth: both regions, Glance answers in each, Cinder only where the catalog has it', async () => {
    const p = profileOf(admin)
    const one = await openCloudClient(p, admin.password, 'RegionOne')
    const two = await openCloudClient(p, admin.password, 'RegionTwo')
    expect(one.region).toBe('RegionOne')
    expect(two.region).toBe('RegionTwo')
    expect(await one.glance.baseUrl()).not.toBe(await two.glance.baseUrl())
    expect(Array.isArray(await one.glance.importInfo())).toBe(true)
    expect(Array.isArray(await two.glance.importInfo())).toBe(true)
    expect(one.session.roles).toContain('admin')
    const regions = one.session.regions()
    expect(regions).toEqual(expect.arrayContaining(['RegionOne', 'RegionTwo']))
    one.session.close()
    two.session.close()
  })

  it('test connection reports regions, endpoints, Glance version, import methods, roles and capabilities', async () => {
    const r = await testConnection(profileOf(admin), admin.password)
    expect(r.ok).toBe(true)
    expect(r.user.name).toBe(admin.username)
    expect(r.project.name).toBe(admin.projectName)
    expect(r.roles).toContain('admin')
    expect(r.regions).toEqual(expect.arrayContaining(['RegionOne', 'RegionTwo']))
    const e1 = r.endpoints.find((e) => e.region === 'RegionOne')!
    const e2 = r.endpoints.find((e) => e.region === 'RegionTwo')!
    expect(e1.image).toMatch(/^http:\/\/127\.0\.0\.1:\d+/)
    expect(e2.image).toMatch(/^http:\/\/127\.0\.0\.1:\d+/)
    expect(e1.image).not.toBe(e2.image)
    expect(r.glanceVersion).toMatch(/^v2\.\d+$/)
    expect(r.importMethods.length).toBeGreaterThan(0)
    expect(r.capabilities.isAdmin).toBe(true)
    expect(r.capabilities.can.publicize.allowed).toBe(true)
    const r2 = await testConnection(profileOf(admin), admin.password, 'RegionTwo')
    expect(r2.glanceVersion).toMatch(/^v2\./)
  })

  itNeeds(member ? null : 'the cloud has no member user (test/cloud/.cloud-state)')('a member: not admin, cannot publicize', async () => {
    const r = await testConnection(profileOf(member!), member!.password)
    expect(r.roles).toContain('member')
    expect(r.capabilities.isAdmin).toBe(false)
    expect(r.capabilities.can.publicize.allowed).toBe(false)
  })

  it("a wrong password: AUTH_FAILED in the user's terms", async () => {
    const e = await rejection(testConnection(profileOf(admin), `${admin.password}-wrong`))
    expect(e.code).toBe('AUTH_FAILED')
    expect(e.details?.reason).toBe('credentials')
    expect(e.message).toMatch(/user name or password is wrong/)
  })

  it('a wrong project: the password is right, the project is unknown', async () => {
    const e = await rejection(
      testConnection(profileOf(admin, { auth: passwordOf(admin, { projectName: `no-such-project-${randomBytes(3).toString('hex')}` }) }), admin.password),
    )
    expect(e.code).toBe('AUTH_FAILED')
    expect(e.details?.reason).toBe('project')
    expect(e.message).toMatch(/does not exist or user .* has no role on it/)
  })

  it('an unreachable host: NETWORK with host:port', async () => {
    const port = await closedPort()
    const e = await rejection(testConnection(profileOf(admin, { authUrl: `http://127.0.0.1:${port}/v3` }), admin.password))
    expect(e.code).toBe('NETWORK')
    expect(e.message).toContain(`127.0.0.1:${port}`)
    expect(e.details).toMatchObject({ port })
  })

  it('a region without an image service: NO_ENDPOINT', async () => {
    const e = await rejection(openCloudClient(profileOf(admin, { regions: [], defaultRegion: '' }), admin.password, 'RegionNowhere'))
    expect(e.code).toBe('NO_ENDPOINT')
    expect(e.message).toMatch(/RegionNowhere.*RegionOne, RegionTwo/)
  })

  describe('application credentials', () => {
    let appCred: { id: string; name: string; secret: string; userId: string } | undefined
    let cleanup: (() => Promise<void>) | undefined

    beforeAll(async () => {
      const c = await openCloudClient(profileOf(admin), admin.password)
      const userId = c.session.user.id
      const name = `glance-desktop-it-${randomBytes(4).toString('hex')}`
      const base = c.session.identityUrl
      const res = await c.session.request<{ application_credential: { id: string; secret: string } }>({
        method: 'POST',
        url: `${base}/users/${userId}/application_credentials`,
        json: { application_credential: { name, description: 'Glance Desktop integration test (deleted afterwards)' } },
      })
      const ac = res.body.application_credential
      appCred = { id: ac.id, name, secret: ac.secret, userId }
      cleanup = async () => {
        await c.session.request({ method: 'DELETE', url: `${base}/users/${userId}/application_credentials/${ac.id}`, responseType: 'none' })
        c.session.close()
      }
    })
    afterAll(async () => {
      await cleanup?.()
    })

    const acProfile = (fields: Partial<Omit<AppCredentialProfileAuth, 'type'>> = {}) =>
      profileOf(admin, { auth: appCredentialAuth({ userDomainName: admin.userDomainName, appCredentialId: appCred!.id, ...fields }) })

    it('authenticates by id in both regions', async () => {
      for (const region of ['RegionOne', 'RegionTwo']) {
        const c = await openCloudClient(acProfile(), appCred!.secret, region)
        expect(c.session.project.name).toBe(admin.projectName)
        expect(Array.isArray(await c.glance.importInfo())).toBe(true)
        c.session.close()
      }
      const r = await testConnection(acProfile(), appCred!.secret, 'RegionTwo')
      expect(r.user.id).toBe(appCred!.userId)
    })

    it('authenticates by name + user', async () => {
      const c = await openCloudClient(acProfile({ appCredentialId: '', appCredentialName: appCred!.name, username: admin.username }), appCred!.secret)
      expect(c.session.user.id).toBe(appCred!.userId)
      c.session.close()
    })

    it('a wrong secret: AUTH_FAILED naming the application credential', async () => {
      const e = await rejection(testConnection(acProfile(), 'not-the-secret'))
      expect(e.code).toBe('AUTH_FAILED')
      expect(e.message).toMatch(/application credential/)
    })
  })

  it('the openstack way in: OS_* variables -> a ready env profile, both regions through the connector and the handlers, nothing secret on disk', async () => {
    const env = {
      OS_AUTH_URL: admin.authUrl,
      OS_USERNAME: admin.username,
      OS_PASSWORD: admin.password,
      OS_PROJECT_NAME: admin.projectName,
      OS_USER_DOMAIN_NAME: admin.userDomainName,
      OS_PROJECT_DOMAIN_NAME: admin.projectDomainName,
      OS_REGION_NAME: admin.region,
      OS_INTERFACE: admin.interface,
    }
    const h = harness({ env })
    const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    const clouds = new CloudConnector({ profiles, log: h.log })
    const [p] = profiles.list()
    expect(p).toMatchObject({ source: 'env', secretState: 'session', auth: { username: admin.username } })
    const one = await clouds.client({ profileId: p!.id })
    const two = await clouds.client({ profileId: p!.id, region: 'RegionTwo' })
    expect(two.session).toBe(one.session)
    expect(one.cinder).not.toBeNull()
    expect(two.cinder).toBeNull()
    const page = await two.glance.listPage({ limit: 1 })
    expect(page).toBeDefined()

    const handlers = profileHandlers({ files: new FileRegistry(), profiles, clouds })
    const tested = await dispatch(handlers, 'profiles:test', [{ profileId: p!.id, region: 'RegionTwo' }])
    expect(tested).toMatchObject({ ok: true, value: { ok: true, project: { name: admin.projectName } } })
    const saved = await dispatch(handlers, 'profiles:save', [p!.id])
    expect(saved).toMatchObject({ ok: true, value: { source: 'saved', secretState: 'stored' } })
    // Still connects after saving (same id, same credentials).
    expect((await clouds.client({ profileId: p!.id })).session.authenticated).toBe(true)
    h.log.info('integration done', { password: admin.password })
    clouds.close()

    for (const f of allFiles(h.dir)) expect(f.data.toString('latin1'), f.path).not.toContain(admin.password)
    expect(JSON.stringify(tested) + JSON.stringify(saved) + JSON.stringify(h.emitted)).not.toContain(admin.password)
  })
})
