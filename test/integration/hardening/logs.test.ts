/**
 * Logs and diagnostics against the real loopback cloud: real flows (test a profile, list, upload and download a small
 * image, a failed authentication, a member user's session) with a small rotating file logger, then the log files, the
 * "export diagnostics" bundle and EVERY file under the data dir are searched for the test passwords and for the real
 * token values captured from the sessions: none may appear. The log must also be useful: HTTP exchanges with method,
 * URL, status, request id and duration; job state changes; the failed authentication as a warning.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeCloud, memberCloud } from '../../support/cloud'
import { createFileLogger } from '../../../main/log'
import type { Session } from '../../../main/openstack/session'
import { inputOf } from '../../../main/profiles/connector'
import { Direct, download, openApp, pickSave, randomFile, rmrf, upload, type App } from './helpers'

const PREFIX = `gd-hard-logs-${process.pid}-`

function allFiles(dir: string): string[] {
  const out: string[] = []
  for (const n of readdirSync(dir)) {
    const p = join(dir, n)
    if (statSync(p).isDirectory()) out.push(...allFiles(p))
    else out.push(p)
  }
  return out
}

const tokenOf = (s: Session): string | undefined => (s as unknown as { token?: string }).token

describeCloud('logs and diagnostics hold no secret', (cloud) => {
  let app: App
  let member: App | undefined
  const tokens = new Set<string>()
  const passwords = new Set<string>([cloud.password])
  let direct: Direct
  let bundlePath = ''

  beforeAll(async () => {
    direct = new Direct(cloud, PREFIX)
    const mk = (dataDir: string) => createFileLogger({ file: join(dataDir, 'logs', 'main.log'), maxBytes: 4 * 1024, keep: 3, level: 'debug' })
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const root = mkdtempSync(join(tmpdir(), 'gd-hard-logs-'))
    app = await openApp(cloud, { root, logger: mk(join(root, 'data')), cipher: 'memory', persistSecret: true })

    // 1. test the profile (a fresh authentication), capabilities, list
    await app.ok('profiles:test', { profileId: app.profileId })
    await app.ok('images:capabilities', { profileId: app.profileId })
    await app.ok('images:list', { profileId: app.profileId }, { limit: 50 })
    tokens.add(tokenOf((await app.s.clouds.client({ profileId: app.profileId })).session)!)

    // 2. upload a small image and download it
    const file = join(app.userDir, 'small.raw')
    randomFile(file, 512 * 1024)
    const up = await app.s.transfers.waitFor((await upload(app, file, `${PREFIX}small`)).id)
    expect(up.state).toBe('done')
    const down = await app.s.transfers.waitFor((await download(app, up.imageId!, join(app.userDir, 'back.raw'))).id)
    expect(down.state).toBe('done')

    // 3. a failed authentication (the wrong password contains the right one: a leak of either would show)
    const wrong = `x-${cloud.password}-wrong`
    passwords.add(wrong)
    const bad = await app.call('profiles:testDraft', { input: inputOf(app.s.profiles.get(app.profileId)), secret: wrong })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.code).toBe('AUTH_FAILED')

    // 4. a member user's session in the same data dir's log (demo-secret)
    const m = memberCloud()
    if (m) {
      passwords.add(m.password)
      member = await openApp(m, { root: join(root, 'member'), logger: mk(join(root, 'member', 'data')) })
      await member.ok('images:list', { profileId: member.profileId }, { limit: 5 })
      tokens.add(tokenOf((await member.s.clouds.client({ profileId: member.profileId })).session)!)
    }

    // 5. export diagnostics through the real handler
    bundlePath = join(app.userDir, 'diagnostics.json')
    const handle = await pickSave(app, bundlePath)
    await app.ok('app:exportDiagnostics', handle)
    // flush the queue file
    await app.s.transfers.flush()
    for (const t of tokens) expect(t && t.length > 20, 'a real token was captured').toBe(true)
  })

  afterAll(async () => {
    await direct?.cleanup()
    await member?.close()
    await app?.close()
    if (app) rmrf(app.root)
  })

  it('no password and no token in the logs, the diagnostics bundle or any file of the data dir', () => {
    const files = [...allFiles(app.root), bundlePath]
    expect(files.some((f) => f.endsWith('main.log'))).toBe(true)
    expect(files.some((f) => f.endsWith('secrets.json'))).toBe(true)
    const found: string[] = []
    for (const f of files) {
      if (/\.raw(\.part)?$/.test(f)) continue // the image bytes themselves (random)
      const text = readFileSync(f, 'latin1')
      for (const p of passwords) if (text.includes(p)) found.push(`${relative(app.root, f)}: password ${p.slice(0, 3)}…`)
      for (const t of tokens) if (text.includes(t)) found.push(`${relative(app.root, f)}: token ${t.slice(0, 8)}…`)
      if (/X-Auth-Token"?\s*[:=]\s*"?gAAAA/i.test(text)) found.push(`${relative(app.root, f)}: an X-Auth-Token value`)
    }
    expect(found).toEqual([])
  })

  it('the log rotated (4 KiB files, 3 kept) and every line is JSON', () => {
    const logs = readdirSync(join(app.dataDir, 'logs')).sort()
    expect(logs).toContain('main.log')
    expect(logs).toContain('main.log.1')
    expect(logs.length).toBeLessThanOrEqual(4)
    for (const f of logs) {
      const text = readFileSync(join(app.dataDir, 'logs', f), 'utf8')
      expect(Buffer.byteLength(text)).toBeLessThan(4 * 1024 + 4096)
      for (const line of text.trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow()
    }
  })

  it('the log says what happened: HTTP exchanges, job states, the failed authentication', () => {
    const lines = readdirSync(join(app.dataDir, 'logs'))
      .flatMap((f) =>
        readFileSync(join(app.dataDir, 'logs', f), 'utf8')
          .trim()
          .split('\n'),
      )
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const http = lines.filter((l) => l.msg === 'http')
    expect(http.length).toBeGreaterThan(3)
    const ok = http.find((l) => l.method === 'GET' && String(l.url).includes('/v2/images') && l.status === 200)
    expect(ok).toBeDefined()
    expect(typeof ok!.ms).toBe('number')
    expect(String(ok!.requestId)).toMatch(/^req-/)
    const states = lines.filter((l) => l.msg === 'job state').map((l) => l.state)
    expect(states).toEqual(expect.arrayContaining(['running', 'done']))
    const failedAuth = http.find((l) => l.level === 'warn' && l.status === 401 && String(l.url).endsWith('/auth/tokens'))
    expect(failedAuth).toBeDefined()
  })

  it('the diagnostics bundle holds the logs, the app and the profiles, without secrets', () => {
    const b = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
      app: unknown
      profiles: { name: string; secretState: string }[]
      logs: Record<string, string>
      transfers: unknown[]
    }
    expect(b.app).toBeDefined()
    expect(b.profiles.map((p) => p.name)).toContain('hardening')
    expect(Object.keys(b.logs)).toContain('main.log')
    expect(b.transfers.length).toBeGreaterThanOrEqual(2)
    expect((statSync(bundlePath).mode & 0o777).toString(8)).toBe('600')
  })
})
