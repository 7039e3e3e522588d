/**
 * Issue 16: an image download's body read by the socket straight into the consumer's memory (raw-get.ts), against
 * the real Glance: the bytes land in place and are the image's; errors, a re-framed (chunked) answer, a body cut
 * short, a stall and a cancel end as they do through node:http. Faults come from a proxy in front of the real Glance.
 */
import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { GlanceClient } from '../../../main/openstack/glance'
import { RawBody, type BodySink } from '../../../main/openstack/raw-get'
import type { Session } from '../../../main/openstack/session'
import type { AppError } from '../../../preload/api'
import { describeCloud } from '../../support/cloud'
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy'
import { Cleanup, bytes, readAll, sessionFor, streamOf, unique } from './helpers'

/** A sink of `slot`-byte buffers that keeps a copy of what it is given; `pauseEvery`: says stop every n-th time. */
function collector(body: RawBody, slot = 1 << 20, pauseEvery = 0) {
  const mem = new Uint8Array(slot)
  let fill = 0
  let calls = 0
  const parts: Buffer[] = []
  let inPlace = 0
  const done = new Promise<Buffer>((resolve, reject) => {
    const sink: BodySink = {
      buffer: () => mem.subarray(fill),
      data(view, here) {
        if (here) {
          // the bytes are where buffer() said
          expect(view.buffer).toBe(mem.buffer)
          expect(view.byteOffset).toBe(fill)
          inPlace += view.byteLength
          fill += view.byteLength
        }
        parts.push(Buffer.from(view))
        if (fill > slot - 4096) fill = 0
        if (pauseEvery && ++calls % pauseEvery === 0) {
          setTimeout(() => body.more(), 2)
          return false
        }
        return true
      },
      end: (err) => (err ? reject(err) : resolve(Buffer.concat(parts))),
    }
    body.readInto(sink)
  })
  return { done, inPlace: () => inPlace }
}

