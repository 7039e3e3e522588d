/**
 * Issue 14: a profile's proxy setting, the pure parts: the rules (preload/rules/proxy.ts) and the profile schema,
 * proxyEnvFor (the one place a profile's setting becomes proxy variables), sessionOptions, the trust rule and the
 * openrc export. The requests themselves through a real proxy: test/main/openstack/http-proxy.test.ts (local
 * servers) and test/integration/proxy.test.ts (the loopback cloud).
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ProfileProxy } from '../../../preload/api'
import { manualProxyUrls, noProxyEntries, proxyOf, proxyProblems, proxyUrlProblem } from '../../../preload/rules/proxy'
import { zProfileInput } from '../../../main/profiles/model'
import { zStoredProfile } from '../../../main/profiles/profile-store'
import { proxyEnvFor, proxyFor } from '../../../main/openstack/proxy'
import { sessionOptions } from '../../../main/profiles/connector'
import { trustChanges } from '../../../main/profiles/trust'
import { toOpenrc } from '../../../main/profiles/openrc-export'
import { profileFromOpenrc } from '../../../main/profiles/openrc'
import { sampleProfile, tempDir } from './helpers'

const reason = (url: string) => proxyUrlProblem(url)?.reason ?? null

describe('proxy URL rules', () => {
  it('accepts http:// and https:// proxies with a host (and a port, a trailing slash, IPv6)', () => {
    for (const ok of ['http://proxy.example.com:3128', 'https://proxy.example.com', 'http://10.0.0.1:8080/', 'http://[::1]:3128', 'HTTP://Proxy:80']) {
      expect(proxyUrlProblem(ok), ok).toBeNull()
    }
  })
  it('refuses SOCKS, saying it is not supported', () => {
    for (const s of ['socks5://127.0.0.1:1080', 'socks5h://p:1080', 'socks4://p:1080', 'socks://p']) {
      const p = proxyUrlProblem(s)
      expect(p?.reason, s).toBe('proxySocks')
      expect(p?.message).toMatch(/SOCKS proxies .* are not supported/)
    }
    expect(proxyUrlProblem('socks5://p:1080')?.params).toEqual({ scheme: 'socks5' })
  })
  it('refuses other schemes, no scheme, no host, blanks and control characters', () => {
    expect(reason('ftp://proxy:21')).toBe('proxyScheme')
    expect(proxyUrlProblem('ftp://proxy:21')?.params).toEqual({ scheme: 'ftp' })
    expect(reason('proxy.example.com:3128')).toBe('proxyNotUrl')
    expect(reason('http://')).toBe('proxyNotUrl')
    expect(reason('http://proxy :3128')).toBe('proxyNotUrl')
    expect(reason('http://pro\nxy:3128')).toBe('proxyNotUrl')
    expect(reason('http://:3128')).toBe('proxyNotUrl')
    expect(reason('')).toBe('proxyNotUrl')
  })
  it('refuses user:password@ (proxy authentication is not supported yet: the password would sit in settings.json)', () => {
    for (const u of ['http://user:secret@proxy:3128', 'http://user@proxy:3128', 'http://@proxy:3128', 'https://u:p@proxy']) {
      const p = proxyUrlProblem(u)
      expect(p?.reason, u).toBe('proxyUserinfo')
      expect(p?.message).toMatch(/Proxy authentication is not supported yet/)
      expect(p?.message).not.toContain('secret')
    }
  })
  it('refuses a path, query or fragment', () => {
    expect(reason('http://proxy:3128/proxy.pac')).toBe('proxyPath')
    expect(reason('http://proxy:3128/?x=1')).toBe('proxyPath')
    expect(reason('http://proxy:3128/#x')).toBe('proxyPath')
  })
})

describe('proxy setting rules', () => {
  it('manual needs a URL; either one is enough', () => {
    expect(proxyProblems({ mode: 'manual' }).map((p) => [p.field, p.reason])).toEqual([['httpProxy', 'proxyMissing']])
    expect(proxyProblems({ mode: 'manual', httpsProxy: 'http://p:3128' })).toEqual([])
    expect(proxyProblems({ mode: 'manual', httpProxy: 'http://p:3128' })).toEqual([])
    expect(proxyProblems({ mode: 'system' })).toEqual([])
    expect(proxyProblems({ mode: 'none' })).toEqual([])
  })
  it('names the field of each problem', () => {
    const p = proxyProblems({ mode: 'manual', httpProxy: 'socks5://p:1', httpsProxy: 'http://u:p@q', noProxy: 'ok.example.com, bad/entry' })
    expect(p.map((x) => [x.field, x.reason])).toEqual([
      ['httpProxy', 'proxySocks'],
      ['httpsProxy', 'proxyUserinfo'],
      ['noProxy', 'noProxyEntry'],
    ])
    expect(p[2]!.params).toEqual({ entry: 'bad/entry' })
  })
  it('no-proxy lists: hosts, .domains, *.domains, host:port, IPv4 CIDRs, IPv6, *; commas or blanks', () => {
    const list = 'localhost, 127.0.0.1,.internal.example.com *.corp 10.0.0.0/8 api.example.com:5000 [::1]:443 ::1 *'
    expect(noProxyEntries(list)).toHaveLength(9)
    expect(proxyProblems({ mode: 'manual', httpProxy: 'http://p:1', noProxy: list })).toEqual([])
    for (const bad of ['http://x', 'a/b', 'a;b', 'é.example']) {
      expect(
        proxyProblems({ mode: 'manual', httpProxy: 'http://p:1', noProxy: bad }).map((x) => x.reason),
        bad,
      ).toEqual(['noProxyEntry'])
    }
  })
  it('httpsProxy falls back to httpProxy; an absent setting is the system proxy', () => {
    expect(manualProxyUrls({ mode: 'manual', httpProxy: 'http://a:1' })).toEqual({ http: 'http://a:1', https: 'http://a:1' })
    expect(manualProxyUrls({ mode: 'manual', httpProxy: 'http://a:1', httpsProxy: 'http://b:2' })).toEqual({ http: 'http://a:1', https: 'http://b:2' })
    expect(manualProxyUrls({ mode: 'manual', httpsProxy: 'http://b:2' })).toEqual({ https: 'http://b:2' })
    expect(proxyOf(sampleProfile())).toEqual({ mode: 'system' })
  })
})

describe('the profile schema', () => {
  const withProxy = (proxy: unknown) => ({ ...sampleProfile(), proxy })
  it('takes each mode; a profile saved before issue 14 (no field) still validates, as stored and as input', () => {
    for (const proxy of [{ mode: 'system' }, { mode: 'none' }, { mode: 'manual', httpProxy: 'http://p:3128', noProxy: 'localhost' }]) {
      expect(zProfileInput.safeParse(withProxy(proxy)).success, JSON.stringify(proxy)).toBe(true)
    }
    const old = sampleProfile()
    expect('proxy' in old).toBe(false)
    expect(zProfileInput.safeParse(old).success).toBe(true)
    expect(zStoredProfile.safeParse({ ...old, id: 'p1' }).success).toBe(true)
  })
  it('refuses SOCKS, userinfo, an unknown mode or key, with the English message at the field', () => {
    const socks = zProfileInput.safeParse(withProxy({ mode: 'manual', httpProxy: 'socks5://p:1080' }))
    expect(socks.success).toBe(false)
    expect(socks.error!.issues[0]!.path).toEqual(['proxy', 'httpProxy'])
    expect(socks.error!.issues[0]!.message).toMatch(/not supported/)
    const cred = zProfileInput.safeParse(withProxy({ mode: 'manual', httpProxy: 'http://u:pw@p:3128' }))
    expect(cred.error!.issues[0]!.message).toMatch(/Proxy authentication is not supported yet/)
    expect(zProfileInput.safeParse(withProxy({ mode: 'pac' })).success).toBe(false)
    expect(zProfileInput.safeParse(withProxy({ mode: 'manual', httpProxy: 'http://p:1', password: 'x' })).success).toBe(false)
    expect(zProfileInput.safeParse(withProxy({ mode: 'manual' })).success).toBe(false)
  })
})

describe('proxyEnvFor', () => {
  const env = { HTTPS_PROXY: 'http://sys:3128', http_proxy: 'http://sys2:3128', NO_PROXY: '.corp', PATH: '/usr/bin', OS_PASSWORD: 'pw' }
  const profile = (proxy?: ProfileProxy) => (proxy ? { proxy } : {})
  it('system (and no setting): the environment proxy variables only, nothing else of it', () => {
    expect(proxyEnvFor(profile(), env)).toEqual({ HTTPS_PROXY: 'http://sys:3128', http_proxy: 'http://sys2:3128', NO_PROXY: '.corp' })
    expect(proxyEnvFor(profile({ mode: 'system' }), env)).toEqual(proxyEnvFor(profile(), env))
  })
  it('none: nothing, whatever the environment says', () => {
    expect(proxyEnvFor(profile({ mode: 'none' }), env)).toEqual({})
    expect(proxyFor('https://keystone.example.com:5000', proxyEnvFor(profile({ mode: 'none' }), env))).toBeNull()
  })
  it('manual: the profile values alone (the environment is ignored)', () => {
    const e = proxyEnvFor(profile({ mode: 'manual', httpProxy: 'http://p:3128', noProxy: ' 10.0.0.0/8 ' }), env)
    expect(e).toEqual({ HTTP_PROXY: 'http://p:3128', HTTPS_PROXY: 'http://p:3128', NO_PROXY: '10.0.0.0/8' })
    expect(proxyFor('https://keystone.corp:5000', e)?.host).toBe('p:3128')
    expect(proxyFor('http://10.1.2.3:9292', e)).toBeNull()
    const https = proxyEnvFor(profile({ mode: 'manual', httpsProxy: 'https://s:443' }), env)
    expect(https).toEqual({ HTTPS_PROXY: 'https://s:443' })
    expect(proxyFor('http://glance:9292', https)).toBeNull()
  })
  it('a loopback cloud is NOT bypassed silently: only a no-proxy entry sends it direct', () => {
    const e = proxyEnvFor(profile({ mode: 'manual', httpProxy: 'http://127.0.0.1:3128' }))
    expect(proxyFor('http://127.0.0.1:5000/v3', e)?.host).toBe('127.0.0.1:3128')
    expect(proxyFor('http://localhost:9292/v2', e)?.host).toBe('127.0.0.1:3128')
    const bypass = proxyEnvFor(profile({ mode: 'manual', httpProxy: 'http://127.0.0.1:3128', noProxy: '127.0.0.1' }))
    expect(proxyFor('http://127.0.0.1:5000/v3', bypass)).toBeNull()
  })
  it('sessionOptions carries the profile proxy variables, from the given environment for system', () => {
    expect(sessionOptions(sampleProfile({ proxy: { mode: 'manual', httpProxy: 'http://p:1' } }), 'pw').proxyEnv).toEqual({
      HTTP_PROXY: 'http://p:1',
      HTTPS_PROXY: 'http://p:1',
    })
    expect(sessionOptions(sampleProfile(), 'pw', {}, env).proxyEnv).toEqual({
      HTTPS_PROXY: 'http://sys:3128',
      http_proxy: 'http://sys2:3128',
      NO_PROXY: '.corp',
    })
    expect(sessionOptions(sampleProfile({ proxy: { mode: 'none' } }), 'pw', {}, env).proxyEnv).toEqual({})
  })
})

describe('trust: a held secret through a proxy on another computer', () => {
  const plain = sampleProfile({ authUrl: 'http://127.0.0.1:5000/v3' })
  const remote: ProfileProxy = { mode: 'manual', httpProxy: 'http://proxy.example.com:3128' }
  it('asks when an http:// cloud gets a remote proxy (or another one), not for loopback proxies or https:// clouds', () => {
    expect(trustChanges(plain, { ...plain, proxy: remote }).map((c) => c.kind)).toEqual(['plainHttpProxy'])
    expect(trustChanges(plain, { ...plain, proxy: remote })[0]!.subject).toBe('http://proxy.example.com:3128')
    expect(trustChanges({ ...plain, proxy: remote }, { ...plain, proxy: remote })).toEqual([])
    expect(trustChanges({ ...plain, proxy: remote }, { ...plain, proxy: { mode: 'manual', httpProxy: 'http://other:3128' } }).map((c) => c.kind)).toEqual([
      'plainHttpProxy',
    ])
    expect(trustChanges(plain, { ...plain, proxy: { mode: 'manual', httpProxy: 'http://127.0.0.1:3128' } })).toEqual([])
    const tls = sampleProfile()
    expect(trustChanges(tls, { ...tls, proxy: remote })).toEqual([])
    expect(trustChanges(tls, { ...tls, proxy: remote, endpointOverrides: { image: 'http://glance:9292' } }).map((c) => c.kind)).toContain('plainHttpProxy')
  })
})

describe('openrc export of the proxy', () => {
  it('manual: HTTP(S)_PROXY / NO_PROXY in both cases, read by bash; the profile import leaves the proxy at system', () => {
    const p = sampleProfile({ proxy: { mode: 'manual', httpProxy: 'http://p:3128', httpsProxy: 'http://s:3129', noProxy: 'localhost,.corp' } })
    const text = toOpenrc(p)
    expect(text).toContain("export HTTPS_PROXY='http://s:3129'")
    expect(text).toContain("export https_proxy='http://s:3129'")
    expect(text).toContain("export HTTP_PROXY='http://p:3128'")
    expect(text).toContain("export NO_PROXY='localhost,.corp'")
    const file = join(tempDir(), 'openrc.sh')
    writeFileSync(file, text)
    const out = execFileSync('bash', ['-c', `source ${file} </dev/null >/dev/null; printf '%s|%s|%s' "$HTTPS_PROXY" "$http_proxy" "$no_proxy"`], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    })
    expect(out).toBe('http://s:3129|http://p:3128|localhost,.corp')
    expect(profileFromOpenrc(text, 'x').profile.proxy).toBeUndefined()
  })
  it('system and none: no proxy line', () => {
    for (const proxy of [undefined, { mode: 'system' as const }, { mode: 'none' as const }]) {
      expect(toOpenrc(sampleProfile(proxy ? { proxy } : {}))).not.toMatch(/PROXY|_proxy/)
    }
  })
})
