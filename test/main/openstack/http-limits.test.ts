/**
 * Bounded responses (issue 12.4): a hostile endpoint on loopback feeds each limit of the HTTP layer a pathological
 * answer, and the client must stay within a time and memory bound: an endless error page, an unclosed `<script`
 * repeated, a JSON body larger than the call's limit, an answer that trickles forever.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../preload/api'
import { HttpClient, MAX_ERROR_BODY, stripHtml } from '../../../main/openstack/http'

const MiB = 1024 * 1024
let server: http.Server
let base: string
/** Bytes the server managed to hand to the socket, per path (an endless body stops once the client hangs up). */
const sent = new Map<string, number>()

function endless(res: http.ServerResponse, path: string, status: number, chunk: Buffer, maxBytes: number): void {
  res.writeHead(status, { 'content-type': 'text/html' })
  let n = 0
  const pump = () => {
    while (n < maxBytes) {
      n += chunk.length
      sent.set(path, n)
      if (!res.write(chunk)) return void res.once('drain', pump)
    }
    res.end()
  }
  res.on('close', () => sent.set(path, n))
  pump()
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? ''
    if (path === '/error-page') return endless(res, path, 500, Buffer.from('<script'.repeat(9362)), 256 * MiB)
    if (path === '/big-json') {
      const body = JSON.stringify({ images: [{ name: 'x'.repeat(2 * MiB) }] })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      return void res.end(body)
    }
    if (path === '/trickle') {
      // a byte every 50 ms: the idle timeout never fires
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('[')
      const t = setInterval(() => res.write(' '), 50)
      res.on('close', () => clearInterval(t))
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (e) {
    return e as AppError
  }
  throw new Error('expected a failure')
}

describe('bounded responses', () => {
  it('an endless HTML error page: ~64 KiB are read, the message is stripped, fast and in little memory', async () => {
    const client = new HttpClient({ env: {} })
    const mem0 = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed
    const t0 = performance.now()
    const e = await failure(client.request({ method: 'GET', url: `${base}/error-page` }))
    const ms = performance.now() - t0
    const grew = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed - mem0
    client.close()
    expect(e).toBeInstanceOf(AppError)
    expect(e.code).toBe('SERVER')
    expect(e.status).toBe(500)
    // generous (10× a quiet machine's figure): the bounds that matter are the memory and the bytes the server sent
    expect(ms).toBeLessThan(15_000)
    expect(grew).toBeLessThan(32 * MiB)
    // the server was cut off long before its 256 MiB
    await new Promise((r) => setTimeout(r, 100))
    expect(sent.get('/error-page')!).toBeLessThan(32 * MiB)
  })

  it('stripHtml is linear: an unclosed `<script` repeated, twice the input takes about twice the time', () => {
    const small = '<script'.repeat(Math.ceil((64 * 1024) / 7))
    // no `>` anywhere: nothing is a tag, the text stays
    expect(stripHtml(small)).toBe(small)
    // the best of a few runs at N and 2N (a loaded machine slows single runs, not the best one): linear is ~2×,
    // the old two regexes grew with the square (4×; 218 ms on 64 KiB already)
    const best = (input: string): number => {
      let min = Infinity
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now()
        stripHtml(input)
        min = Math.min(min, performance.now() - t0)
      }
      return min
    }
    const n = '<script'.repeat(Math.ceil((256 * 1024) / 7)) + '<b>x'
    const n2 = '<script'.repeat(Math.ceil((512 * 1024) / 7)) + '<b>x'
    best(n) // warm-up (JIT)
    const [tn, tn2] = [best(n), best(n2)]
    expect(tn2, `${tn.toFixed(2)} ms for 256 KiB, ${tn2.toFixed(2)} ms for 512 KiB`).toBeLessThan(3 * Math.max(tn, 0.5))
    const t1 = performance.now()
    stripHtml('<script'.repeat(Math.ceil((4 * MiB) / 7)) + '<b>x')
    expect(performance.now() - t1).toBeLessThan(5000) // 10× a quiet machine's figure
    const mixed = '<script>'.repeat(5000) + '<p>a&amp;b</p>'
    expect(stripHtml(mixed)).toBe('')
    expect(stripHtml('<html><head><title>500</title></head><body><h1>Oops</h1> it &amp; broke</body></html>')).toBe('Oops it & broke')
    expect(MAX_ERROR_BODY).toBeLessThanOrEqual(64 * 1024)
  })

  it('a JSON body over the call limit (1 MiB by default) is refused while it arrives; a list page may be 16 MiB', async () => {
    const client = new HttpClient({ env: {} })
    const e = await failure(client.request({ method: 'GET', url: `${base}/big-json` }))
    expect(e.code).toBe('BAD_RESPONSE')
    expect(e.details).toMatchObject({ reason: 'tooLarge' })
    const ok = await client.request<{ images: { name: string }[] }>({ method: 'GET', url: `${base}/big-json`, maxBodyBytes: 16 * MiB })
    expect(ok.body.images[0]!.name).toHaveLength(2 * MiB)
    client.close()
  })

  it('a call that trickles forever ends at its total deadline as a retryable TIMEOUT', async () => {
    const client = new HttpClient({ env: {}, idleTimeoutMs: 10_000 })
    const t0 = performance.now()
    const e = await failure(client.request({ method: 'GET', url: `${base}/trickle`, deadlineMs: 400 }))
    const ms = performance.now() - t0
    client.close()
    expect(e.code).toBe('TIMEOUT')
    expect(e.retryable).toBe(true)
    expect(e.details).toMatchObject({ reason: 'deadline' })
    expect(ms).toBeGreaterThanOrEqual(390)
    expect(ms).toBeLessThan(2000)
  })
})
