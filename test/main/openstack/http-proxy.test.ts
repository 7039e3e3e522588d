/**
 * Issue 14: HttpClient through a real forward proxy on loopback (test/support/forward-proxy.ts) to local servers:
 * loopback targets are not bypassed, failures of the proxy itself name it (both languages), 407 says proxy logins are
 * not supported, redirects are followed per hop through the proxy, and the URL probe goes through the profile's proxy.
 * Against the loopback cloud: test/integration/proxy.test.ts.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../preload/api'
import { HttpClient } from '../../../main/openstack/http'
import { probeImageUrl } from '../../../main/images/url-probe'
import { describeError } from '../../../preload/rules/messages'
import { translator } from '../../../main/i18n'
import { closedPort, startForwardProxy, type ForwardProxy } from '../../support/forward-proxy'

const en = (e: unknown): string => describeError(e, translator('en')).text
const zh = (e: unknown): string => describeError(e, translator('zh-CN')).text

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('expected a rejection')
}

let target: http.Server
let host = ''
let base = ''
let proxy: ForwardProxy

beforeAll(async () => {
  // a local server: JSON, redirects, and a qcow2 header / an HTML page for the URL probe
  target = http.createServer((req, res) => {
    const url = req.url ?? '/'
    if (url.startsWith('/hop/')) {
      const n = Number(url.slice(5))
      res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : '/json' }).end()
    } else if (url === '/disk.qcow2') {
      const head = Buffer.alloc(512)
      head.write('QFI\xfb', 0, 'latin1')
      head.writeUInt32BE(3, 4)
      res.writeHead(req.method === 'HEAD' ? 200 : 206, { 'content-type': 'application/octet-stream' })
      res.end(req.method === 'HEAD' ? undefined : head)
    } else if (url === '/moved.qcow2') {
      res.writeHead(301, { location: '/disk.qcow2' }).end()
    } else if (url === '/page') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>login</body></html>')
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: url, host: req.headers.host }))
    }
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r))
  host = `127.0.0.1:${(target.address() as AddressInfo).port}`
  base = `http://${host}`
  proxy = await startForwardProxy()
})
afterAll(async () => {
  await proxy?.close()
  target?.closeAllConnections()
  await new Promise((r) => target?.close(r))
})

describe('through a forward proxy', () => {
  it('a loopback target goes through the proxy (absolute URI, Host of the target), not around it', async () => {
    const c = new HttpClient({ env: { HTTP_PROXY: proxy.url } })
    const before = proxy.to(host).length
    const r = await c.request<{ path: string; host: string }>({ method: 'GET', url: `${base}/json?x=1` })
    c.close()
    expect(r.body).toEqual({ path: '/json?x=1', host })
    expect(proxy.to(host).slice(before)).toEqual([{ method: 'GET', host, path: '/json?x=1' }])
  })

  it('NO_PROXY naming the host: direct, the proxy sees nothing', async () => {
    const c = new HttpClient({ env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } })
    const before = proxy.seen.length
    await c.request({ method: 'GET', url: `${base}/json` })
    c.close()
    expect(proxy.seen.length).toBe(before)
  })

  it('redirects of a GET are followed when asked, each hop through the proxy; past the limit BAD_RESPONSE tooManyRedirects', async () => {
    const c = new HttpClient({ env: { HTTP_PROXY: proxy.url } })
    const before = proxy.to(host).length
    const r = await c.request<{ path: string }>({ method: 'GET', url: `${base}/hop/2`, maxRedirects: 5 })
    expect(r.body.path).toBe('/json')
    expect(
      proxy
        .to(host)
        .slice(before)
        .map((s) => s.path),
    ).toEqual(['/hop/2', '/hop/1', '/hop/0', '/json'])
    const many = await rejection(c.request({ method: 'GET', url: `${base}/hop/9`, maxRedirects: 3 }))
    expect(many.code).toBe('BAD_RESPONSE')
    expect(many.details?.reason).toBe('tooManyRedirects')
    // not asked: a 3xx stays an error, as before
    const plain = await rejection(c.request({ method: 'GET', url: `${base}/hop/0` }))
    expect(plain.status).toBe(302)
    c.close()
  })
})

describe('a failing proxy is named', () => {
  it('refused (a closed port), for an http:// target and for an https:// one (CONNECT): NETWORK proxyRefused with the proxy, in en and zh-CN', async () => {
    const port = await closedPort()
    const c = new HttpClient({ env: { HTTP_PROXY: `http://127.0.0.1:${port}`, HTTPS_PROXY: `http://127.0.0.1:${port}` } })
    for (const url of [`${base}/json`, 'https://keystone.example.com:5000/v3']) {
      const e = await rejection(c.request({ method: 'GET', url }))
      expect(e.code, url).toBe('NETWORK')
      expect(e.retryable).toBe(true)
      expect(e.details).toMatchObject({ reason: 'proxyRefused', params: { proxy: `127.0.0.1:${port}`, host: new URL(url).host } })
      expect(e.message).toContain(`proxy 127.0.0.1:${port}`)
      expect(en(e)).toContain(`The proxy 127.0.0.1:${port} refused the connection`)
      expect(zh(e)).toContain(`代理 127.0.0.1:${port} 拒绝了连接`)
    }
    c.close()
  })

  it('a CONNECT answered 403: NETWORK proxyTunnel (not retried); 407: proxyAuth, for CONNECT and for a plain request', async () => {
    const deny = await startForwardProxy({ answer: 403 })
    const login = await startForwardProxy({ answer: 407 })
    try {
      const c1 = new HttpClient({ env: { HTTPS_PROXY: deny.url } })
      const e1 = await rejection(c1.request({ method: 'GET', url: 'https://keystone.example.com:5000/v3' }))
      c1.close()
      expect(e1.code).toBe('NETWORK')
      expect(e1.retryable).toBe(false)
      expect(e1.details).toMatchObject({
        reason: 'proxyTunnel',
        params: { proxy: `127.0.0.1:${deny.port}`, host: 'keystone.example.com:5000', httpStatus: 403 },
      })
      expect(deny.seen).toEqual([{ method: 'CONNECT', host: 'keystone.example.com:5000', path: '' }])
      expect(en(e1)).toMatch(/refused to connect to keystone.example.com:5000 \(HTTP 403\)/)
      expect(zh(e1)).toContain('拒绝连接到 keystone.example.com:5000')

      const c2 = new HttpClient({ env: { HTTPS_PROXY: login.url, HTTP_PROXY: login.url } })
      for (const url of ['https://keystone.example.com:5000/v3', `${base}/json`]) {
        const e = await rejection(c2.request({ method: 'GET', url }))
        expect(e.details?.reason, url).toBe('proxyAuth')
        expect(e.retryable).toBe(false)
        expect(en(e)).toContain('proxy authentication is not supported yet')
        expect(zh(e)).toContain('尚不支持代理认证')
      }
      c2.close()
    } finally {
      await deny.close()
      await login.close()
    }
  })

  it('a proxy that accepts but never answers the CONNECT: TIMEOUT proxyConnect naming it', async () => {
    const silent = http.createServer()
    const held = new Set<import('node:net').Socket>()
    silent.on('connection', (s: import('node:net').Socket) => held.add(s))
    silent.on('connect', () => undefined) // holds the socket, answers nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as AddressInfo).port
    const c = new HttpClient({ env: { HTTPS_PROXY: `http://127.0.0.1:${port}` }, connectTimeoutMs: 300 })
    const e = await rejection(c.request({ method: 'GET', url: 'https://keystone.example.com:5000/v3' }))
    c.close()
    for (const s of held) s.destroy()
    await new Promise((r) => silent.close(r))
    expect(e.code).toBe('TIMEOUT')
    expect(e.details).toMatchObject({ reason: 'proxyConnect', params: { proxy: `127.0.0.1:${port}` } })
    expect(zh(e)).toContain(`未能及时连接到代理 127.0.0.1:${port}`)
  })
})

describe('the URL probe goes through the profile proxy', () => {
  it('HEAD and GET of the URL (and of its redirect) through the proxy; the verdict as without it', async () => {
    const before = proxy.to(host).length
    const v = await probeImageUrl(`${base}/moved.qcow2`, 'qcow2', 10_000, { proxyEnv: { HTTP_PROXY: proxy.url } })
    expect(v).toEqual({ outcome: 'checked', detected: 'qcow2' })
    expect(
      proxy
        .to(host)
        .slice(before)
        .map((s) => `${s.method} ${s.path}`),
    ).toEqual(['HEAD /moved.qcow2', 'HEAD /disk.qcow2', 'GET /moved.qcow2', 'GET /disk.qcow2'])
  })
  it('a web page is still refused; with no proxy (mode none) the proxy sees nothing', async () => {
    const before = proxy.seen.length
    const e = await rejection(probeImageUrl(`${base}/page`, 'qcow2', 10_000, { proxyEnv: {} }))
    expect(e.details?.reason).toBe('urlWebPage')
    expect(proxy.seen.length).toBe(before)
  })
  it('a refusing proxy: the URL is reported as not checked (Glance fetches it from its own network)', async () => {
    const port = await closedPort()
    expect(await probeImageUrl(`${base}/disk.qcow2`, 'qcow2', 10_000, { proxyEnv: { HTTP_PROXY: `http://127.0.0.1:${port}` } })).toEqual({
      outcome: 'unreachable',
    })
  })
})
