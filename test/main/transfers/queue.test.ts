/**
 * The transfer queue parts that need no cloud: checks at enqueue, a corrupt queue file, drafts and their YAML, progress
 * metering. Everything that talks to Glance runs against the real loopback cloud in test/integration/transfers/queue.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConsoleFields, EventChannel, ProgressEvent } from '../../../preload/api'
import { EventBus } from '../../../main/events'
import { createNullLogger } from '../../../main/log'
import { FileRegistry } from '../../../main/files/registry'
import type { Platform } from '../../../main/platform'
import { TransferService } from '../../../main/transfers/service'
import { ProgressHub } from '../../../main/transfers/progress'

const fields: ConsoleFields = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }
const ctx = { profileId: 'p1', region: 'RegionOne' }
let dir: string
let connects: number
let events: { event: EventChannel; payload: unknown; t: number }[]
const services: TransferService[] = []

function platform(): Platform {
  return {
    kind: 'cli',
    appName: 'test',
    version: '0',
    dataDir: join(dir, 'data'),
    locale: 'en',
    env: {},
    cipher: { isAvailable: () => false, encrypt: () => Buffer.alloc(0), decrypt: () => '' },
    dialogs: { openFile: async () => null, saveFile: async () => null },
    shell: { openExternal: async () => {}, notify: () => {}, setProgress: () => {} },
  }
}

async function open(opts: Partial<ConstructorParameters<typeof Object>[0]> = {}): Promise<TransferService> {
  const bus = new EventBus()
  bus.subscribe((event, payload) => events.push({ event, payload, t: Date.now() }))
  const s = await TransferService.open({
    platform: platform(),
    events: bus,
    log: createNullLogger(),
    files: new FileRegistry(),
    // no cloud here: a job that would reach Glance fails loudly (and the tests check none was attempted)
    connect: async () => {
      connects++
      throw new Error('unit tests have no cloud')
    },
    backoffMs: 10,
    progressMs: 50,
    persistMs: 50,
    ...(opts as object),
  })
  services.push(s)
  return s
}

function file(name: string, size: number): { path: string; data: Buffer } {
  const data = randomBytes(size)
  const path = join(dir, name)
  writeFileSync(path, data)
  return { path, data }
}
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex')

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'queue-'))
  connects = 0
  events = []
})
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('TransferService without a cloud (the queue against the real Glance: test/integration/transfers/queue.test.ts)', () => {
  it('refuses unsafe and mismatching files at enqueue', async () => {
    const { path } = file('f.raw', 4096)
    const s = await open()
    await expect(s.enqueueUpload(ctx, { name: 'f', fields, diskFormat: 'qcow2', filePath: path })).rejects.toMatchObject({ code: 'FORMAT_MISMATCH' })
    expect(s.list()).toEqual([])
  })

  it('the taskbar is cleared as soon as a job is seen ended, not after the queue file is saved', async () => {
    // CI saw waitFor return while setState still awaited the save: the taskbar's last value was a fraction, not -1
    const { path } = file('t.raw', 64 * 1024)
    const p = platform()
    const taskbar: number[] = []
    p.shell.setProgress = (f) => taskbar.push(f)
    const s = await open({ platform: p, maxAttempts: 1 } as object)
    s.start()
    const job = await s.enqueueUpload(ctx, { name: 't', fields, diskFormat: 'raw', filePath: path })
    // looked at on every turn of the event loop (waitFor's 50 ms polls hit the window only sometimes)
    let seen: { state: string; last: number | undefined } | undefined
    while (!seen) {
      const j = s.get(job.id)
      if (j.state === 'failed' || j.state === 'done') seen = { state: j.state, last: taskbar.at(-1) }
      else await new Promise((r) => setImmediate(r))
    }
    expect(seen).toEqual({ state: 'failed', last: -1 })
    expect(taskbar[0]).toBe(0)
  })

  it('a corrupt queue file is kept aside and reported, not overwritten', async () => {
    mkdirSync(join(dir, 'data', 'transfers'), { recursive: true })
    writeFileSync(join(dir, 'data', 'transfers', 'jobs.json'), '{"version":1, "jobs": [broken')
    const s = await open()
    s.start()
    expect(s.recovered?.backupPath).toMatch(/jobs\.json\.corrupt-/)
    expect(readFileSync(s.recovered!.backupPath, 'utf8')).toContain('broken')
    expect(events.some((e) => e.event === 'app:notice')).toBe(true)
    expect(readdirSync(join(dir, 'data', 'transfers')).some((f) => f.startsWith('jobs.json.corrupt-'))).toBe(true)
    expect(connects).toBe(0)
  })

  it('drafts: prepared offline with hashes, exported and imported as YAML (running one is in the integration suite)', async () => {
    const { path, data } = file('j.raw', 512 * 1024)
    const s = await open()
    s.start()
    const d = await s.enqueueUpload(ctx, { name: 'j', fields, diskFormat: 'auto', filePath: path, draft: true })
    expect(d.state).toBe('draft')
    for (let i = 0; i < 100 && !s.get(d.id).result?.sha512; i++) await new Promise((r) => setTimeout(r, 10))
    expect(s.get(d.id).result?.sha512).toBe(sha512(data))
    const yaml = s.exportDrafts([d.id])
    expect(yaml).toContain('glance-desktop/drafts')
    expect(yaml).toContain(sha512(data))
    const [imported] = await s.importDrafts(yaml)
    expect(imported!.state).toBe('draft')
    expect(imported!.result?.sha512).toBe(sha512(data))
    await expect(s.importDrafts('kind: nope')).rejects.toMatchObject({ code: 'VALIDATION' })
    // drafts never touch the cloud
    expect(connects).toBe(0)
  })

  it('a queue file that cannot be saved is reported once (notice + log), the last good file stays, and saving recovers', async () => {
    const { path } = file('q.raw', 4096)
    const s = await open()
    const first = await s.enqueueUpload(ctx, { name: 'first', fields, diskFormat: 'raw', filePath: path })
    const jobsFile = join(dir, 'data', 'transfers', 'jobs.json')
    const good = readFileSync(jobsFile, 'utf8')
    expect(good).toContain(first.id)
    // the queue folder is moved away and a file is in its way: every save now fails (root ignores folder modes)
    const tdir = join(dir, 'data', 'transfers')
    const moved = `${tdir}.moved`
    renameSync(tdir, moved)
    writeFileSync(tdir, 'in the way')
    const second = await s.enqueueUpload(ctx, { name: 'second', fields, diskFormat: 'raw', filePath: path })
    await s.enqueueUpload(ctx, { name: 'third', fields, diskFormat: 'raw', filePath: path })
    const notices = () => events.filter((e) => e.event === 'app:notice').map((e) => e.payload as { level: string; message: string })
    expect(notices()).toHaveLength(1)
    expect(notices()[0]).toMatchObject({ level: 'error' })
    expect(notices()[0]!.message).toMatch(/transfer queue cannot be saved.*jobs\.json.*(ENOTDIR|EEXIST)/)
    // nothing was lost: the jobs are in memory, the file on disk is the last good one
    expect(s.list().map((j) => j.imageName)).toEqual(['first', 'second', 'third'])
    expect(readFileSync(join(moved, 'jobs.json'), 'utf8')).toBe(good)
    // the way is clear again: the next save writes everything and says so
    rmSync(tdir)
    renameSync(moved, tdir)
    await s.remove(second.id)
    expect(notices().at(-1)).toMatchObject({ level: 'info' })
    const saved = JSON.parse(readFileSync(jobsFile, 'utf8')) as { jobs: { imageName: string }[] }
    expect(saved.jobs.map((j) => j.imageName)).toEqual(['first', 'third'])
    expect(readdirSync(join(dir, 'data', 'transfers')).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('stop() interrupts a draft still being hashed and waits for it; the next start hashes it again', async () => {
    const path = join(dir, 'big.raw')
    writeFileSync(path, '')
    truncateSync(path, 256 * 1024 * 1024) // sparse: quick to make, under a second to hash
    const s = await open()
    s.start()
    const d = await s.enqueueUpload(ctx, { name: 'big', fields, diskFormat: 'raw', filePath: path, draft: true })
    for (let i = 0; i < 200 && s.get(d.id).phase !== 'hashing'; i++) await new Promise((r) => setTimeout(r, 5))
    await s.stop()
    services.splice(services.indexOf(s), 1)
    // long enough for the whole file to be hashed, had the hashing gone on after stop()
    await new Promise((r) => setTimeout(r, 3000))
    const after = s.get(d.id)
    expect(after.result?.sha512).toBeUndefined()
    expect(after.error).toBeUndefined()
    const saved = JSON.parse(readFileSync(join(dir, 'data', 'transfers', 'jobs.json'), 'utf8')) as { jobs: { id: string; state: string; result?: unknown }[] }
    expect(saved.jobs.find((j) => j.id === d.id)).toMatchObject({ state: 'draft' })
    expect(saved.jobs.find((j) => j.id === d.id)?.result).toBeUndefined()

    const again = await open()
    again.start()
    for (let i = 0; i < 1000 && !again.get(d.id).result?.sha512; i++) await new Promise((r) => setTimeout(r, 10))
    expect(again.get(d.id).result?.sha512).toBe(
      createHash('sha512')
        .update(Buffer.alloc(256 * 1024 * 1024))
        .digest('hex'),
    )
  }, 30_000)

  it('URL imports: only http and https', async () => {
    const s = await open()
    await expect(s.enqueueImport(ctx, { name: 'w', fields, diskFormat: 'raw', url: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(s.enqueueImport(ctx, { name: 'x', fields, diskFormat: 'raw', url: 'not a url' })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(s.list()).toEqual([])
  })
})

describe('ProgressHub', () => {
  it('speed is a moving average on the ticker; ETA undefined without a total', () => {
    let now = 0
    const out: ProgressEvent[][] = []
    const hub = new ProgressHub({ emit: (e) => out.push(e), now: () => now, intervalMs: 250, windowMs: 1000 })
    hub.begin('a', 'uploading', 1000)
    hub.begin('b', 'downloading', undefined)
    for (let i = 0; i < 8; i++) {
      now += 250
      hub.add('a', 25)
      hub.add('b', 50)
      hub.tick()
      hub.tick() // a second tick within the interval emits nothing
    }
    hub.stop()
    expect(out.length).toBe(8)
    const last = out.at(-1)!
    const a = last.find((e) => e.jobId === 'a')!
    const b = last.find((e) => e.jobId === 'b')!
    expect(a.speed).toBe(100)
    expect(a.eta).toBe(8)
    expect(b.speed).toBe(200)
    expect(b.eta).toBeUndefined()
    expect(b.total).toBeUndefined()
  })
})
