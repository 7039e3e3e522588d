/**
 * The browser harness facing a hostile local client: malformed cookies on the WebSocket upgrade and on plain
 * requests are refused (401), never an exception that takes the harness process down.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from '../../../web/harness'

let h: Harness
let root: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gd-hostile-harness-'))
  const renderer = join(root, 'renderer')
  mkdirSync(renderer)
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><html><head></head><body><script type="module" src="/x.js"></script></body></html>')
  writeFileSync(join(root, 'bridge.js'), 'export {}\n')
  h = await startHarness({
    dataDir: join(root, 'data'),
    env: { PATH: process.env.PATH ?? '' },
    rendererDir: renderer,
    bridgeFile: join(root, 'bridge.js'),
    startQueue: false,
  })
})

afterAll(async () => {
  await h?.close()
  rmSync(root, { recursive: true, force: true })
})

/** Sends one raw request and resolves with the status line's code (or 'closed' if the socket ends without one). */
function rawStatus(headers: Record<string, string>, upgrade: boolean): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: h.port, path: upgrade ? '/__harness/ws' : '/', headers })
    req.on('response', (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve(res.statusCode ?? 101)
    })
    req.on('error', () => resolve('closed'))
    req.setTimeout(5000, () => {
      req.destroy()
      resolve('closed')
    })
    req.end()
  })
}

describe('harness: malformed cookies', () => {
  it('answers 401 to a WebSocket upgrade whose cookie is `%`, and keeps serving', async () => {
    const status = await rawStatus(
      {
        Host: `127.0.0.1:${h.port}`,
        Origin: h.origin,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        Cookie: `glance_harness_${h.port}=%`,
      },
      true,
    )
    expect(status).toBe(401)
    // Still alive: the page with the secret is served.
    expect(await rawStatus({ Host: `127.0.0.1:${h.port}`, 'X-Harness-Token': h.token }, false)).toBe(200)
  })

  it('answers 401 (not 500) to a page request whose cookie is a broken escape', async () => {
    expect(await rawStatus({ Host: `127.0.0.1:${h.port}`, Cookie: `glance_harness_${h.port}=%E0%A4%A` }, false)).toBe(401)
  })
})

describe('harness: scripted confirmations (POST /__harness/dialog)', () => {
  const post = async (body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(`${h.origin}/__harness/dialog`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Harness-Token': h.token },
      body: JSON.stringify(body),
    })
    return { status: r.status, json: (await r.json()) as Record<string, unknown> }
  }

  it('queues yes/no answers for the main process; an empty queue answers no; bad answers are refused', async () => {
    expect((await post({ confirms: [true, false] })).json).toMatchObject({ confirmsPending: 2 })
    const ask = { purpose: 'insecureTls' as const, name: 'p', subjects: ['https://k/v3'] }
    expect(await h.platform.dialogs.confirm(ask)).toBe(true)
    expect(await h.platform.dialogs.confirm(ask)).toBe(false)
    expect(await h.platform.dialogs.confirm(ask)).toBe(false)
    expect((await post({ confirm: 'yes' })).status).toBe(400)
    expect((await post([true])).status).toBe(400)
    const state = (await (await fetch(`${h.origin}/__harness/state`, { headers: { 'X-Harness-Token': h.token } })).json()) as {
      dialogsAsked: { kind: string; answer?: boolean }[]
    }
    expect(state.dialogsAsked.filter((d) => d.kind === 'confirm').map((d) => d.answer)).toEqual([true, false, false])
  })
})
