import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { fake, fireReady, resetFake } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron())

const { createAppProtocolHandler, registerAppScheme, handleAppProtocol, APP_URL } = await import('../../../main/electron/protocol')
const { resolveStaticPath } = await import('../../../main/serve/static')
const { CSP } = await import('../../../main/serve/csp')

const parent = mkdtempSync(join(tmpdir(), 'glance-proto-'))
const root = join(parent, 'renderer')
beforeAll(() => {
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>')
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(parent, 'secret.txt'), 'TOP-SECRET')
  mkdirSync(join(parent, 'renderer-evil'))
  writeFileSync(join(parent, 'renderer-evil', 'x.js'), 'TOP-SECRET')
})

afterAll(() => rmSync(parent, { recursive: true, force: true }))

const get = (url: string, method = 'GET'): Promise<Response> => createAppProtocolHandler(root)(new Request(url, { method }))

describe('app:// protocol', () => {
  beforeEach(() => resetFake())

  it('is registered as a standard, secure scheme before ready, and handled after', () => {
    registerAppScheme()
    expect(fake.protocol.registeredBeforeReady).toBe(true)
    expect(fake.protocol.privileged).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ])
    fireReady()
    handleAppProtocol(root)
    expect(fake.protocol.handlers.has('app')).toBe(true)
    expect(APP_URL).toBe('app://glance/')
  })

  it('serves index.html and assets with the CSP header', async () => {
    const r = await get('http://glance/'.replace('http:', 'app:'))
    expect(r.status).toBe(200)
    expect(r.headers.get('content-security-policy')).toBe(CSP)
    expect(r.headers.get('content-type')).toMatch(/text\/html/)
    expect(await r.text()).toContain('<title>app</title>')
    const js = await get('app://glance/assets/app.js')
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toMatch(/javascript/)
    expect(js.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it.each([
    '/../secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%2e%2e%5csecret.txt',
    '/assets/%00.js',
    '/..%2frenderer-evil/x.js',
    `/${encodeURIComponent(resolve(parent, 'secret.txt'))}`,
  ])('refuses path traversal: %s', async (path) => {
    const r = await get(`app://glance${path}`)
    expect([400, 403, 404]).toContain(r.status)
    expect(await r.text()).not.toContain('TOP-SECRET')
  })

  it('refuses encoded traversal in the resolver itself (403, not normalised away)', () => {
    expect(resolveStaticPath(root, '/..%2fsecret.txt')).toEqual({ ok: false, status: 403 })
    expect(resolveStaticPath(root, '/a/%2e%2e/%2e%2e/secret.txt')).toEqual({ ok: false, status: 403 })
    expect(resolveStaticPath(root, '/C:/Windows/win.ini')).toEqual({ ok: false, status: 403 })
    expect(resolveStaticPath(root, '/%E0%A4%A')).toEqual({ ok: false, status: 400 })
    expect(resolveStaticPath(root, '/assets/app.js')).toEqual({ ok: true, path: join(root, 'assets', 'app.js') })
  })

  it('answers 404 for other hosts and missing assets, 405 for writes', async () => {
    expect((await get('app://evil/index.html')).status).toBe(404)
    expect((await get('app://glance/assets/missing.js')).status).toBe(404)
    expect((await get('app://glance/', 'POST')).status).toBe(405)
  })

  it('keeps the CSP in renderer/index.html in step with the header', () => {
    const html = readFileSync(resolve(import.meta.dirname, '../../../renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? ''
    // frame-ancestors is ignored in a <meta> policy (the header carries it), so it is optional there.
    const directives = (p: string): string[] =>
      p
        .split(';')
        .map((d) => d.trim().replace(/\s+/g, ' '))
        .filter((d) => d && !d.startsWith('frame-ancestors'))
        .sort()
    expect(directives(meta)).toEqual(directives(CSP))
    expect(CSP).toContain("frame-ancestors 'none'")
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval/)
  })
})
