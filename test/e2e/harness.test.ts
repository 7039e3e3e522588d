/**
 * The browser harness: its security (secret, cookie, Origin, Host), its WebSocket binding of the real handler map,
 * its scripted dialogs, and the real renderer in Debian's Chromium against the real services and the test cloud.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WsClient from 'ws'
import { describeBrowser } from '../support/cloud'
import { launchBrowser, screenshot, startTestHarness, type LaunchedBrowser, type PageGlobals, type TestHarness } from './support'

/** Opens a WebSocket to the harness; resolves with the socket or the refusal's HTTP status. */
function connect(url: string, headers: Record<string, string> = {}): Promise<{ ws?: WsClient; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WsClient(url, { headers })
    ws.once('open', () => resolve({ ws }))
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 })
      ws.terminate()
    })
    ws.once('error', () => resolve({ status: -1 }))
  })
}

function call(
  ws: WsClient,
  id: number,
  channel: string,
  args: unknown[],
): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WsClient.RawData): void => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: never }
      if (msg.id === id) {
        ws.off('message', onMessage)
        resolve(msg.result!)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ id, channel, args }))
  })
}

function callRaw(
  ws: WsClient,
  frame: { id: number } & Record<string, unknown>,
): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WsClient.RawData): void => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: never }
      if (msg.id === frame.id) {
        ws.off('message', onMessage)
        resolve(msg.result!)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify(frame))
  })
}

