// F3: replacing a stale queue lock (review findings b, c)
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { acquireQueueLock, processStartMs, removeStaleLock } from '../../../main/transfers/queue-lock'
import { itNeeds } from '../../support/needs'

let dir: string
const children: ChildProcess[] = []
const releases: (() => Promise<void>)[] = []
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qlock-'))
})
afterEach(async () => {
  for (const r of releases.splice(0)) await r()
  for (const c of children.splice(0)) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

const queue = () => join(dir, 'jobs.json')
const lock = () => `${queue()}.lock`
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' })
  await new Promise((r) => c.once('exit', r))
  return c.pid!
}
async function liveOther(): Promise<number> {
  const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
  children.push(c)
  await new Promise((r) => c.once('spawn', r))
  return c.pid!
}
const hasProc = existsSync('/proc/sys/kernel/random/boot_id') && existsSync('/proc/stat')
const NEEDS_PROC = hasProc ? null : 'Linux /proc (boot id, process start times)'

describe('two contenders for one stale lock', () => {
  it('B judged the lock stale, A replaced it meanwhile: B does not delete A’s fresh lock', async () => {
    writeFileSync(lock(), JSON.stringify({ pid: await deadPid(), host: hostname(), since: new Date().toISOString() }))
    const judgedByB = { ...statSync(lock()), text: readFileSync(lock(), 'utf8') } // B looked at the stale lock ...
    const a = await acquireQueueLock(queue()) // ... A takes it over first
    expect(a.held).toBe(true)
    if (a.held) releases.push(a.release)
    expect(await removeStaleLock(lock(), judgedByB)).toBe(false) // B's late removal
    expect(JSON.parse(readFileSync(lock(), 'utf8')).pid).toBe(process.pid)
    expect(readdirSync(dir).filter((n) => n.includes('.stale-'))).toEqual([])
  })

  it('the stale file itself is removed (renamed aside first)', async () => {
    writeFileSync(lock(), JSON.stringify({ pid: await deadPid(), host: hostname(), since: new Date().toISOString() }))
    expect(await removeStaleLock(lock(), { ...statSync(lock()), text: readFileSync(lock(), 'utf8') })).toBe(true)
    expect(readdirSync(dir)).toEqual([])
  })

  it('a lock replaced by another file after the judgement is put back, not deleted', async () => {
    writeFileSync(lock(), 'old')
    const judged = { ...statSync(lock()), text: 'old' }
    unlinkSync(lock())
    writeFileSync(lock(), 'fresh')
    expect(await removeStaleLock(lock(), judged)).toBe(false)
    expect(readFileSync(lock(), 'utf8')).toBe('fresh')
  })
})

describe('a pid that is alive but is not the lock’s owner', () => {
  itNeeds(NEEDS_PROC)('a lock written before the last boot (another boot id): stale although the pid is alive', async () => {
    const pid = await liveOther()
    writeFileSync(lock(), JSON.stringify({ pid, host: hostname(), since: new Date().toISOString(), boot: 'an-earlier-boot' }))
    const r = await acquireQueueLock(queue())
    expect(r.held).toBe(true)
    if (r.held) releases.push(r.release)
    const now = JSON.parse(readFileSync(lock(), 'utf8'))
    expect(now.pid).toBe(process.pid)
    expect(now.boot).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim())
  })

  itNeeds(NEEDS_PROC)('an old lock (no boot id) not refreshed for an hour, its pid now a process started later: stale', async () => {
    const pid = await liveOther()
    const hourAgo = new Date(Date.now() - 3600_000)
    writeFileSync(lock(), JSON.stringify({ pid, host: hostname(), since: hourAgo.toISOString() }))
    utimesSync(lock(), hourAgo, hourAgo)
    expect(processStartMs(pid)).toBeGreaterThan(hourAgo.getTime())
    const r = await acquireQueueLock(queue())
    expect(r.held).toBe(true)
    if (r.held) releases.push(r.release)
  })

  it('a live holder refreshing its lock is never taken over', async () => {
    const pid = await liveOther()
    writeFileSync(lock(), JSON.stringify({ pid, host: hostname(), since: new Date(Date.now() - 3600_000).toISOString() }))
    const r = await acquireQueueLock(queue())
    expect(r.held).toBe(false)
    expect(JSON.parse(readFileSync(lock(), 'utf8')).pid).toBe(pid)
  })

  itNeeds(NEEDS_PROC)('not refreshed for long, but the pid’s process is older than the lock: still its owner (refused)', async () => {
    const pid = await liveOther()
    await new Promise((r) => setTimeout(r, 2500))
    const since = new Date()
    const hourAgo = new Date(Date.now() - 3600_000)
    writeFileSync(lock(), JSON.stringify({ pid, host: hostname(), since: since.toISOString() }))
    utimesSync(lock(), hourAgo, hourAgo)
    const r = await acquireQueueLock(queue())
    expect(r.held).toBe(false)
  })
})
