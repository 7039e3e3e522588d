import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { judgeProbe, probeImageUrl } from '../../../main/images/url-probe'

// A local HTTP server that answers HEAD and sends the GET's headers of a qcow2 image, then stalls past the probe's
// timeout: the probe saw a status but no bytes, so it could not check the URL; it must not refuse it.
let server: Server
let base = ''
const open = new Set<import('node:http').ServerResponse>()

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.method === 'HEAD' ? 200 : 206, { 'content-type': 'application/octet-stream', 'content-length': '65536' })
    if (req.method === 'HEAD') return void res.end()
    res.flushHeaders()
    open.add(res) // never ends within the test
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  for (const r of open) r.destroy()
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

describe('probeImageUrl: a read that does not finish', () => {
  it('headers then a stalled body: not refused, reported as not checked', async () => {
    const started = Date.now()
    const v = await probeImageUrl(`${base}/disk.qcow2`, 'qcow2', 400)
    expect(v.outcome).toBe('unreachable')
    expect(Date.now() - started).toBeLessThan(10_000)
  })
  it('an inspection that failed is not a refusal (but a web page still is)', () => {
    const head = Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3])
    expect(judgeProbe(`${base}/x`, 'qcow2', { status: 200, head, inspectFailed: true })).toEqual({ outcome: 'unchecked' })
    expect(() => judgeProbe(`${base}/x`, 'qcow2', { status: 200, head: Buffer.from('<html><body>'), inspectFailed: true })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ reason: 'urlWebPage' }) }),
    )
  })
})
