/**
 * The fault-injection proxy (test/support/fault-proxy.ts) against the REAL loopback Glance and Keystone: each fault
 * mode really happens as a plain node:http client sees it. Read-only calls only (versions, image list, schemas, tokens).
 */
import http from 'node:http'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { describeCloud, type CloudCreds } from '../../support/cloud'
import { FaultProxy, startFaultProxy } from '../../support/fault-proxy'

interface Got {
  status?: number
  headers?: http.IncomingHttpHeaders
  body: Buffer
  /** error code seen by the client (ECONNRESET, ...) or message */
  error?: string
  ms: number
}

/** One request with node:http (no agent reuse), collecting whatever arrives and the first error. */
function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string; timeoutMs?: number } = {}): Promise<Got> {
  const t0 = Date.now()
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let res: http.IncomingMessage | undefined
    let settled = false
    const done = (error?: unknown): void => {
      if (settled) return
      settled = true
      const e = error as NodeJS.ErrnoException | undefined
      resolve({
        ...(res ? { status: res.statusCode, headers: res.headers } : {}),
        body: Buffer.concat(chunks),
        ...(e ? { error: e.code ?? e.message } : {}),
        ms: Date.now() - t0,
      })
    }
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (r) => {
      res = r
      r.on('data', (c: Buffer) => chunks.push(c))
      r.on('end', () => done())
      r.on('error', done)
      r.on('aborted', () => done(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })))
    })
    req.on('error', done)
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })))
    req.end(opts.body)
  })
}

