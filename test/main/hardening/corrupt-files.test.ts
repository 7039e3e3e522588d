/**
 * A settings file or a queue file corrupted between two runs (a disk error, a half-copied backup, a hand edit):
 * the next start keeps the bad file aside (never overwrites it), starts, and tells the user (app:notices, which the
 * renderer asks for once its window is up), and what lives in the OTHER files survives: queued jobs when the settings
 * broke, profiles and their saved secrets when the queue broke.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Notice, Result } from '../../../preload/api'
import { createServices, type Services } from '../../../main/services'
import { dispatch } from '../../../main/ipc/dispatch'
import { createNullLogger } from '../../../main/log'
import { defaultProfileInput } from '../../../main/profiles/model'
import { passwordAuth } from '../../../preload/api'
import { createWebPlatform, memoryCipher } from '../../../web/platform'

let root: string
let dataDir: string
const key = Buffer.alloc(32, 3)

async function start(): Promise<Services> {
  const platform = createWebPlatform({ dataDir, env: {} })
  platform.cipher = memoryCipher(key)
  return createServices(platform, { startQueue: false, logger: createNullLogger() })
}

async function notices(s: Services): Promise<Notice[]> {
  const r = (await dispatch(s.handlers, 'app:notices', [])) as Result<Notice[]>
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

/** First run: one profile with a saved secret, one queued upload (the queue is not started). */
async function firstRun(): Promise<{ profileId: string; jobId: string }> {
  const s = await start()
  const p = s.profiles.create(
    defaultProfileInput({ name: 'prod', authUrl: 'https://keystone.example:5000/v3', auth: passwordAuth({ username: 'u', projectName: 'p' }) }),
  )
  s.profiles.setSecret({ profileId: p.id, secret: 'kept-secret', persist: true })
  mkdirSync(join(root, 'user'), { recursive: true })
  writeFileSync(join(root, 'user', 'disk.raw'), Buffer.alloc(8192, 1))
  const job = await s.transfers.enqueueUpload(
    { profileId: p.id, region: 'RegionOne' },
    {
      name: 'queued-image',
      fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false },
      diskFormat: 'raw',
      filePath: join(root, 'user', 'disk.raw'),
    },
  )
  await s.transfers.flush()
  await s.close()
  return { profileId: p.id, jobId: job.id }
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'gd-corrupt-'))
  dataDir = join(root, 'data')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('files corrupted between runs', () => {
  it.each([
    ['truncated JSON', (t: string) => t.slice(0, Math.floor(t.length / 2))],
    ['binary garbage', () => '\u0000\u0001\u00ff garbage'],
    ['valid JSON, wrong shape', () => '{"version": 99, "profiles": "nope"}'],
    ['empty', () => ''],
  ])('settings: %s -> kept aside, app starts, user told, queued jobs and nothing else lost', async (_label, corrupt) => {
    const { jobId } = await firstRun()
    const file = join(dataDir, 'settings.json')
    const bad = corrupt(readFileSync(file, 'utf8'))
    writeFileSync(file, bad)
    const s = await start()
    const st = s.profiles.state()
    expect(st.recovered?.message).toMatch(/could not be used/)
    // the bad file is kept, byte for byte
    const aside = readdirSync(dataDir).filter((n) => n.startsWith('settings.json.corrupt-'))
    expect(aside).toHaveLength(1)
    expect(readFileSync(join(dataDir, aside[0]!), 'utf8')).toBe(bad)
    // told: app:notices carries it for the renderer
    expect((await notices(s)).map((n) => n.message).join('\n')).toMatch(/profiles file/)
    // the queue (another file) survived
    expect(s.transfers.list().map((j) => j.id)).toContain(jobId)
    // and the app works: a new profile can be saved
    s.profiles.create(defaultProfileInput({ name: 'new', authUrl: 'https://k.example/v3', auth: passwordAuth({ username: 'u', projectName: 'p' }) }))
    await s.close()
    const s2 = await start()
    expect(s2.profiles.list().map((p) => p.name)).toEqual(['new'])
    expect(s2.profiles.state().recovered).toBeUndefined()
    await s2.close()
  })

  it.each([
    ['truncated JSON', (t: string) => t.slice(0, Math.floor(t.length / 2))],
    ['invalid JSON', () => '{"version":1,"jobs":[{'],
    ['wrong version', () => '{"version": 2, "jobs": []}'],
  ])('queue: %s -> kept aside, app starts, user told, profiles and secrets survive', async (_label, corrupt) => {
    const { profileId } = await firstRun()
    const file = join(dataDir, 'transfers', 'jobs.json')
    const bad = corrupt(readFileSync(file, 'utf8'))
    writeFileSync(file, bad)
    const s = await start()
    expect(s.transfers.recovered?.message).toMatch(/could not be read/)
    expect(s.transfers.list()).toEqual([])
    const aside = readdirSync(join(dataDir, 'transfers')).filter((n) => n.startsWith('jobs.json.corrupt-'))
    expect(aside).toHaveLength(1)
    expect(readFileSync(join(dataDir, 'transfers', aside[0]!), 'utf8')).toBe(bad)
    // told, also after start-up (the start-up event fires before any window listens)
    const n = await notices(s)
    expect(n.some((x) => x.level === 'error' && /transfer queue file/.test(x.message))).toBe(true)
    // the profiles and the saved secret (other files) survive
    expect(s.profiles.list().map((p) => p.id)).toEqual([profileId])
    expect(s.profiles.secret(profileId)).toBe('kept-secret')
    await s.close()
  })

  it('secrets: a damaged secrets file is kept aside; profiles survive, the user is asked for the password again', async () => {
    const { profileId, jobId } = await firstRun()
    writeFileSync(join(dataDir, 'secrets.json'), '{"version":1,"secr')
    const s = await start()
    expect(s.profiles.list().map((p) => p.id)).toEqual([profileId])
    expect(s.profiles.get(profileId).secretState).toBe('none')
    expect((await notices(s)).map((x) => x.message).join('\n')).toMatch(/secrets file/)
    expect(s.transfers.list().map((j) => j.id)).toContain(jobId)
    expect(existsSync(join(dataDir, 'secrets.json'))).toBe(false)
    await s.close()
  })
})
