/**
 * The settings, secrets and queue files: owner-only (files 0600, folders 0700) and written atomically, so that a crash
 * between writing and renaming never leaves a truncated file: the previous file stays whole and is what the next run
 * reads; a left-over temporary file is ignored.
 *
 * The crash is simulated where our code renames (secrets: node:fs renameSync in files/atomic.ts; queue:
 * node:fs/promises rename in transfers/store.ts) by a mocked rename that fails once, as a process killed at that
 * instant would leave things. The settings go through `conf` (its `atomically` writer, not mockable here): a child
 * process writing them in a loop is SIGKILLed at random moments and the file must parse every time.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { onPosix } from '../../support/needs'

const crash = vi.hoisted(() => ({ sync: null as RegExp | null, async: null as RegExp | null, hits: 0 }))

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>()
  const renameSync = (from: string, to: string): void => {
    if (crash.sync && crash.sync.test(String(to))) {
      crash.sync = null
      crash.hits++
      throw Object.assign(new Error('simulated crash before rename'), { code: 'EIO' })
    }
    fs.renameSync(from, to)
  }
  return { ...fs, renameSync, default: { ...fs, renameSync } }
})
vi.mock('node:fs/promises', async (importOriginal) => {
  const fsp = await importOriginal<typeof import('node:fs/promises')>()
  const rename = async (from: string, to: string): Promise<void> => {
    if (crash.async && crash.async.test(String(to))) {
      crash.async = null
      crash.hits++
      throw Object.assign(new Error('simulated crash before rename'), { code: 'EIO' })
    }
    return fsp.rename(from, to)
  }
  return { ...fsp, rename, default: { ...fsp, rename } }
})

const { createServices } = await import('../../../main/services')
const { createNullLogger } = await import('../../../main/log')
const { defaultProfileInput } = await import('../../../main/profiles/model')
const { passwordAuth } = await import('../../../preload/api')
const { createWebPlatform } = await import('../../../web/platform')

const mode = (p: string): number => statSync(p).mode & 0o777

let root: string
let dataDir: string
let userDir: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'gd-atomic-'))
  dataDir = join(root, 'data')
  userDir = join(root, 'user')
  mkdirSync(userDir)
  writeFileSync(join(userDir, 'disk.raw'), Buffer.alloc(64 * 1024, 1))
  crash.sync = null
  crash.async = null
  crash.hits = 0
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

async function open(): Promise<Awaited<ReturnType<typeof createServices>>> {
  // The same key for every run of one test, so that a secret saved by one run is readable by the next.
  const platform = createWebPlatform({ dataDir, env: {}, cipher: 'memory' })
  platform.cipher = fixedCipher
  return createServices(platform, { startQueue: false, logger: createNullLogger() })
}
const { memoryCipher } = await import('../../../web/platform')
const fixedCipher = memoryCipher(Buffer.alloc(32, 7))

const profile = (name: string): ReturnType<typeof defaultProfileInput> =>
  defaultProfileInput({ name, authUrl: 'http://127.0.0.1:9/v3', auth: passwordAuth({ username: 'u', projectName: 'p' }) })

async function writeAll(s: Awaited<ReturnType<typeof open>>, name: string): Promise<string> {
  const p = s.profiles.create(profile(name))
  s.profiles.setSecret({ profileId: p.id, secret: `secret-of-${name}`, persist: true })
  await s.transfers.enqueueUpload(
    { profileId: p.id, region: 'RegionOne' },
    { name: `img-${name}`, fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }, diskFormat: 'raw', filePath: join(userDir, 'disk.raw') },
  )
  await s.transfers.flush()
  return p.id
}

describe('owner-only files', () => {
  onPosix('settings, secrets, queue and log files are 0600, their folders 0700', async () => {
    const s = await open()
    await writeAll(s, 'one')
    s.log.info('a line')
    await s.close()
    const files = {
      settings: join(dataDir, 'settings.json'),
      secrets: join(dataDir, 'secrets.json'),
      queue: join(dataDir, 'transfers', 'jobs.json'),
    }
    for (const [what, f] of Object.entries(files)) {
      expect(existsSync(f), what).toBe(true)
      expect(mode(f).toString(8), what).toBe('600')
    }
    for (const d of [dataDir, join(dataDir, 'transfers')]) expect(mode(d).toString(8), d).toBe('700')
    // The secret is stored encrypted, never in clear.
    expect(readFileSync(files.secrets, 'utf8')).not.toContain('secret-of-one')
    expect(readFileSync(files.settings, 'utf8')).not.toContain('secret-of-one')
  })

  onPosix('the file logger creates its folder 0700 and its files 0600, rotated ones too', async () => {
    const { createFileLogger } = await import('../../../main/log')
    const file = join(dataDir, 'logs', 'main.log')
    const log = createFileLogger({ file, maxBytes: 200, keep: 2 })
    for (let i = 0; i < 20; i++) log.info('line', { i })
    expect(mode(join(dataDir, 'logs')).toString(8)).toBe('700')
    for (const f of readdirSync(join(dataDir, 'logs'))) expect(mode(join(dataDir, 'logs', f)).toString(8), f).toBe('600')
  })
})

describe('a crash between write and rename', () => {
  it('secrets: the previous file stays whole; the next run reads it', async () => {
    const s = await open()
    const id = await writeAll(s, 'one')
    const before = readFileSync(join(dataDir, 'secrets.json'), 'utf8')
    crash.sync = /secrets\.json$/
    expect(() => s.profiles.setSecret({ profileId: id, secret: 'the-new-secret', persist: true })).toThrow()
    expect(crash.hits).toBe(1)
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toBe(before)
    await s.close()
    // A temporary file left by a real crash (truncated) must not matter either.
    writeFileSync(join(dataDir, 'secrets.json.deadbeef0000.tmp'), '{"version":1,"secr')
    const again = await open()
    expect(again.profiles.state().recovered).toBeUndefined()
    expect(again.profiles.secret(id)).toBe('secret-of-one')
    await again.close()
  })

  it('queue: the previous file stays whole; the next run has the jobs', async () => {
    const s = await open()
    await writeAll(s, 'one')
    const before = readFileSync(join(dataDir, 'transfers', 'jobs.json'), 'utf8')
    expect(JSON.parse(before).jobs).toHaveLength(1)
    crash.async = /jobs\.json$/
    const p2 = s.profiles.create(profile('two'))
    await s.transfers.enqueueUpload(
      { profileId: p2.id, region: 'RegionOne' },
      { name: 'img-two', fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }, diskFormat: 'raw', filePath: join(userDir, 'disk.raw') },
    )
    await s.transfers.flush()
    expect(crash.hits).toBe(1)
    // Whatever the order of writes, the file on disk is always a whole queue file.
    const after = JSON.parse(readFileSync(join(dataDir, 'transfers', 'jobs.json'), 'utf8')) as { jobs: unknown[] }
    expect(after.jobs.length).toBeGreaterThanOrEqual(1)
    await s.close()
    writeFileSync(join(dataDir, 'transfers', 'jobs.json.12345.tmp'), '{"version":1,"jo')
    const again = await open()
    expect(again.transfers.recovered).toBeUndefined()
    expect(again.transfers.list().map((j) => j.imageName)).toContain('img-one')
    await again.close()
  })

  onPosix(
    'settings (conf): killed at random moments while writing, the file always parses, whole, mode 0600',
    async () => {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 })
      const script = `
      const { default: Conf } = await import(${JSON.stringify(import.meta.resolve('conf'))});
      const c = new Conf({ cwd: ${JSON.stringify(dataDir)}, configName: 'settings', configFileMode: 0o600, projectSuffix: '', accessPropertiesByDotNotation: false });
      const big = 'x'.repeat(256 * 1024);
      for (let i = 0; ; i++) { c.store = { version: 1, i, profiles: [{ id: 'p' + i, notes: big }] }; if (i === 0) process.stdout.write('w'); }
    `
      for (let round = 0; round < 6; round++) {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] })
        // wait for the first complete write, then kill at a random moment of the following ones
        await new Promise<void>((r) => child.stdout.once('data', () => r()))
        await sleep(Math.floor(Math.random() * 200))
        child.kill('SIGKILL')
        await new Promise((r) => child.once('exit', r))
        const f = join(dataDir, 'settings.json')
        if (!existsSync(f)) continue
        const doc = JSON.parse(readFileSync(f, 'utf8')) as { i: number; profiles: { notes: string }[] }
        expect(doc.profiles[0]!.notes.length).toBe(256 * 1024)
        expect(mode(f).toString(8)).toBe('600')
      }
      expect(existsSync(join(dataDir, 'settings.json'))).toBe(true)
    },
    60_000,
  )
})
