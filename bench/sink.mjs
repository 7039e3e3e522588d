// A discard sink: answers every request after reading and dropping its body. Prints its port on stdout.
import { createServer } from 'node:http'
const server = createServer((req, res) => {
  let n = 0
  req.on('data', (c) => (n += c.length))
  req.on('end', () => {
    res.writeHead(204, { 'x-bytes': String(n) })
    res.end()
  })
})
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
