/**
 * raw-get.ts parseHead: which response heads the in-place body path takes, and which it hands back to node:http.
 * (The requests themselves run against the real Glance: test/integration/openstack/raw-get.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { parseHead } from '../../../main/openstack/raw-get'

const head = (...lines: string[]) => parseHead(lines.join('\r\n'))

describe('parseHead', () => {
  it('a Glance download head: status, lower-case names, the length', () => {
    const h = head(
      'HTTP/1.1 200 OK',
      'Content-Type: application/octet-stream',
      'Content-Length: 1073741824',
      'Content-MD5:  abc ',
      'X-Openstack-Request-Id: req-1',
    )
    expect(h).toEqual({
      status: 200,
      headers: { 'content-type': 'application/octet-stream', 'content-length': '1073741824', 'content-md5': 'abc', 'x-openstack-request-id': 'req-1' },
      length: 1073741824,
      chunked: false,
    })
  })

  it('repeats as node:http keeps them: set-cookie a list, singletons the first, others joined', () => {
    const h = head(
      'HTTP/1.0 206 Partial Content',
      'Set-Cookie: a=1',
      'set-cookie: b=2',
      'Server: one',
      'Server: two',
      'Vary: a',
      'Vary: b',
      'Content-Length: 5',
    )
    expect(h?.headers).toMatchObject({ 'set-cookie': ['a=1', 'b=2'], server: 'one', vary: 'a, b' })
    expect(h?.status).toBe(206)
  })

  it('no single valid Content-Length: no length (node:http answers instead)', () => {
    expect(head('HTTP/1.1 200 OK')?.length).toBeUndefined()
    expect(head('HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 6')?.length).toBeUndefined()
    expect(head('HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 5')?.length).toBe(5)
    expect(head('HTTP/1.1 200 OK', 'Content-Length: -1')?.length).toBeUndefined()
    expect(head('HTTP/1.1 200 OK', 'Content-Length: 0x10')?.length).toBeUndefined()
    expect(head('HTTP/1.1 200 OK', 'Content-Length: 99999999999999999')?.length).toBeUndefined()
    expect(head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Content-Length: 5')?.chunked).toBe(true)
  })

  it('what is not strictly HTTP/1.1 is refused (null)', () => {
    for (const bad of [
      ['HTTP/2 200'],
      ['HTTP/1.1 20 OK'],
      ['ICY 200 OK'],
      ['HTTP/1.1 200 OK', ' folded: line'],
      ['HTTP/1.1 200 OK', 'Bad Name: x'],
      ['HTTP/1.1 200 OK', 'name : x'],
      ['HTTP/1.1 200 OK', 'no-colon'],
      ['HTTP/1.1 200 OK', 'x: a\u0000b'],
      ['HTTP/1.1 200 OK', 'x: a\nb'],
    ]) {
      expect(head(...bad), JSON.stringify(bad)).toBeNull()
    }
  })
})
