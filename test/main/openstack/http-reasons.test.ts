/**
 * Issue 14.7: HTTP transport failures carry a reason + params (host; Node's own text as the detail), worded in the
 * UI's language from the renderer's catalogues; a real loopback socket, no imitation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createI18n } from 'vue-i18n'
import { AppError } from '../../../preload/api'
import { describeError } from '../../../preload/rules/messages'
import { HttpClient } from '../../../main/openstack/http'
import { timeoutError } from '../../../main/openstack/http-errors'
import en from '../../../renderer/i18n/en'
import zhCN from '../../../renderer/i18n/zh-CN'

const tr = (locale: string) => {
  const g = createI18n({ legacy: false, locale, fallbackLocale: 'en', messages: { en, 'zh-CN': zhCN }, missingWarn: false, fallbackWarn: false }).global
  return (k: string, p?: Record<string, unknown>) => g.t(k, p ?? {})
}
const zh = tr('zh-CN')

async function rejected(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('did not reject')
}

let server: http.Server
let port = 0
beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<html><body><h1>Welcome to nginx</h1></body></html>')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

describe('HTTP failures are worded from a reason', () => {
  it('a refused connection: NETWORK/transport with the host, Node’s text as the detail', async () => {
    const closed = http.createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()))
    const p = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    const e = await rejected(new HttpClient({ env: {} }).request({ method: 'GET', url: `http://127.0.0.1:${p}/v2/images` }))
    expect(e.code).toBe('NETWORK')
    const d = describeError(e, zh)
    expect(d.text).toBe(`无法连接 127.0.0.1:${p}：请检查地址和网络。`)
    expect(d.detail).toMatch(/ECONNREFUSED/)
  })
  it('a web page where JSON was expected: BAD_RESPONSE/notJson naming the host', async () => {
    const e = await rejected(new HttpClient({ env: {} }).request({ method: 'GET', url: `http://127.0.0.1:${port}/v2/images` }))
    expect(e.code).toBe('BAD_RESPONSE')
    const d = describeError(e, zh)
    expect(d.text).toBe(`127.0.0.1:${port} 返回的内容不是 JSON。`)
    expect(d.detail).toBe('Welcome to nginx')
  })
  it('timeouts say which and how long', () => {
    expect(describeError(timeoutError('connect', 30_000, 'GET', 'http://k:5000/v3'), zh).text).toBe('30 秒内未能连接到 k:5000。')
    expect(describeError(timeoutError('idle', 60_000, 'GET', 'http://g:9292/'), tr('en')).text).toBe('No data moved to or from g:9292 for 60 s.')
  })
})
