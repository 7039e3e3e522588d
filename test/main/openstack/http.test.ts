import { describe, expect, it, afterAll, beforeAll } from 'vitest'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { AppError } from '../../../preload/api'
import { HttpClient, codeForStatus, extractMessage, httpError, proxyFor, stripHtml, transportError } from '../../../main/openstack/http'

describe('stripHtml / extractMessage', () => {
  it('strips Glance HTML error pages down to the message', () => {
    const page =
      '<html>\n <head>\n  <title>403 Forbidden</title>\n </head>\n <body>\n  <h1>403 Forbidden</h1>\n  Image abc is protected and cannot be deleted.<br /><br />\n\n\n\n </body>\n</html>'
    expect(stripHtml(page)).toBe('403 Forbidden Image abc is protected and cannot be deleted.')
  })
  it('decodes entities and collapses whitespace', () => {
    expect(stripHtml('a &amp; b&lt;c&gt; &#39;x&#39; &#x41;\n\n  d')).toBe("a & b<c> 'x' A d")
  })
  it('reads Glance, Keystone and Cinder JSON error bodies', () => {
    expect(extractMessage('{"message": "Image is protected<br /><br />\\n", "code": "403 Forbidden", "title": "Forbidden"}')).toBe('Image is protected')
    expect(extractMessage('{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}')).toBe(
      'The request you have made requires authentication.',
    )
    expect(extractMessage('{"badRequest": {"message": "Invalid input for field/attribute size.", "code": 400}}')).toBe(
      'Invalid input for field/attribute size.',
    )
    expect(extractMessage('')).toBe('')
    expect(extractMessage('plain words')).toBe('plain words')
  })
})

describe('error mapping', () => {
  const cases: [number, string, string, boolean][] = [
    [401, 'x', 'AUTH_FAILED', false],
    [403, 'You are not authorized to complete publicize_image action.', 'FORBIDDEN', false],
    [403, 'Image 1 is protected and cannot be deleted.', 'PROTECTED', false],
    [403, 'Quota exceeded for image_count_total', 'QUOTA', false],
    [404, 'No image found', 'NOT_FOUND', false],
    [409, 'Image status transition from active to saving is not allowed', 'CONFLICT', false],
    [413, 'Image exceeds the storage quota', 'QUOTA', false],
    [413, 'Image storage media is full', 'TOO_LARGE', false],
    [415, 'Unsupported Content-Type', 'UNSUPPORTED_FORMAT', false],
    [500, 'boom', 'SERVER', true],
    [503, 'busy', 'SERVER', true],
    [504, 'gw', 'TIMEOUT', true],
    [400, 'bad', 'VALIDATION', false],
  ]
  it.each(cases)('%i %s -> %s', (status, msg, code, retryable) => {
    expect(codeForStatus(status, msg)).toEqual({ code, retryable })
  })
  it('keeps status, method, URL (without credentials) and request id', () => {
    const e = httpError({
      status: 403,
      method: 'DELETE',
      url: 'http://u:p@h:9292/v2/images/1',
      bodyText: '<html><body><h1>403</h1>Image 1 is protected</body></html>',
      requestId: 'req-1',
    })
    expect(e).toBeInstanceOf(AppError)
    expect(e.toJSON()).toMatchObject({ code: 'PROTECTED', status: 403, method: 'DELETE', url: 'http://h:9292/v2/images/1', requestId: 'req-1' })
    expect(e.message).toBe('403 Image 1 is protected')
  })
  it('maps transport errors', () => {
    const err = (code: string, message = code) => Object.assign(new Error(message), { code })
    expect(transportError(err('ECONNREFUSED'), 'GET', 'http://h/').code).toBe('NETWORK')
    expect(transportError(err('ECONNREFUSED'), 'GET', 'http://h/').retryable).toBe(true)
    expect(transportError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), 'GET', 'https://h/').code).toBe('TLS')
    expect(transportError(err('ERR_TLS_CERT_ALTNAME_INVALID'), 'GET', 'https://h/').code).toBe('TLS')
    expect(transportError(err('ETIMEDOUT'), 'GET', 'http://h/').code).toBe('TIMEOUT')
    expect(transportError(Object.assign(new Error('x'), { name: 'AbortError' }), 'GET', 'http://h/').code).toBe('CANCELLED')
  })
})

describe('proxyFor', () => {
  const env = { HTTPS_PROXY: 'http://user:pw@proxy:3128', HTTP_PROXY: 'proxy2:8080', NO_PROXY: 'localhost,.internal,10.0.0.0/8,api.example.com:5000' }
  it('picks the proxy by scheme', () => {
    expect(proxyFor('https://cloud.example.com/v3', env)?.host).toBe('proxy:3128')
    expect(proxyFor('http://cloud.example.com/v3', env)?.host).toBe('proxy2:8080')
  })
  it('honours NO_PROXY hosts, domains, CIDRs and ports', () => {
    expect(proxyFor('http://localhost:5000', env)).toBeNull()
    expect(proxyFor('https://glance.internal', env)).toBeNull()
    expect(proxyFor('https://10.1.2.3:9292', env)).toBeNull()
    expect(proxyFor('https://api.example.com:5000', env)).toBeNull()
    expect(proxyFor('https://api.example.com:9292', env)).not.toBeNull()
    expect(proxyFor('https://x', { ...env, NO_PROXY: '*' })).toBeNull()
    expect(proxyFor('https://x', {})).toBeNull()
  })
})

