/**
 * The queue file on load (issue 12.8): every job must pass the schema; a bad one is quarantined (kept aside in a
 * file of its own and reported), never fatal, and the good ones load. And one owner per queue (issue 12.2): a
 * queue locked by another live process is shown but never run or changed here.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventChannel } from '../../../preload/api'
import { AppError } from '../../../preload/api'
import { EventBus } from '../../../main/events'
import { createNullLogger } from '../../../main/log'
import { FileRegistry } from '../../../main/files/registry'
import type { Platform } from '../../../main/platform'
import type { CloudConnector } from '../../../main/profiles/connector'
import { TransferService } from '../../../main/transfers/service'
import { checkJob, forDisk, type JobRecord } from '../../../main/transfers/store'
import { onPosix } from '../../support/needs'
import { describeNotice } from '../../../preload/rules/messages'
import { translator } from '../../../main/i18n'

let dir: string
let events: { event: EventChannel; payload: unknown }[]
let connects: number
const services: TransferService[] = []
const children: ChildProcess[] = []

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

async function open(): Promise<TransferService> {
  const bus = new EventBus()
  bus.subscribe((event, payload) => events.push({ event, payload }))
  const s = await TransferService.open({
    platform: platform(),
    events: bus,
    log: createNullLogger(),
    clouds: {} as CloudConnector,
    files: new FileRegistry(),
    connect: async () => {
      connects++
      throw new Error('unit tests have no cloud')
    },
    persistMs: 50,
  })
  services.push(s)
  return s
}

const queueFile = () => join(dir, 'data', 'transfers', 'jobs.json')
const now = new Date().toISOString()
function job(id: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    kind: spec.kind,
    profileId: 'p1',
    region: 'RegionOne',
    state: 'paused',
    phase: 'waiting',
    imageName: id,
    bytes: 0,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
    spec,
    ...extra,
  }
}
const goodDownload = (id: string) => job(id, { kind: 'download', path: join(dir, `${id}.raw`) }, { imageId: '11111111-1111-4111-8111-111111111111' })

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-'))
  mkdirSync(join(dir, 'data', 'transfers'), { recursive: true })
  events = []
  connects = 0
})
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop()
  for (const c of children.splice(0)) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

describe('the queue file schema', () => {
  onPosix('bad jobs are quarantined into a file of their own and reported; the good ones load; the queue file is rewritten without them', async () => {
    const bad = [
      job('job_relative', { kind: 'download', path: 'relative/target.raw' }), // a target that is not an absolute path
      job('job_nospec', { kind: 'download' }), // no path
      { ...goodDownload('job_badstate'), state: 'exploded' },
      job('job_kind', { kind: 'format-disk', path: '/' }),
      job('job_url', {
        kind: 'import',
        url: 'file:///etc/shadow',
        name: 'x',
        fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false },
        diskFormat: 'raw',
      }),
      'not even an object',
      goodDownload('job_a'), // a second job with the id of the first good one
    ]
    writeFileSync(queueFile(), JSON.stringify({ version: 1, jobs: [goodDownload('job_a'), goodDownload('job_b'), ...bad] }))
    const s = await open()
    expect(s.list().map((j) => j.id)).toEqual(['job_a', 'job_b'])
    const aside = readdirSync(join(dir, 'data', 'transfers')).filter((n) => n.startsWith('jobs.json.quarantine-'))
    expect(aside).toHaveLength(1)
    const kept = JSON.parse(readFileSync(join(dir, 'data', 'transfers', aside[0]!), 'utf8')) as { jobs: { job: unknown; why: string }[] }
    expect(kept.jobs.map((x) => x.job)).toEqual(bad)
    expect(kept.jobs.every((x) => typeof x.why === 'string' && x.why.length > 0)).toBe(true)
    expect(statSync(join(dir, 'data', 'transfers', aside[0]!)).mode & 0o777).toBe(0o600)
    s.start()
    const notice = events.find((e) => e.event === 'app:notice')?.payload as { level: string; message: string } | undefined
    expect(notice?.level).toBe('warning')
    expect(notice?.message).toMatch(/7 transfer\(s\).*set aside/)
    await s.flush()
    const saved = JSON.parse(readFileSync(queueFile(), 'utf8')) as { jobs: { id: string }[] }
    expect(saved.jobs.map((j) => j.id)).toEqual(['job_a', 'job_b'])
    expect(connects).toBe(0)
  })

  it('checkJob: the reasons are readable', () => {
    expect(checkJob(goodDownload('job_ok')).ok).toBe(true)
    const r = checkJob(job('job_x', { kind: 'upload', filePath: '/x', size: -1, name: 'n', fields: {}, diskFormat: 'raw' }))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.why).toMatch(/size|minDiskGiB/)
  })
})

describe('one owner per queue file', () => {
  function liveOtherProcess(): ChildProcess {
    const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
    children.push(c)
    return c
  }

  it('a queue locked by another live process: listed, but nothing runs and every change is refused, the file untouched', async () => {
    writeFileSync(queueFile(), JSON.stringify({ version: 1, jobs: [{ ...goodDownload('job_a'), state: 'running' }] }))
    const other = liveOtherProcess()
    writeFileSync(`${queueFile()}.lock`, JSON.stringify({ pid: other.pid, host: hostname(), since: now }))
    const before = readFileSync(queueFile(), 'utf8')
    const s = await open()
    expect(s.lockedBy?.pid).toBe(other.pid)
    expect(s.list().map((j) => j.id)).toEqual(['job_a'])
    s.start()
    const notice = events.find((e) => e.event === 'app:notice')?.payload as { message: string } | undefined
    expect(notice?.message).toMatch(new RegExp(`in use by another process \\(pid ${other.pid}`))
    const e = await s.enqueueDownload({ profileId: 'p1', region: 'RegionOne' }, { imageId: 'x', path: join(dir, 'x.raw') }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(AppError)
    expect((e as AppError).code).toBe('CONFLICT')
    expect((e as AppError).details).toMatchObject({ reason: 'queueLocked', params: { pid: other.pid } })
    await expect(s.remove('job_a')).rejects.toMatchObject({ code: 'CONFLICT' })
    await s.stop()
    // the running job was not "recovered" by this process, nothing was written, and the other's lock stays
    expect(readFileSync(queueFile(), 'utf8')).toBe(before)
    expect(JSON.parse(readFileSync(`${queueFile()}.lock`, 'utf8')).pid).toBe(other.pid)
    expect(connects).toBe(0)
  })

  it('a lock left by a process that died is stale: taken over; released on stop', async () => {
    const other = liveOtherProcess()
    const pid = other.pid!
    other.kill('SIGKILL')
    await new Promise((r) => other.once('exit', r))
    writeFileSync(`${queueFile()}.lock`, JSON.stringify({ pid, host: hostname(), since: now }))
    const s = await open()
    expect(s.lockedBy).toBeUndefined()
    expect(JSON.parse(readFileSync(`${queueFile()}.lock`, 'utf8')).pid).toBe(process.pid)
    await s.enqueueDownload({ profileId: 'p1', region: 'RegionOne' }, { imageId: 'x', path: join(dir, 'x.raw') })
    await s.stop()
    services.splice(services.indexOf(s), 1)
    expect(existsSync(`${queueFile()}.lock`)).toBe(false)
  })
})

describe('what reaches jobs.json (F3)', () => {
  it('a failed import job: the signed URL is redacted in the spec, the job and its error (message and params)', () => {
    const url = 'https://objects.example/bucket/img.qcow2?X-Amz-Signature=deadbeefsig&X-Amz-Expires=600'
    const spec = { kind: 'import', url, name: 'x', fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }, diskFormat: 'raw' }
    const j = job('job_imp', spec, {
      state: 'failed',
      url,
      error: { code: 'IMPORT_FAILED', message: `the import of ${url} failed`, url, details: { reason: 'importFailed', params: { url, nested: { u: url } } } },
    })
    const text = JSON.stringify(forDisk(j as unknown as JobRecord))
    expect(text).not.toContain('deadbeefsig')
    expect(text).toContain('objects.example/bucket/img.qcow2')
    expect(text).toContain('IMPORT_FAILED')
  })
})

describe('the queue notices are worded in the user’s language (F3)', () => {
  const notice = () =>
    events.find((e) => e.event === 'app:notice')?.payload as { level: string; message: string; reason?: string; params?: Record<string, string | number> }

  it('a corrupt queue file: zh-CN names the backup and why', async () => {
    writeFileSync(queueFile(), '{ not json')
    const s = await open()
    s.start()
    const n = notice()
    expect(n.reason).toBe('queueCorrupt')
    const zh = describeNotice(n, translator('zh-CN'))
    expect(zh).toContain('无法读取传输队列文件')
    expect(zh).toContain(String(n.params?.backup))
    expect(String(n.params?.backup)).toContain('jobs.json.corrupt-')
    expect(describeNotice(n, translator('en'))).toBe(n.message)
  })

  it('a queue held by another live process: zh-CN names the process and host', async () => {
    const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
    children.push(c)
    writeFileSync(`${queueFile()}.lock`, JSON.stringify({ pid: c.pid, host: hostname(), since: now }))
    const s = await open()
    s.start()
    const zh = describeNotice(notice(), translator('zh-CN'))
    expect(zh).toBe(`传输队列正被另一个程序使用（${hostname()} 上的进程 ${c.pid}）：此窗口中不会运行传输。请关闭另一个程序后重新启动。`)
  })

  it('quarantined jobs: zh-CN gives the count and the file', async () => {
    writeFileSync(queueFile(), JSON.stringify({ version: 1, jobs: [goodDownload('job_a'), 'not a job'] }))
    const s = await open()
    s.start()
    const n = notice()
    expect(n.reason).toBe('queueQuarantined')
    const zh = describeNotice(n, translator('zh-CN'))
    expect(zh).toMatch(/^队列文件中有 1 个传输无效，已移至 .*jobs\.json\.quarantine-/)
  })
})