async function token(cloud: CloudCreds, authUrl = cloud.authUrl): Promise<{ token: string; body: string }> {
  const body = JSON.stringify({
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: cloud.username, domain: { name: cloud.userDomainName }, password: cloud.password } },
      },
      scope: { project: { name: cloud.projectName, domain: { name: cloud.projectDomainName } } },
    },
  })
  const r = await request(`${authUrl.replace(/\/+$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  })
  expect(r.status, r.body.toString()).toBe(201)
  return { token: String(r.headers!['x-subject-token']), body: r.body.toString() }
}

function imageEndpoint(catalogBody: string, cloud: CloudCreds): string {
  const cat = (
    JSON.parse(catalogBody) as { token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; region_id: string; url: string }> }> } }
  ).token.catalog
  const ep = cat.find((s) => s.type === 'image')?.endpoints.find((e) => e.interface === cloud.interface && e.region_id === cloud.region)
  if (!ep) throw new Error('no image endpoint in the catalog')
  return ep.url.replace(/\/+$/, '')
}

describeCloud('fault proxy against the real Glance and Keystone', (cloud) => {
  let glanceUrl: string
  let keystoneOrigin: string
  let tok: string
  let proxy: FaultProxy
  let schema: Buffer // GET /v2/schemas/image straight from Glance (~10 KB of JSON)
  const auth = (): Record<string, string> => ({ 'X-Auth-Token': tok })

  beforeAll(async () => {
    const t = await token(cloud)
    tok = t.token
    glanceUrl = imageEndpoint(t.body, cloud)
    keystoneOrigin = new URL(cloud.authUrl).origin
    const direct = await request(`${glanceUrl}/v2/schemas/image`, { headers: auth() })
    expect(direct.status).toBe(200)
    schema = direct.body
    expect(schema.length).toBeGreaterThan(2000)
    proxy = await startFaultProxy({ target: glanceUrl })
  })
  afterEach(() => {
    proxy.clearRules()
    proxy.releaseStalls()
  })
  afterAll(async () => {
    await proxy?.close()
  })

  it('passes requests through unchanged (versions, image list, schema)', async () => {
    const v = await request(`${proxy.url}/versions`)
    expect(v.status).toBe(200)
    expect((JSON.parse(v.body.toString()) as { versions: unknown[] }).versions.length).toBeGreaterThan(0)
    const list = await request(`${proxy.url}/v2/images?limit=5`, { headers: auth() })
    expect(list.status).toBe(200)
    expect(JSON.parse(list.body.toString())).toHaveProperty('images')
    const s = await request(`${proxy.url}/v2/schemas/image`, { headers: auth() })
    expect(s.body.equals(schema)).toBe(true)
    const noToken = await request(`${proxy.url}/v2/images`)
    expect(noToken.status).toBe(401)
    expect(proxy.stats.passed).toBeGreaterThanOrEqual(4)
    expect(proxy.stats.forwarded).toBe(proxy.stats.passed)
  })

  it('resets the connection mid-response: the client sees ECONNRESET after some bytes', async () => {
    const rule = proxy.addRule({ method: 'GET', path: /^\/v2\/schemas\/image$/, action: { kind: 'reset', direction: 'response', afterBytes: 1000 } })
    const r = await request(`${proxy.url}/v2/schemas/image`, { headers: auth() })
    expect(r.status).toBe(200) // the head arrived
    expect(r.error).toBe('ECONNRESET')
    expect(r.body.length).toBeLessThanOrEqual(1000)
    expect(schema.subarray(0, r.body.length).equals(r.body)).toBe(true)
    expect(rule.applied).toBe(1)
    expect(proxy.stats.faults.reset).toBe(1)
    expect(proxy.events.at(-1)?.detail).toMatch(/reset after 1000 response bytes/)
  })

  it('resets before the response head: "socket hang up" with code ECONNRESET', async () => {
    proxy.once({ kind: 'reset', direction: 'response', afterBytes: 0 })
    const r = await request(`${proxy.url}/versions`)
    expect(r.status).toBeUndefined()
    expect(r.error).toBe('ECONNRESET')
  })

  it('resets mid-request (upload direction) against Keystone: the client sees a reset, Keystone never answers', async () => {
    const ks = await startFaultProxy({ target: keystoneOrigin })
    try {
      ks.addRule({ method: 'POST', path: /\/auth\/tokens$/, action: { kind: 'reset', direction: 'request', afterBytes: 20 } })
      const r = await request(`${ks.url}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'x', domain: { name: 'Default' }, password: 'y' } } } } }),
      })
      expect(r.status).toBeUndefined()
      expect(['ECONNRESET', 'EPIPE']).toContain(r.error)
      expect(ks.stats.bytesUp).toBe(20)
      expect(ks.stats.faults.reset).toBe(1)
    } finally {
      await ks.close()
    }
  })

  it('stalls the response for a while, then completes it', async () => {
    proxy.once({ kind: 'stall', direction: 'response', afterBytes: 500, ms: 700 })
    const r = await request(`${proxy.url}/v2/schemas/image`, { headers: auth() })
    expect(r.error).toBeUndefined()
    expect(r.body.equals(schema)).toBe(true)
    expect(r.ms).toBeGreaterThanOrEqual(650)
  })

  it('stalls until released; a client idle timeout fires meanwhile', async () => {
    proxy.addRule({ path: '/versions', action: { kind: 'stall', afterBytes: 0 } })
    const timedOut = await request(`${proxy.url}/versions`, { timeoutMs: 400 })
    expect(timedOut.error).toBe('ETIMEDOUT')
    expect(timedOut.status).toBeUndefined()
    proxy.clearRules()
    proxy.addRule({ path: '/versions', times: 1, action: { kind: 'stall', afterBytes: 0 } })
    const pending = request(`${proxy.url}/versions`)
    await new Promise((r) => setTimeout(r, 300))
    proxy.releaseStalls()
    const r = await pending
    expect(r.status).toBe(200)
    expect(r.ms).toBeGreaterThanOrEqual(280)
  })

  it('trickles a small body at the given rate', async () => {
    const direct = await request(`${proxy.url}/versions`) // pass-through: its links name the proxy's host
    const size = direct.body.length
    const bps = 2000
    proxy.once({ kind: 'trickle', direction: 'response', bytesPerSecond: bps })
    const r = await request(`${proxy.url}/versions`)
    expect(r.status).toBe(200)
    expect(r.body.toString()).toBe(direct.body.toString())
    expect(r.ms).toBeGreaterThanOrEqual((size / bps) * 1000 * 0.9)
    expect(proxy.stats.faults.trickle).toBe(1)
  })

  it('answers a burst of 503 without forwarding, then passes through', async () => {
    const burst = proxy.addRule({ method: 'GET', path: /^\/v2\/images(\?|$)/, times: 3, action: { kind: 'status', status: 503, retryAfter: 1 } })
    const forwarded = proxy.stats.forwarded
    const codes: number[] = []
    for (let i = 0; i < 4; i++) codes.push((await request(`${proxy.url}/v2/images`, { headers: auth() })).status ?? 0)
    expect(codes).toEqual([503, 503, 503, 200])
    expect(burst.applied).toBe(3)
    expect(burst.spent).toBe(true)
    expect(proxy.stats.forwarded).toBe(forwarded + 1)
  })

  it('faults only the nth matching request, and a 500 with a custom body', async () => {
    proxy.addRule({ path: '/versions', nth: 2, action: { kind: 'status', status: 500, body: 'boom', contentType: 'text/plain' } })
    const a = await request(`${proxy.url}/versions`)
    const b = await request(`${proxy.url}/versions`)
    const c = await request(`${proxy.url}/versions`)
    expect([a.status, b.status, c.status]).toEqual([200, 500, 200])
    expect(b.body.toString()).toBe('boom')
  })

  it('returns an HTML error page', async () => {
    proxy.once({ kind: 'html', status: 502 }, { path: '/v2/images' })
    const r = await request(`${proxy.url}/v2/images`, { headers: auth() })
    expect(r.status).toBe(502)
    expect(r.headers?.['content-type']).toMatch(/text\/html/)
    expect(r.body.toString()).toMatch(/^<html>/)
    expect(() => JSON.parse(r.body.toString()) as unknown).toThrow()
  })

  it('returns truncated JSON with a consistent Content-Length', async () => {
    proxy.once({ kind: 'truncateJson', keepBytes: 300 })
    const r = await request(`${proxy.url}/v2/schemas/image`, { headers: auth() })
    expect(r.error).toBeUndefined()
    expect(r.status).toBe(200)
    expect(r.body.length).toBe(300)
    expect(Number(r.headers?.['content-length'])).toBe(300)
    expect(r.body.equals(schema.subarray(0, 300))).toBe(true)
    expect(() => JSON.parse(r.body.toString()) as unknown).toThrow(SyntaxError)
  })

  it('returns invalid JSON (status and content type kept)', async () => {
    proxy.once({ kind: 'invalidJson' })
    const r = await request(`${proxy.url}/v2/images`, { headers: auth() })
    expect(r.status).toBe(200)
    expect(r.headers?.['content-type']).toMatch(/json/)
    expect(() => JSON.parse(r.body.toString()) as unknown).toThrow(SyntaxError)
  })

  it('lies about Content-Length (more than sent): the client gets a truncated-body error', async () => {
    proxy.once({ kind: 'lieLength', delta: 1000 })
    const r = await request(`${proxy.url}/v2/schemas/image`, { headers: auth() })
    expect(r.status).toBe(200)
    expect(Number(r.headers?.['content-length'])).toBe(schema.length + 1000)
    expect(r.error).toBe('ECONNRESET') // node:http: "aborted"
    expect(r.body.equals(schema)).toBe(true)
  })

  it('lies about Content-Length (fewer than sent): the client silently gets a short body', async () => {
    proxy.once({ kind: 'lieLength', delta: -100 })
    const r = await request(`${proxy.url}/v2/schemas/image`, { headers: auth() })
    expect(r.status).toBe(200)
    expect(r.body.length).toBe(schema.length - 100)
    expect(r.body.equals(schema.subarray(0, schema.length - 100))).toBe(true)
  })

  it('takes a fault from an X-Fault-Proxy request header (not forwarded)', async () => {
    const r = await request(`${proxy.url}/versions`, { headers: { 'X-Fault-Proxy': JSON.stringify({ kind: 'status', status: 500 }) } })
    expect(r.status).toBe(500)
    const ok = await request(`${proxy.url}/versions`)
    expect(ok.status).toBe(200)
  })

  it('rewrites the Keystone catalog so that the client reaches Glance through the proxy', async () => {
    const ks = await startFaultProxy({ target: keystoneOrigin, rewrite: { [glanceUrl]: proxy.url } })
    try {
      const t = await token(cloud, `${ks.url}/v3`)
      expect(imageEndpoint(t.body, cloud)).toBe(proxy.url)
      expect(t.body).not.toContain(`"${glanceUrl}"`)
      const before = proxy.stats.forwarded
      const list = await request(`${imageEndpoint(t.body, cloud)}/v2/images?limit=1`, { headers: { 'X-Auth-Token': t.token } })
      expect(list.status).toBe(200)
      expect(proxy.stats.forwarded).toBe(before + 1)
    } finally {
      await ks.close()
    }
  })

  it('changes rules at runtime and counts what it did', async () => {
    const h = proxy.addRule({ path: '/versions', action: { kind: 'status', status: 503 } })
    expect((await request(`${proxy.url}/versions`)).status).toBe(503)
    h.remove()
    expect((await request(`${proxy.url}/versions`)).status).toBe(200)
    proxy.setRules([{ path: '/versions', action: { kind: 'html' } }])
    expect((await request(`${proxy.url}/versions`)).status).toBe(502)
    expect(h.applied).toBe(1)
    expect(proxy.stats.faults.status).toBeGreaterThan(0)
    expect(proxy.events.length).toBeGreaterThan(0)
  })

  it('answers 502 when the service is unreachable', async () => {
    const dead = await startFaultProxy({ target: 'http://127.0.0.1:1' })
    try {
      const r = await request(`${dead.url}/versions`)
      expect(r.status).toBe(502)
      expect(dead.stats.upstreamErrors).toBe(1)
    } finally {
      await dead.close()
    }
  })

  it('close() ends stalled requests and open connections and stops listening', async () => {
    const p = await startFaultProxy({ target: glanceUrl, rules: [{ action: { kind: 'stall', afterBytes: 0 } }] })
    const url = p.url
    const pending = request(`${url}/versions`)
    await new Promise((r) => setTimeout(r, 200))
    expect(p.openConnections).toBe(1)
    await p.close()
    const r = await pending
    expect(r.status).toBeUndefined()
    expect(r.error).toMatch(/ECONNRESET|socket hang up/)
    expect(p.openConnections).toBe(0)
    const after = await request(`${url}/versions`)
    expect(after.error).toBe('ECONNREFUSED')
  })
})