describe('HttpClient against a local server', () => {
  let server: http.Server
  let base = ''
  const seen: { method?: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = []
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen.push({ method: req.method!, headers: req.headers, body: Buffer.concat(chunks) })
        const u = req.url ?? ''
        if (u === '/json') {
          res.writeHead(200, { 'content-type': 'application/json', 'x-openstack-request-id': 'req-ok' })
          res.end('{"a":1}')
        } else if (u === '/forbidden') {
          res.writeHead(403, { 'content-type': 'text/html', 'x-openstack-request-id': 'req-403' })
          res.end(
            '<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1>You are not authorized to complete publicize_image action.</body></html>',
          )
        } else if (u === '/notjson') {
          res.writeHead(200, { 'content-type': 'text/html' })
          res.end('<html>hello</html>')
        } else if (u === '/stream') {
          res.writeHead(200, { 'content-length': '6' })
          res.write('abc')
          setTimeout(() => res.end('def'), 50)
        } else if (u === '/stall') {
          res.writeHead(200, { 'content-length': '10' })
          res.write('abc') // then nothing: the idle timeout must fire
        } else if (u === '/slow') {
          setTimeout(() => res.end('{}'), 2000)
        } else {
          res.writeHead(204)
          res.end()
        }
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))
  const client = new HttpClient({ env: {} })
  afterAll(() => client.close())

  it('sends Accept: application/json and keeps the request id', async () => {
    const r = await client.request<{ a: number }>({ method: 'GET', url: `${base}/json` })
    expect(r.body).toEqual({ a: 1 })
    expect(r.requestId).toBe('req-ok')
    expect(seen.at(-1)!.headers.accept).toBe('application/json')
  })
  it('maps an HTML 403 to FORBIDDEN with the stripped message and request id', async () => {
    const e = (await client.request({ method: 'POST', url: `${base}/forbidden`, json: { x: 1 } }).catch((x: unknown) => x)) as AppError
    expect(e.code).toBe('FORBIDDEN')
    expect(e.message).toContain('not authorized to complete publicize_image')
    expect(e.message).not.toContain('<')
    expect(e.requestId).toBe('req-403')
    expect(e.method).toBe('POST')
    expect(e.status).toBe(403)
  })
  it('BAD_RESPONSE when JSON was expected', async () => {
    await expect(client.request({ method: 'GET', url: `${base}/notjson` })).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
  })
  it('sends JSON, Buffer and stream bodies with Content-Length', async () => {
    await client.request({ method: 'PUT', url: `${base}/x`, json: { k: 'v' }, responseType: 'none' })
    expect(seen.at(-1)!.headers['content-type']).toBe('application/json')
    expect(seen.at(-1)!.headers['content-length']).toBe('9')
    await client.request({ method: 'PUT', url: `${base}/x`, body: Buffer.from('hello'), contentType: 'application/octet-stream', responseType: 'none' })
    expect(seen.at(-1)!.body.toString()).toBe('hello')
    const data = Buffer.alloc(300_000, 7)
    await client.request({
      method: 'PUT',
      url: `${base}/x`,
      body: Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]),
      contentLength: data.length,
      responseType: 'none',
    })
    expect(seen.at(-1)!.headers['content-length']).toBe(String(data.length))
    expect(seen.at(-1)!.body.equals(data)).toBe(true)
  })
  it('streams a response', async () => {
    const r = await client.request({ method: 'GET', url: `${base}/stream`, responseType: 'stream' })
    const parts: Buffer[] = []
    for await (const c of r.stream!) parts.push(c as Buffer)
    expect(Buffer.concat(parts).toString()).toBe('abcdef')
  })
  it('idle timeout ends a stalled stream with TIMEOUT', async () => {
    const r = await client.request({ method: 'GET', url: `${base}/stall`, responseType: 'stream', idleTimeoutMs: 200 })
    const e = await (async () => {
      for await (const _ of r.stream!) void _
    })().catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'TIMEOUT', retryable: true })
  })
  it('an AbortSignal cancels with CANCELLED', async () => {
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 100)
    await expect(client.request({ method: 'GET', url: `${base}/slow`, signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' })
  })
  it('connection refused is a retryable NETWORK error', async () => {
    const s = http.createServer()
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    const port = (s.address() as AddressInfo).port
    await new Promise<void>((r) => s.close(() => r()))
    await expect(client.request({ method: 'GET', url: `http://127.0.0.1:${port}/` })).rejects.toMatchObject({ code: 'NETWORK', retryable: true })
  })
  it('goes through an HTTP proxy for http URLs', async () => {
    const proxied = new HttpClient({ env: { HTTP_PROXY: base } })
    await proxied.request({ method: 'GET', url: 'http://cloud.invalid:5000/json' }).catch(() => undefined)
    proxied.close()
    expect(seen.at(-1)!.headers.host).toBe('cloud.invalid:5000')
  })
  it('an unreadable CA file is a FILE error', async () => {
    const c = new HttpClient({ env: {}, caFile: '/nonexistent/ca.pem' })
    await expect(c.request({ method: 'GET', url: 'https://127.0.0.1:1/' })).rejects.toMatchObject({ code: 'FILE' })
  })
})