describeCloud('image download: the body read into the consumer memory (real Glance)', (cloud) => {
  let session: Session
  let glance: GlanceClient
  let id: string
  const data = bytes(3 * 1024 * 1024 + 12345, 7)
  const cleanup = new Cleanup()
  let glanceUrl: string
  let proxy: FaultProxy
  let viaProxy: Session

  beforeAll(async () => {
    session = sessionFor(cloud)
    await session.authenticate()
    glance = new GlanceClient(session, cloud.region)
    const img = await glance.create({ name: unique('raw-get'), disk_format: 'raw', container_format: 'bare' })
    id = cleanup.add(glance, img.id)
    await glance.uploadData(id, streamOf(data), data.length)
    await glance.waitForStatus(id, ['active'], { timeoutMs: 30_000, intervalMs: 200 })
    glanceUrl = session.endpoint('image', cloud.region)
    proxy = await startFaultProxy({ target: glanceUrl })
    viaProxy = sessionFor(cloud, { endpointOverrides: { image: proxy.url }, idleTimeoutMs: 1500 })
  })
  afterAll(async () => {
    await cleanup.run()
    session?.close()
    viaProxy?.close()
    await proxy?.close()
  })

  it('the bytes land where the consumer says, are the image, and a 206 from an offset too', async () => {
    const dl = await glance.downloadData(id)
    expect(dl.status).toBe(200)
    expect(dl.headers.contentLength).toBe(data.length)
    expect(dl.requestId).toMatch(/^req-/)
    expect(dl.stream).toBeInstanceOf(RawBody)
    const c = collector(dl.stream as RawBody, 1 << 20, 3)
    const got = await c.done
    expect(got.length).toBe(data.length)
    expect(createHash('sha512').update(got).digest('hex')).toBe(createHash('sha512').update(data).digest('hex'))
    // all but the reads before the sink was attached land in place
    expect(c.inPlace()).toBeGreaterThan(data.length / 2)

    const part = await glance.downloadData(id, { range: { start: 1_000_001 } })
    expect(part.status).toBe(206)
    expect(part.headers.contentRange).toBe(`bytes 1000001-${data.length - 1}/${data.length}`)
    expect((await collector(part.stream as RawBody, 64 * 1024).done).equals(data.subarray(1_000_001))).toBe(true)
  })

  it('read as a stream (the copy between regions): the same bytes', async () => {
    const dl = await glance.downloadData(id)
    expect(dl.stream).toBeInstanceOf(RawBody)
    expect((await readAll(dl.stream)).equals(data)).toBe(true)
  })

  it("an error status is node:http's error: same code, status, message and request id form", async () => {
    const missing = '00000000-0000-4000-8000-000000000000'
    const raw = (await glance.downloadData(missing).catch((e: unknown) => e)) as AppError
    const url = `${glanceUrl}/v2/images/${missing}/file`
    const viaNode = (await session
      .request({ method: 'GET', url, headers: { accept: 'application/octet-stream' }, responseType: 'stream' })
      .catch((e: unknown) => e)) as AppError
    expect(raw.code).toBe('NOT_FOUND')
    expect({ code: raw.code, status: raw.status, message: raw.message, url: raw.url }).toEqual({
      code: viaNode.code,
      status: viaNode.status,
      message: viaNode.message,
      url: viaNode.url,
    })
    expect(raw.requestId).toMatch(/^req-/)
  })

  it('a chunked answer (a proxy re-framing the real Glance body) goes through node:http: the same bytes', async () => {
    const target = new URL(glanceUrl)
    let chunked = 0
    const reframe = http.createServer((req, res) => {
      const up = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (r) => {
          const { 'content-length': _cl, ...headers } = r.headers
          chunked++
          res.writeHead(r.statusCode ?? 502, headers) // no length: node:http sends it chunked
          r.pipe(res)
        },
      )
      req.pipe(up)
    })
    await new Promise<void>((r) => reframe.listen(0, '127.0.0.1', r))
    const s = sessionFor(cloud, { endpointOverrides: { image: `http://127.0.0.1:${(reframe.address() as AddressInfo).port}` } })
    try {
      const dl = await new GlanceClient(s, cloud.region).downloadData(id)
      expect(dl.stream).not.toBeInstanceOf(RawBody)
      expect((await readAll(dl.stream)).equals(data)).toBe(true)
      // asked once by the raw path (answer not taken), once through node:http
      expect(chunked).toBe(2)
    } finally {
      s.close()
      reframe.closeAllConnections()
      await new Promise<void>((r) => reframe.close(() => r()))
    }
  })

  it('a body cut short: a retryable NETWORK error to the sink; the bytes before it were delivered', async () => {
    proxy.addRule({ method: 'GET', path: /\/file$/, times: 1, action: { kind: 'lieLength', delta: 1000 } })
    const dl = await new GlanceClient(viaProxy, cloud.region).downloadData(id)
    expect(dl.stream).toBeInstanceOf(RawBody)
    const e = (await collector(dl.stream as RawBody).done.catch((x: unknown) => x)) as AppError
    expect(e).toMatchObject({ code: 'NETWORK', retryable: true })
    proxy.clearRules()
  })

  it('a stalled body: the idle TIMEOUT; a cancel: CANCELLED', async () => {
    proxy.addRule({ method: 'GET', path: /\/file$/, times: 1, action: { kind: 'stall', afterBytes: 200_000 } })
    const g = new GlanceClient(viaProxy, cloud.region)
    const stalled = await g.downloadData(id, { idleTimeoutMs: 1500 })
    const e = (await collector(stalled.stream as RawBody).done.catch((x: unknown) => x)) as AppError
    expect(e).toMatchObject({ code: 'TIMEOUT', retryable: true })
    proxy.releaseStalls()
    proxy.clearRules()

    proxy.addRule({ method: 'GET', path: /\/file$/, times: 1, action: { kind: 'stall', afterBytes: 200_000 } })
    const ac = new AbortController()
    const dl = await g.downloadData(id, { signal: ac.signal })
    const c = collector(dl.stream as RawBody)
    setTimeout(() => ac.abort(), 300)
    expect(await c.done.catch((x: unknown) => x)).toMatchObject({ code: 'CANCELLED' })
    proxy.releaseStalls()
    proxy.clearRules()
  })
})
