/**
 * Issue 12.1, checked from outside: a script acts as a compromised renderer on a REAL harness process's bridge
 * (its WebSocket, with the run's secret, as the page would) and tries every way to send a stored secret to a
 * loopback listener that stands for a foreign host. The saved profile is for the REAL loopback Keystone (its test
 * connection succeeds before and after). No request may reach the listener, let alone carry the password.
 *
 * Needs `npm run build` (out/web/harness.js, out/renderer).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import WsClient from 'ws'
import { describeCloud, REPO_ROOT } from '../../support/cloud'
import { cloudEnv } from '../../e2e/support/harness'
import { profileOf } from './helpers'

type Result = { ok: boolean; value?: unknown; error?: { code: string; message: string; details?: Record<string, unknown> } }
type Dto = Record<string, unknown> & { id: string; name: string; secretState: string; source: string }

/** GD_PROBE_HARNESS: another build to probe (e.g. an older commit's, to see this test fail there). */
const HARNESS = process.env.GD_PROBE_HARNESS ?? resolve(REPO_ROOT, 'out/web/harness.js')

describeCloud('a compromised renderer cannot send a stored secret to another host (harness process)', (cloud) => {
  let proc: ChildProcess
  let dataDir: string
  let listener: Server
  let foreign = ''
  const seen: string[] = []
  let ws: WsClient
  let origin = ''
  let token = ''
  let nextId = 1

  const call = (channel: string, ...args: unknown[]): Promise<Result> =>
    new Promise((ok) => {
      const id = nextId++
      const onMessage = (data: WsClient.RawData): void => {
        const msg = JSON.parse(data.toString()) as { id?: number; result?: Result }
        if (msg.id === id) {
          ws.off('message', onMessage)
          ok(msg.result!)
        }
      }
      ws.on('message', onMessage)
      ws.send(JSON.stringify({ id, channel, args }))
    })
  const value = async <T = Dto>(channel: string, ...args: unknown[]): Promise<T> => {
    const r = await call(channel, ...args)
    if (!r.ok) throw new Error(`${channel}: ${r.error?.code} ${r.error?.message}`)
    return r.value as T
  }
  const inputOf = (p: Dto): Record<string, unknown> => {
    const { id: _i, source: _s, secretState: _st, order: _o, ...rest } = p
    return rest
  }
  const refused = async (channel: string, ...args: unknown[]): Promise<string> => {
    const r = await call(channel, ...args)
    expect(r.ok, `${channel} must be refused`).toBe(false)
    return r.error!.code
  }

  beforeAll(async () => {
    if (!existsSync(HARNESS)) throw new Error(`run \`npm run build\` first: ${HARNESS} is needed`)
    listener = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body}`)
        // Answer like a Keystone would, to tempt a client into going on.
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': 'gAAAAAforeign' }).end('{"token":{}}')
      })
    })
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r))
    foreign = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`

    dataDir = mkdtempSync(join(tmpdir(), 'gd-probe-'))
    proc = spawn(process.execPath, [HARNESS], {
      env: { PATH: process.env.PATH ?? '', HOME: dataDir, GLANCE_DESKTOP_DATA_DIR: dataDir, GLANCE_HARNESS_CIPHER: 'memory', PORT: '0', ...cloudEnv(cloud) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const url = await new Promise<string>((ok, fail) => {
      let out = ''
      proc.stdout!.on('data', (c: Buffer) => {
        out += c.toString()
        const m = /harness: (http:\/\/\S+)/.exec(out)
        if (m) ok(m[1]!)
      })
      proc.once('exit', (code) => fail(new Error(`harness exited (${code})`)))
      setTimeout(() => fail(new Error('harness did not start')), 60_000)
    })
    const u = new URL(url)
    origin = u.origin
    token = u.searchParams.get('token')!
    ws = await new Promise<WsClient>((ok, fail) => {
      const c = new WsClient(`ws://${u.host}/__harness/ws`, { headers: { Origin: origin, 'X-Harness-Token': token } })
      c.once('open', () => ok(c))
      c.once('error', fail)
    })
  })

  afterAll(async () => {
    ws?.close()
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.once('exit', r))
    }
    await new Promise<void>((r) => (listener ? listener.close(() => r()) : r()))
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('tries every way; the listener never gets a request; the real cloud still works', async () => {
    const state = await value<{ profiles: Dto[]; encryptionAvailable: boolean }>('profiles:state')
    expect(state.encryptionAvailable).toBe(true)
    const env = state.profiles.find((p) => p.source === 'env')!
    expect(env.secretState).toBe('session')

    const saved = await value('profiles:create', profileOf(cloud, { name: 'probe saved' }))
    await value('profiles:setSecret', { profileId: saved.id, secret: cloud.password, persist: true })
    expect((await value('profiles:test', { profileId: saved.id })).ok).toBe(true)
    const base = inputOf(await value('profiles:duplicate', saved.id))
    const dup = (await value<{ profiles: Dto[] }>('profiles:state')).profiles.find((p) => p.name !== saved.name && p.source === 'saved')!
    const savedInput = inputOf(saved)
    void base

    const attempts: [string, () => Promise<unknown>][] = [
      [
        'testDraft: another auth URL, the saved secret',
        () => refused('profiles:testDraft', { input: { ...savedInput, authUrl: `${foreign}/v3` }, profileId: saved.id }),
      ],
      [
        'testDraft: another auth URL, the env secret',
        () => refused('profiles:testDraft', { input: { ...inputOf(env), authUrl: `${foreign}/v3` }, profileId: env.id }),
      ],
      [
        'testDraft: another auth URL with a path trick',
        () => refused('profiles:testDraft', { input: { ...savedInput, authUrl: `${foreign}/${cloud.authUrl}` }, profileId: saved.id }),
      ],
      [
        'testDraft: image override',
        () => refused('profiles:testDraft', { input: { ...savedInput, endpointOverrides: { image: foreign } }, profileId: saved.id }),
      ],
      [
        'testDraft: region override',
        () => refused('profiles:testDraft', { input: { ...savedInput, endpointOverrides: { [`${cloud.region}/image`]: foreign } }, profileId: saved.id }),
      ],
      ['testDraft: insecure', () => refused('profiles:testDraft', { input: { ...savedInput, insecure: true }, profileId: saved.id })],
      [
        'update: image override, then test',
        async () => {
          await refused('profiles:update', saved.id, { ...savedInput, endpointOverrides: { image: foreign } })
          expect((await value('profiles:test', { profileId: saved.id })).ok).toBe(true)
        },
      ],
      [
        'update: insecure + override on the env profile, then test',
        async () => {
          await refused('profiles:update', env.id, { ...inputOf(env), insecure: true, endpointOverrides: { image: foreign } })
        },
      ],
      [
        'duplicate: another auth URL, then test',
        async () => {
          const moved = await value('profiles:update', dup.id, { ...inputOf(dup), authUrl: `${foreign}/v3` })
          expect(moved.secretState).toBe('none')
          expect(await refused('profiles:test', { profileId: dup.id })).toBe('NO_SECRET')
          // ... and back: the secret is gone, not restored.
          const back = await value('profiles:update', dup.id, { ...inputOf(dup), authUrl: cloud.authUrl })
          expect(back.secretState).toBe('none')
        },
      ],
      [
        'env profile: another auth URL, then test',
        async () => {
          await value('profiles:update', env.id, { ...inputOf(env), authUrl: `${foreign}/v3` })
          expect(await refused('profiles:test', { profileId: env.id })).toBe('NO_SECRET')
        },
      ],
      [
        'import the same identity at another URL, then test',
        async () => {
          const text = `clouds:\n  probe:\n    auth:\n      auth_url: ${foreign}/v3\n      username: ${cloud.username}\n      user_domain_name: ${cloud.userDomainName}\n      project_name: ${cloud.projectName}\n      project_domain_name: ${cloud.projectDomainName}\n`
          const source = { kind: 'text', format: 'cloudsYaml', text }
          const prev = await value<{ candidates: { key: string }[] }>('profiles:importPreview', source)
          const [imported] = await value<Dto[]>('profiles:importApply', {
            source,
            decisions: [{ key: prev.candidates[0]!.key, action: 'rename', newName: 'probe imported', saveSecret: false }],
          })
          expect(imported!.secretState).toBe('none')
          expect(await refused('profiles:test', { profileId: imported!.id })).toBe('NO_SECRET')
          expect(await refused('profiles:testDraft', { input: inputOf(imported!), profileId: saved.id })).toBe('NO_SECRET')
        },
      ],
      [
        'update: another auth URL (secret dropped), then test',
        async () => {
          const moved = await value('profiles:update', saved.id, { ...savedInput, authUrl: `${foreign}/v3` })
          expect(moved.secretState).toBe('none')
          expect(await refused('profiles:test', { profileId: saved.id })).toBe('NO_SECRET')
          expect(await refused('profiles:testDraft', { input: { ...savedInput, authUrl: `${foreign}/v3` }, profileId: saved.id })).toBe('NO_SECRET')
        },
      ],
    ]
    for (const [what, attempt] of attempts) {
      const before = seen.length
      await attempt()
      expect(seen.slice(before), what).toEqual([])
    }
    expect(seen.some((r) => r.includes(cloud.password))).toBe(false)
    expect(seen).toEqual([])

    // The user moves the profile back and types the password again: it works (against the real cloud only).
    await value('profiles:update', saved.id, savedInput)
    await value('profiles:setSecret', { profileId: saved.id, secret: cloud.password, persist: true })
    expect((await value('profiles:test', { profileId: saved.id })).ok).toBe(true)
    expect(seen).toEqual([])
  })
})
