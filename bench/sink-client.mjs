// Uploads FILE to URL the way the engine does (fs read stream, 4 MiB chunks, md5 + sha512 in the same pass,
// Content-Length, back-pressure through pipe) and prints {"seconds","bytes","md5","sha512"}.
import { createHash } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { request } from 'node:http'
import { Transform } from 'node:stream'
const [file, url] = process.argv.slice(2)
const size = statSync(file).size
const md5 = createHash('md5')
const sha = createHash('sha512')
const CHUNK = 4 * 1024 * 1024
const tap = new Transform({
  readableHighWaterMark: CHUNK,
  writableHighWaterMark: CHUNK,
  transform(c, _e, cb) {
    md5.update(c)
    sha.update(c)
    cb(null, c)
  },
})
const t0 = performance.now()
const req = request(url, { method: 'PUT', headers: { 'content-length': size, 'content-type': 'application/octet-stream' } }, (res) => {
  res.resume()
  res.on('end', () => {
    console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, bytes: size, md5: md5.digest('hex'), sha512: sha.digest('hex') }))
  })
})
createReadStream(file, { highWaterMark: CHUNK }).pipe(tap).pipe(req)
