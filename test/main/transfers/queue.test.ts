import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConsoleFields, EventChannel, ProgressEvent } from '../../../preload/api'
import { EventBus } from '../../../main/events'
import { createNullLogger } from '../../../main/log'
import { FileRegistry } from '../../../main/files/registry'
import type { Platform } from '../../../main/platform'
import type { CloudConnector } from '../../../main/profiles/connector'
import { TransferService } from '../../../main/transfers/service'
import { ProgressHub } from '../../../main/transfers/progress'
import { FakeGlance, fakeCloud } from './fake'

const fields: ConsoleFields = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }
const ctx = { profileId: 'p1', region: 'RegionOne' }
let dir: string
let glance: FakeGlance
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
    clouds: {} as CloudConnector,
    files: new FileRegistry(),
    connect: async (c) => fakeCloud(glance, c.profileId, c.region),
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
  glance = new FakeGlance()
  events = []
})
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('TransferService with a fake Glance', () => {
  it('uploads, verifies, persists 0600, and emits monotonic rate-limited progress ending at the size', async () => {
    const { path, data } = file('a.raw', 20 * 1024 * 1024 + 123)
    glance.faults.chunkDelayMs = 10
    const s = await open()
    s.start()
    const job = await s.enqueueUpload(ctx, { name: 'a', fields, diskFormat: 'auto', filePath: path })
    const done = await s.waitFor(job.id)
    expect(done.state).toBe('done')
    expect(done.result?.sha512).toBe(sha512(data))
    expect(done.result?.verified).toBe(true)
    expect(glance.images.get(done.imageId!)?.data?.equals(data)).toBe(true)
    await s.flush()
    const q = join(dir, 'data', 'transfers', 'jobs.json')
    expect(statSync(q).mode & 0o777).toBe(0o600)
    const saved = JSON.parse(readFileSync(q, 'utf8'))
    expect(saved.jobs[0].state).toBe('done')

    const prog = events.filter((e) => e.event === 'transfers:progress')
    const up = prog.flatMap((e) => (e.payload as ProgressEvent[]).map((p) => ({ ...p, t: e.t }))).filter((p) => p.phase === 'uploading')
    expect(up.length).toBeGreaterThan(1)
    for (let i = 1; i < up.length; i++) expect(up[i]!.bytes).toBeGreaterThanOrEqual(up[i - 1]!.bytes)
    expect(up.at(-1)!.bytes).toBe(data.length)
    expect(up.every((p) => p.total === data.length)).toBe(true)
    // at most one batch per interval (50 ms here), with slack for the final flush
    const times = prog.map((e) => e.t)
    const span = (times.at(-1)! - times[0]!) / 50
    expect(prog.length).toBeLessThanOrEqual(span + 4)
    expect(events.some((e) => e.event === 'transfers:changed')).toBe(true)
  })

  it('recovers from a mid-upload failure: a killed image is deleted and replaced, the job succeeds', async () => {
    const { path, data } = file('b.raw', 3 * 1024 * 1024)
    glance.faults.uploadFailAt = { bytes: 1024 * 1024, status: 'killed' }
    const s = await open()
    s.start()
    const job = await s.enqueueUpload(ctx, { name: 'b', fields, diskFormat: 'raw', filePath: path })
    const done = await s.waitFor(job.id)
    expect(done.state).toBe('done')
    expect(done.attempts).toBe(2)
    expect(done.imageId).not.toBe(job.imageId)
    expect(glance.deleted.has(job.imageId!)).toBe(true)
    expect(glance.images.get(done.imageId!)?.data?.equals(data)).toBe(true)
    expect(glance.images.size).toBe(1)
  })

  it('a queued image after a failed PUT is reused (same id)', async () => {
    const { path } = file('c.raw', 2 * 1024 * 1024)
    glance.faults.uploadFailAt = { bytes: 512 * 1024, status: 'queued' }
    const s = await open()
    s.start()
    const job = await s.enqueueUpload(ctx, { name: 'c', fields, diskFormat: 'raw', filePath: path })
    const done = await s.waitFor(job.id)
    expect(done.state).toBe('done')
    expect(done.imageId).toBe(job.imageId)
  })

  it('a hash mismatch is a loud failure and the image is deleted', async () => {
    const { path } = file('d.raw', 1024 * 1024)
    glance.faults.corrupt = true
    const s = await open()
    s.start()
    const job = await s.enqueueUpload(ctx, { name: 'd', fields, diskFormat: 'raw', filePath: path })
    const done = await s.waitFor(job.id)
    expect(done.state).toBe('failed')
    expect(done.error?.code).toBe('HASH_MISMATCH')
    expect(done.error?.message).toMatch(/FAILED verification/)
    expect(glance.images.size).toBe(0)
  })

  it('transient create failures are retried with backoff', async () => {
    const { path } = file('e.raw', 4096)
    glance.faults.createFailures = 2
    const s = await open()
    s.start()
    const job = await s.enqueueUpload(ctx, { name: 'e', fields, diskFormat: 'raw', filePath: path })
    const done = await s.waitFor(job.id)
    expect(done.state).toBe('done')
    expect(done.attempts).toBe(3)
  })

  it('refuses unsafe and mismatching files at enqueue', async () => {
    const { path } = file('f.raw', 4096)
    const s = await open()
    await expect(s.enqueueUpload(ctx, { name: 'f', fields, diskFormat: 'qcow2', filePath: path })).rejects.toMatchObject({ code: 'FORMAT_MISMATCH' })
  })

  it('a job that was running when the process died is recovered and completes', async () => {
    const { path, data } = file('g.raw', 4 * 1024 * 1024)
    glance.faults.chunkDelayMs = 30
    const s1 = await open()
    s1.start()
    const job = await s1.enqueueUpload(ctx, { name: 'g', fields, diskFormat: 'raw', filePath: path })
    await s1.waitFor(job.id, ['running'])
    await new Promise((r) => setTimeout(r, 100))
    // simulate a crash: copy the queue file as it is now (job running), then stop the first engine
    const q = join(dir, 'data', 'transfers', 'jobs.json')
    const snapshot = readFileSync(q, 'utf8')
    await s1.stop()
    services.splice(services.indexOf(s1), 1)
    writeFileSync(q, snapshot)
    expect(JSON.parse(snapshot).jobs[0].state).toBe('running')
    glance.faults.chunkDelayMs = 0
    const s2 = await open()
    expect(s2.list()[0]!.state).toBe('running')
    s2.start()
    const done = await s2.waitFor(job.id)
    expect(done.state).toBe('done')
    expect(glance.images.get(done.imageId!)?.data?.equals(data)).toBe(true)
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
  })

  it('downloads resume with Range after a failure, verify, and rename atomically', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 7)
    glance.put('img1', data)
    glance.faults.downloadFailAt = 1024 * 1024
    const s = await open()
    s.start()
    const target = join(dir, 'out.raw')
    const job = await s.enqueueDownload(ctx, { imageId: 'img1', path: target })
    const done = await s.waitFor(job.id)
    expect(done.state).toBe('done')
    expect(readFileSync(target).equals(data)).toBe(true)
    expect(existsSync(`${target}.part`)).toBe(false)
    expect(glance.calls.filter((c) => c.startsWith('download'))).toEqual(['download', `download from ${1024 * 1024}`])
    expect(done.result?.verified).toBe(true)
  })

  it('a server that ignores Range makes the download start over', async () => {
    const data = randomBytes(1024 * 1024)
    glance.put('img2', data)
    glance.faults.downloadFailAt = 512 * 1024
    glance.faults.noRange = true
    const s = await open()
    s.start()
    const target = join(dir, 'out2.raw')
    const done = await s.waitFor((await s.enqueueDownload(ctx, { imageId: 'img2', path: target })).id)
    expect(done.state).toBe('done')
    expect(readFileSync(target).equals(data)).toBe(true)
  })

  it('a download whose bytes do not match the hash never gets the final name', async () => {
    const data = randomBytes(300 * 1024)
    glance.put('img3', data)
    glance.images.get('img3')!.raw.os_hash_value = 'f'.repeat(128)
    const s = await open()
    s.start()
    const target = join(dir, 'bad.raw')
    const done = await s.waitFor((await s.enqueueDownload(ctx, { imageId: 'img3', path: target })).id)
    expect(done.state).toBe('failed')
    expect(done.error?.code).toBe('HASH_MISMATCH')
    expect(existsSync(target)).toBe(false)
    expect(existsSync(`${target}.part`)).toBe(false)
  })

  it('pause, resume and cancel', async () => {
    const { path } = file('h.raw', 12 * 1024 * 1024)
    glance.faults.chunkDelayMs = 20
    const s = await open()
    s.start()
    const job = await s.enqueueUpload(ctx, { name: 'h', fields, diskFormat: 'raw', filePath: path })
    await s.waitFor(job.id, ['running'])
    await new Promise((r) => setTimeout(r, 80))
    expect((await s.pause(job.id)).state).toBe('paused')
    glance.faults.chunkDelayMs = 0
    await s.resume(job.id)
    expect((await s.waitFor(job.id)).state).toBe('done')

    glance.faults.chunkDelayMs = 20
    const j2 = await s.enqueueUpload(ctx, { name: 'h2', fields, diskFormat: 'raw', filePath: path })
    await s.waitFor(j2.id, ['running'])
    await new Promise((r) => setTimeout(r, 80))
    expect((await s.cancel(j2.id)).state).toBe('cancelled')
    expect(glance.images.has(j2.imageId!)).toBe(false)
    await s.remove(j2.id)
    expect(s.list().find((j) => j.id === j2.id)).toBeUndefined()
  })

  it('per-profile concurrency: at most 2 running at once', async () => {
    const { path } = file('i.raw', 256 * 1024)
    glance.faults.chunkDelayMs = 40
    const s = await open()
    s.start()
    let max = 0
    const ids: string[] = []
    for (let k = 0; k < 4; k++) ids.push((await s.enqueueUpload(ctx, { name: `i${k}`, fields, diskFormat: 'raw', filePath: path })).id)
    const poll = setInterval(() => {
      max = Math.max(max, s.list().filter((j) => j.state === 'running').length)
    }, 5)
    for (const id of ids) expect((await s.waitFor(id)).state).toBe('done')
    clearInterval(poll)
    expect(max).toBe(2)
  })

  it('drafts: prepared offline with hashes, exported and imported as YAML, then run', async () => {
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
    await s.runDraft(imported!.id)
    expect((await s.waitFor(imported!.id)).state).toBe('done')
    await expect(s.importDrafts('kind: nope')).rejects.toMatchObject({ code: 'VALIDATION' })
  })

  it('a draft whose file changed fails loudly', async () => {
    const { path } = file('k.raw', 64 * 1024)
    const s = await open()
    s.start()
    const d = await s.enqueueUpload(ctx, { name: 'k', fields, diskFormat: 'raw', filePath: path, draft: true })
    for (let i = 0; i < 100 && !s.get(d.id).result?.sha512; i++) await new Promise((r) => setTimeout(r, 10))
    writeFileSync(path, randomBytes(64 * 1024))
    await s.runDraft(d.id)
    const done = await s.waitFor(d.id)
    expect(done.state).toBe('failed')
    expect(done.error?.code).toBe('HASH_MISMATCH')
  })

  it('web-download import: success, and os_glance_failed_import reported', async () => {
    const s = await open()
    s.start()
    const ok = await s.enqueueImport(ctx, { name: 'u', fields, diskFormat: 'raw', url: 'http://127.0.0.1:18080/ok.img' })
    expect((await s.waitFor(ok.id)).state).toBe('done')
    const bad = await s.enqueueImport(ctx, { name: 'v', fields, diskFormat: 'raw', url: 'http://127.0.0.1:18080/bad.img' })
    const f = await s.waitFor(bad.id)
    expect(f.state).toBe('failed')
    expect(f.error?.code).toBe('IMPORT_FAILED')
    await expect(s.enqueueImport(ctx, { name: 'w', fields, diskFormat: 'raw', url: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'VALIDATION' })
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
