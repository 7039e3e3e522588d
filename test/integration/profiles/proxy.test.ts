/**
 * Issue 14: a profile's proxy against the REAL loopback cloud, through a REAL forward proxy on loopback
 * (test/support/forward-proxy.ts: absolute-URI forwarding + CONNECT, counting what it saw; it forwards to the real
 * Keystone and Glance, imitating nothing). The services are the app's own (createServices over a test platform).
 *
 *   1. manual: test connection, list, an upload, a download, a streamed copy RegionOne -> RegionTwo and the URL probe
 *      all go through the proxy (it saw Keystone and both Glances by host); the bytes read back are the bytes sent;
 *   2. a no-proxy list naming the cloud's host: the proxy sees nothing, everything works;
 *   3. a refusing proxy (a closed port): NETWORK proxyRefused naming the proxy, worded in en and zh-CN;
 *   4. mode none ignores HTTP(S)_PROXY of the environment; a profile without the setting (saved before issue 14)
 *      and mode system honour it;
 *   5. an https:// Keystone (a TLS terminator in front of the real one) through CONNECT, and an https:// proxy
 *      trusted through the profile's CA file (untrusted without it: TLS proxyTls naming the proxy).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProfileDTO, ProfileInput } from '../../../preload/api'
import { createServices, type Services } from '../../../main/services'
import { inputOf, testConnection } from '../../../main/profiles/connector'
import { identityV3Url, type Session } from '../../../main/openstack/session'
import { GlanceClient } from '../../../main/openstack/glance'
import { describeError } from '../../../preload/rules/messages'
import { translator } from '../../../main/i18n'
import { describeCloud } from '../../support/cloud'
import { closedPort, startForwardProxy, type ForwardProxy, type Seen } from '../../support/forward-proxy'
import { harness, tempDir } from '../../main/profiles/helpers'
import { Cleanup, sessionFor, unique } from '../openstack/helpers'
import { fields, randomFile, sha512File } from '../transfers/helpers'
import { profileOf, rejection } from './helpers'

const en = (e: unknown): string => describeError(e, translator('en')).text
const zh = (e: unknown): string => describeError(e, translator('zh-CN')).text
const REGION1 = 'RegionOne'
const REGION2 = 'RegionTwo'

describeCloud('a profile proxy against the real cloud', (admin) => {
  let proxy: ForwardProxy
  let svc: Services
  let envSvc: Services
  let envDir = ''
  let admin0: Session
  let dir: string
  const cleanup = new Cleanup()
  const keystoneHost = new URL(identityV3Url(admin.authUrl)).host
  /** host:port of each region's Glance, from the catalog (read directly, not through the proxy). */
  const glanceHost: Record<string, string> = {}
  let glance1: GlanceClient
  let glance2: GlanceClient

  const add = (s: Services, o: Partial<ProfileInput>): ProfileDTO => {
    const p = s.profiles.create(profileOf(admin, { name: unique('proxy'), ...o }))
    return s.profiles.setSecret({ profileId: p.id, secret: admin.password, persist: true })
  }
  const since = (mark: number): Seen[] => proxy.seen.slice(mark)
  const hosts = (seen: Seen[]) => [...new Set(seen.map((s) => s.host))].sort()

  beforeAll(async () => {
    dir = tempDir('gd-it-proxy-')
    proxy = await startForwardProxy()
    const h = harness()
    svc = await createServices(h.platform, { logger: h.log })
    const h2 = harness({ env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } })
    envSvc = await createServices(h2.platform, { logger: h2.log })
    envDir = h2.dir
    admin0 = sessionFor(admin)
    await admin0.authenticate()
    for (const r of [REGION1, REGION2]) glanceHost[r] = new URL(admin0.endpoint('image', r)).host
    glance1 = new GlanceClient(admin0, REGION1)
    glance2 = new GlanceClient(admin0, REGION2)
  })
  afterAll(async () => {
    await cleanup.run()
    admin0?.close()
    for (const s of [svc, envSvc]) {
      await s?.close()
      s?.clouds.close()
    }
    await proxy?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('manual: test, list, upload, download, a streamed copy and the URL probe all go through the proxy; the bytes read back are the bytes sent', async () => {
    const p = add(svc, { proxy: { mode: 'manual', httpProxy: proxy.url } })
    const ctx = { profileId: p.id, region: REGION1 }

    let mark = proxy.seen.length
    const report = await svc.clouds.test(ctx)
    expect(report.ok).toBe(true)
    expect(report.user.name).toBe(admin.username)
    let seen = since(mark)
    expect(seen).toContainEqual({ method: 'POST', host: keystoneHost, path: '/v3/auth/tokens' })
    expect(seen.some((s) => s.host === glanceHost[REGION1])).toBe(true)

    mark = proxy.seen.length
    const page = await svc.images.list(ctx, { limit: 5 })
    expect(Array.isArray(page.images)).toBe(true)
    seen = since(mark)
    expect(seen.some((s) => s.method === 'POST' && s.host === keystoneHost && s.path === '/v3/auth/tokens')).toBe(true)
    expect(seen.some((s) => s.method === 'GET' && s.host === glanceHost[REGION1] && s.path.startsWith('/v2/images'))).toBe(true)

    // an upload of a small image, through the queue
    const src = join(dir, 'small.raw')
    randomFile(src, 2 * 1024 * 1024 + 4321)
    const want = await sha512File(src)
    mark = proxy.seen.length
    const created = await svc.images.create(ctx, {
      name: unique('proxy-upload'),
      fields,
      diskFormat: 'raw',
      source: { kind: 'file', fileHandle: svc.files.register(src, 'read').handle },
    })
    const up = await svc.transfers.waitFor(created.jobId!, ['done', 'failed', 'cancelled'], 180_000)
    expect(up.state, up.error?.message).toBe('done')
    const imageId = cleanup.add(glance1, up.imageId!)
    expect(since(mark)).toContainEqual({ method: 'PUT', host: glanceHost[REGION1]!, path: `/v2/images/${imageId}/file` })
    // Glance (asked directly) holds exactly these bytes
    expect((await glance1.get(imageId)).os_hash_value).toBe(want)

    // a download of it
    mark = proxy.seen.length
    const out = join(dir, 'back.raw')
    const down = await svc.transfers.enqueueDownload(ctx, { imageId, path: out })
    const got = await svc.transfers.waitFor(down.id, ['done', 'failed', 'cancelled'], 180_000)
    expect(got.state, got.error?.message).toBe('done')
    expect(await sha512File(out)).toBe(want)
    expect(
      since(mark)
        .filter((s) => s.method === 'GET' && s.path === `/v2/images/${imageId}/file`)
        .map((s) => s.host),
    ).toContain(glanceHost[REGION1])

    // a copy to RegionTwo streamed through this process: both Glances through the proxy
    mark = proxy.seen.length
    const copy = await svc.copy.start({ source: ctx, imageIds: [imageId], targets: [{ profileId: p.id, region: REGION2 }], method: 'stream' })
    expect(copy.jobs).toHaveLength(1)
    const copied = await svc.transfers.waitFor(copy.jobs[0]!.id, ['done', 'failed', 'cancelled'], 180_000)
    expect(copied.state, copied.error?.message).toBe('done')
    const copyId = cleanup.add(glance2, copied.imageId!)
    expect((await glance2.get(copyId)).os_hash_value).toBe(want)
    seen = since(mark)
    expect(seen).toContainEqual({ method: 'GET', host: glanceHost[REGION1]!, path: `/v2/images/${imageId}/file` })
    expect(seen).toContainEqual({ method: 'PUT', host: glanceHost[REGION2]!, path: `/v2/images/${copyId}/file` })

    // the URL probe before a web-download import: a web page is refused, and the proxy saw the probe
    const page2 = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>sign in</body></html>'))
    await new Promise<void>((r) => page2.listen(0, '127.0.0.1', r))
    const pageHost = `127.0.0.1:${(page2.address() as AddressInfo).port}`
    try {
      mark = proxy.seen.length
      const e = await rejection(
        svc.images.create(ctx, { name: unique('proxy-url'), fields, diskFormat: 'qcow2', source: { kind: 'url', url: `http://${pageHost}/disk.qcow2` } }),
      )
      expect(e.details?.reason).toBe('urlWebPage')
      expect(proxy.to(pageHost).length).toBeGreaterThan(0)
      expect(
        since(mark)
          .filter((s) => s.host === pageHost)
          .map((s) => s.method),
      ).toEqual(['HEAD', 'GET'])
    } finally {
      page2.closeAllConnections()
      await new Promise((r) => page2.close(r))
    }
  })

  it('a no-proxy list naming the cloud host: the proxy sees nothing, and everything works (also for a session opened before the change)', async () => {
    const names = [...new Set([keystoneHost, glanceHost[REGION1]!, glanceHost[REGION2]!].map((h) => new URL(`http://${h}`).hostname))]
    const p = add(svc, { proxy: { mode: 'manual', httpProxy: proxy.url } })
    let mark = proxy.seen.length
    await svc.images.list({ profileId: p.id, region: REGION2 }, { limit: 3 })
    expect(hosts(since(mark))).toEqual([...new Set([keystoneHost, glanceHost[REGION2]!])].sort())
    // the same profile, now with the cloud under "no proxy": its cached session is dropped, nothing goes to the proxy
    svc.profiles.update(p.id, { ...inputOf(svc.profiles.get(p.id)), proxy: { mode: 'manual', httpProxy: proxy.url, noProxy: names.join(', ') } })
    mark = proxy.seen.length
    const page = await svc.images.list({ profileId: p.id, region: REGION2 }, { limit: 3 })
    expect(Array.isArray(page.images)).toBe(true)
    const report = await svc.clouds.test({ profileId: p.id, region: REGION1 })
    expect(report.ok).toBe(true)
    expect(since(mark)).toEqual([])
  })

  it('a refusing proxy (closed port): NETWORK proxyRefused naming the proxy, worded in en and zh-CN, for the test and for a list', async () => {
    const port = await closedPort()
    const p = add(svc, { proxy: { mode: 'manual', httpProxy: `http://127.0.0.1:${port}` } })
    for (const call of [() => svc.clouds.test({ profileId: p.id }), () => svc.images.list({ profileId: p.id, region: REGION1 }, {})]) {
      const e = await rejection(call())
      expect(e.code).toBe('NETWORK')
      expect(e.details).toMatchObject({ reason: 'proxyRefused', params: { proxy: `127.0.0.1:${port}`, host: keystoneHost } })
      expect(en(e)).toBe(
        `The proxy 127.0.0.1:${port} refused the connection (nothing listens there), so ${keystoneHost} was not reached. Check the proxy in the profile (or HTTPS_PROXY / HTTP_PROXY for the system proxy), or choose no proxy.`,
      )
      expect(zh(e)).toContain(`代理 127.0.0.1:${port} 拒绝了连接`)
      expect(zh(e)).toContain(keystoneHost)
    }
  })

  it('mode none ignores HTTP(S)_PROXY of the environment; system (and a profile saved without the setting) honours it', async () => {
    const none = add(envSvc, { proxy: { mode: 'none' } })
    const old = add(envSvc, {})
    const system = add(envSvc, { proxy: { mode: 'system' } })
    const stored = JSON.parse(readFileSync(join(envDir, 'settings.json'), 'utf8')) as { profiles: ProfileInput[] }
    expect(stored.profiles.find((x) => x.name === old.name)).not.toHaveProperty('proxy')

    let mark = proxy.seen.length
    expect((await envSvc.clouds.test({ profileId: none.id })).ok).toBe(true)
    expect(since(mark)).toEqual([])

    for (const p of [old, system]) {
      mark = proxy.seen.length
      expect((await envSvc.clouds.test({ profileId: p.id })).ok).toBe(true)
      const seen = since(mark)
      expect(seen, p.name).toContainEqual({ method: 'POST', host: keystoneHost, path: '/v3/auth/tokens' })
      expect(hosts(seen)).toContain(glanceHost[REGION1])
    }
  })

  describe('TLS: an https:// Keystone through CONNECT, an https:// proxy', () => {
    let tlsDir: string
    let caFile: string
    let terminator: https.Server
    let tlsAuthUrl = ''
    let tlsProxy: ForwardProxy
    beforeAll(async () => {
      tlsDir = tempDir('gd-it-proxy-tls-')
      caFile = join(tlsDir, 'cert.pem')
      const key = join(tlsDir, 'key.pem')
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
          '/CN=proxy.test.local',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          caFile,
        ],
        { stdio: 'ignore' },
      )
      const ks = new URL(identityV3Url(admin.authUrl))
      // in front of the real Keystone: every request piped to it, its answer piped back
      terminator = https.createServer({ key: readFileSync(key), cert: readFileSync(caFile) }, (req, res) => {
        const up = http.request({ host: ks.hostname, port: ks.port, method: req.method, path: req.url, headers: { ...req.headers, host: ks.host } }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers)
          r.pipe(res)
        })
        up.on('error', () => res.destroy())
        req.pipe(up)
      })
      await new Promise<void>((r) => terminator.listen(0, '127.0.0.1', r))
      tlsAuthUrl = `https://127.0.0.1:${(terminator.address() as AddressInfo).port}${ks.pathname}`
      tlsProxy = await startForwardProxy({ tls: { key: readFileSync(key), cert: readFileSync(caFile) } })
    })
    afterAll(async () => {
      await tlsProxy?.close()
      terminator?.closeAllConnections()
      await new Promise<void>((r) => (terminator ? terminator.close(() => r()) : r()))
      if (tlsDir) rmSync(tlsDir, { recursive: true, force: true })
    })

    it('an https:// auth URL goes through a CONNECT tunnel (the proxy sees the authority, not the password); Glance (http://) by absolute URI', async () => {
      const profile = profileOf(admin, { name: unique('proxy-connect'), authUrl: tlsAuthUrl, caFile, proxy: { mode: 'manual', httpProxy: proxy.url } })
      const mark = proxy.seen.length
      const report = await testConnection(profile, admin.password, REGION1, undefined, {})
      expect(report.ok).toBe(true)
      const seen = since(mark)
      const authority = new URL(tlsAuthUrl).host
      expect(seen).toContainEqual({ method: 'CONNECT', host: authority, path: '' })
      expect(seen.filter((s) => s.host === authority).every((s) => s.method === 'CONNECT')).toBe(true)
      expect(seen.some((s) => s.method === 'GET' && s.host === glanceHost[REGION1])).toBe(true)
    })

    it('an https:// proxy trusted through the profile CA file works; without it: TLS proxyTls naming the proxy (en + zh-CN)', async () => {
      const base = profileOf(admin, { name: unique('proxy-tls'), proxy: { mode: 'manual', httpProxy: tlsProxy.url } })
      const ok = await testConnection({ ...base, caFile }, admin.password, REGION1, undefined, {})
      expect(ok.ok).toBe(true)
      expect(tlsProxy.seen).toContainEqual({ method: 'POST', host: keystoneHost, path: '/v3/auth/tokens' })
      const e = await rejection(testConnection({ ...base, caFile: '' }, admin.password, REGION1, undefined, {}))
      expect(e.code).toBe('TLS')
      expect(e.details).toMatchObject({ reason: 'proxyTls', params: { proxy: `127.0.0.1:${tlsProxy.port}` } })
      expect(en(e)).toContain(`The certificate of the proxy 127.0.0.1:${tlsProxy.port} is not trusted`)
      expect(zh(e)).toContain(`代理 127.0.0.1:${tlsProxy.port} 的证书不受信任`)
    })
  })
})
