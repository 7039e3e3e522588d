// A discard sink that speaks just enough Keystone v3 and Glance v2 for the glance-desktop CLI to run its real upload
// path against it (session, GlanceClient.uploadData, HttpClient, the engine's hashing body): POST /v3/auth/tokens
// (a catalog pointing back here), POST /v2/images, GET/DELETE /v2/images/{id}, and PUT /v2/images/{id}/file, whose
// body is read and dropped (no hashing: the image becomes active without checksum, so the client does not verify).
// Any other PUT (curl -T to "/") is read and dropped as well. Prints its port on stdout.
import { createServer } from 'node:http'

const images = new Map()
let base = ''

function json(res, status, body, headers = {}) {
  const b = Buffer.from(JSON.stringify(body))
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': b.length, ...headers })
  res.end(b)
}
function readJson(req) {
  return new Promise((resolve) => {
    const parts = []
    req.on('data', (c) => parts.push(c))
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString('utf8') || '{}'))
      } catch {
        resolve({})
      }
    })
  })
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, base)
  const p = url.pathname
  if (req.method === 'POST' && p === '/v3/auth/tokens') {
    await readJson(req)
    const now = Date.now()
    return json(
      res,
      201,
      {
        token: {
          expires_at: new Date(now + 3600_000).toISOString(),
          issued_at: new Date(now).toISOString(),
          user: { id: 'u', name: 'admin', domain: { id: 'default' } },
          project: { id: 'p', name: 'admin', domain: { id: 'default' } },
          roles: [{ name: 'admin' }],
          catalog: [{ type: 'image', name: 'glance', endpoints: [{ interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: base }] }],
        },
      },
      { 'x-subject-token': 'sink-token' },
    )
  }
  if (req.method === 'POST' && p === '/v2/images') {
    const body = await readJson(req)
    const id = body.id ?? crypto.randomUUID()
    const img = { container_format: 'bare', ...body, id, status: 'queued', size: null, checksum: null, os_hash_algo: null, os_hash_value: null }
    images.set(id, img)
    return json(res, 201, img)
  }
  const m = /^\/v2\/images\/([^/]+)(\/file)?$/.exec(p)
  if (m && !m[2] && req.method === 'GET') {
    const img = images.get(m[1])
    return img ? json(res, 200, img) : json(res, 404, { message: 'not found', code: 404 })
  }
  if (m && !m[2] && req.method === 'DELETE') {
    images.delete(m[1])
    res.writeHead(204).end()
    return
  }
  // PUT /v2/images/{id}/file, or any other PUT/POST with a body: count and drop
  let n = 0
  req.on('data', (c) => (n += c.length))
  req.on('end', () => {
    const img = m?.[2] ? images.get(m[1]) : undefined
    if (img) Object.assign(img, { status: 'active', size: n })
    res.writeHead(204, { 'x-bytes': String(n) })
    res.end()
  })
})
server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`
  console.log(server.address().port)
})