describe('browser harness: security and transport', () => {
  let h: TestHarness
  let wsUrl: string
  beforeAll(async () => {
    h = await startTestHarness({ startQueue: false })
    wsUrl = `ws://127.0.0.1:${h.port}/__harness/ws`
  })
  afterAll(() => h?.close())

  it('prints-style URL carries the secret on 127.0.0.1', () => {
    expect(h.url).toBe(`http://127.0.0.1:${h.port}/?token=${h.token}`)
    expect(h.token.length).toBeGreaterThanOrEqual(32)
  })

  it('refuses every request without the secret (401)', async () => {
    for (const path of ['/', '/index.html', '/__harness/bridge.js', '/__harness/state', '/assets/x.js', '/?token=wrong']) {
      const r = await fetch(`${h.origin}${path}`)
      expect(r.status, path).toBe(401)
      expect(await r.text()).not.toContain('<script')
    }
    const dialog = await fetch(`${h.origin}/__harness/dialog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"path":"/etc/passwd"}',
    })
    expect(dialog.status).toBe(401)
    const cookie = await fetch(`${h.origin}/`, { headers: { cookie: `glance_harness_${h.port}=nope` } })
    expect(cookie.status).toBe(401)
  })

  it('serves the page with the secret, sets an HttpOnly SameSite=Strict cookie, injects the bridge first', async () => {
    const r = await fetch(h.url)
    expect(r.status).toBe(200)
    const setCookie = r.headers.get('set-cookie')!
    expect(setCookie).toMatch(new RegExp(`^glance_harness_${h.port}=${h.token};`))
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    expect(r.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${h.port}`)
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await r.text()
    const bridge = html.indexOf('<script type="module" src="/__harness/bridge.js">')
    const app = html.search(/<script[^>]+src="[^"]*assets\//)
    expect(bridge).toBeGreaterThan(0)
    expect(app).toBeGreaterThan(bridge)
    // The cookie alone authorises later requests.
    const js = await fetch(`${h.origin}/__harness/bridge.js`, { headers: { cookie: setCookie.split(';')[0]! } })
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toMatch(/javascript/)
  })

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: h.port, path: `/?token=${h.token}`, headers: { host: `evil.example:${h.port}` } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(403)
  })

  it('refuses path traversal', async () => {
    const { request } = await import('node:http')
    for (const path of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%5c..%5cpackage.json']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: h.port, path, headers: { 'x-harness-token': h.token } }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on('error', reject)
        req.end()
      })
      expect(status, path).toBe(403)
    }
  })

  it('refuses a WebSocket with a wrong or missing Origin (403), or without the secret (401)', async () => {
    expect((await connect(`${wsUrl}?token=${h.token}`, { Origin: 'http://evil.example' })).status).toBe(403)
    expect((await connect(`${wsUrl}?token=${h.token}`, { Origin: `http://localhost:${h.port}` })).status).toBe(403)
    expect((await connect(`${wsUrl}?token=${h.token}`, { Origin: 'null' })).status).toBe(403)
    expect((await connect(`${wsUrl}?token=${h.token}`)).status).toBe(403)
    expect((await connect(wsUrl, { Origin: h.origin })).status).toBe(401)
    expect((await connect(`${wsUrl}?token=x${h.token.slice(1)}`, { Origin: h.origin })).status).toBe(401)
    expect(h.lines.some((l) => l.includes('refused WebSocket'))).toBe(true)
  })

  it('binds the real handler map over the socket (token in the URL or the cookie)', async () => {
    const { ws } = await connect(wsUrl, { Origin: h.origin, Cookie: `glance_harness_${h.port}=${h.token}` })
    expect(ws).toBeDefined()
    const info = await call(ws!, 1, 'app:info', [])
    expect(info).toMatchObject({ ok: true, value: { shell: 'web', name: 'Glance Desktop', dataDir: h.dataDir } })
    expect(await call(ws!, 2, 'no:such', [])).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await call(ws!, 3, 'app:info', [1, 2])).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await call(ws!, 4, 'app:openExternal', ['file:///etc/passwd'])).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await call(ws!, 5, 'app:openExternal', ['https://docs.openstack.org/glance/latest/'])).toMatchObject({ ok: true })
    expect(await call(ws!, 56, 'app:openExternal', ['https://example.com/'])).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect((await h.state()).opened).toEqual(['https://docs.openstack.org/glance/latest/'])

    // Scripted dialogs: the next pickOpen answers with the queued path; an empty queue answers "cancelled".
    const dir = mkdtempSync(join(tmpdir(), 'glance-dialog-'))
    const file = join(dir, 'disk.img')
    writeFileSync(file, Buffer.alloc(4096))
    await h.setDialogAnswer(file)
    const picked = await call(ws!, 6, 'files:pickOpen', ['image'])
    expect(picked).toMatchObject({ ok: true, value: { name: 'disk.img', path: file, size: 4096 } })
    expect((picked.value as { handle: string }).handle).toMatch(/^fh_/)
    expect(await call(ws!, 7, 'files:pickOpen', ['image'])).toEqual({ ok: true, value: null })

    // `undefined` arguments survive the JSON wire (listed in `u`), as they survive Electron's structured clone;
    // a real null stays null.
    const handle = (picked.value as { handle: string }).handle
    const inspectUndefined = await callRaw(ws!, { id: 100, channel: 'files:inspect', args: [handle, null], u: [1] })
    expect(inspectUndefined.error?.code).not.toBe('VALIDATION')
    const inspectNull = await callRaw(ws!, { id: 101, channel: 'files:inspect', args: [handle, null] })
    expect(inspectNull).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await callRaw(ws!, { id: 102, channel: 'files:inspect', args: [handle], u: [5] })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    const st = await h.state()
    expect(st.dialogsAsked.map((d) => d.kind)).toEqual(['open', 'open'])
    expect(st.dialogsPending).toBe(0)

    // Events from the services' bus reach connected sockets.
    const got = new Promise<unknown>((resolve) =>
      ws!.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { event?: string; payload?: unknown }
        if (m.event === 'app:notice') resolve(m.payload)
      }),
    )
    h.services.events.emit('app:notice', { level: 'info', message: 'hello' })
    expect(await got).toEqual({ level: 'info', message: 'hello' })
    ws!.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses bad dialog answers', async () => {
    const r = await fetch(`${h.origin}/__harness/dialog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-harness-token': h.token },
      body: JSON.stringify({ path: 42 }),
    })
    expect(r.status).toBe(400)
  })
})

describeBrowser('browser harness in Chromium', (cloud) => {
  let h: TestHarness
  let browser: LaunchedBrowser
  let foreign: Server
  beforeAll(async () => {
    h = await startTestHarness({ cloud })
    browser = await launchBrowser()
    // Another local page (a different origin) that tries to drive the harness.
    foreign = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<!doctype html><title>foreign</title>')
    })
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', () => r()))
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
    foreign?.close()
  })

  it('opens the real renderer with window.api over the socket, under the CSP, and takes a screenshot', async () => {
    const page = await browser.newPage()
    await h.open(page)
    const info = await page.evaluate(() => (globalThis as unknown as PageGlobals).api.app.info())
    expect(info).toMatchObject({ ok: true, value: { shell: 'web' } })
    const state = await page.evaluate(() => (globalThis as unknown as PageGlobals).api.profiles.state())
    expect(state.ok).toBe(true)
    // An omitted optional argument (the cursor) arrives as undefined, not null.
    const list = await page.evaluate(() => (globalThis as unknown as PageGlobals).api.images.list({ profileId: 'no-such-profile' }, {}))
    expect(list.ok ? '' : list.error.message).not.toMatch(/argument 3/)
    // The bridge is frozen and not replaceable by page script.
    expect(await page.evaluate(() => Object.isFrozen((globalThis as unknown as PageGlobals).api))).toBe(true)
    // A dropped file cannot be resolved in a browser: a FILE error that points to the dialog.
    const dropped = await page.evaluate(() => (globalThis as unknown as PageGlobals).api.files.dropped(new File(['x'], 'x.img')))
    expect(dropped).toMatchObject({ ok: false, error: { code: 'FILE', message: expect.stringMatching(/dialog/) } })
    // The page cannot read the secret cookie.
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.cookie)).not.toContain(h.token)
    const path = await screenshot(page, 'harness')
    expect(path).toMatch(/test-results[/\\]screenshots[/\\]harness\.png$/)
    // Real CSP violations only ("frame-ancestors is ignored in a <meta>" is a notice, not a violation).
    expect(page.problems.filter((p) => /Refused to|violates the following Content Security Policy/i.test(p))).toEqual([])
    await page.close()
  })

  it('a page on another origin cannot open the socket, even knowing the secret', async () => {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`)
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url)
          ws.onopen = () => resolve('open')
          ws.onerror = () => resolve('refused')
        }),
      `ws://127.0.0.1:${h.port}/__harness/ws?token=${h.token}`,
    )
    expect(outcome).toBe('refused')
    await page.close()
  })
})
