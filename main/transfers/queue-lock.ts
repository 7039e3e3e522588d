/**
 * One owner per queue file: `<queue file>.lock`, created with O_CREAT|O_EXCL (mode 0600), holding the owner's pid,
 * host and start time, its mtime refreshed while it is held.
 *
 *   | the lock file                                          | acquire()                                        |
 *   |--------------------------------------------------------|--------------------------------------------------|
 *   | missing                                                | created: ours                                    |
 *   | ours (this process)                                    | ours again (counted: one process, one owner)      |
 *   | same host, its pid alive                               | refused: `{ held: false, by: { pid, host, since } }` |
 *   | same host, its pid gone (a crash, kill -9)             | stale: replaced                                   |
 *   | same host, written before the last boot (boot id)      | stale: replaced (the pid was reused)              |
 *   | same host, not refreshed for STALE_MS and that pid's   | stale: replaced (Linux /proc; elsewhere the pid   |
 *   |   process started after the lock was written           |   being alive is all that is known)               |
 *   | another host, refreshed less than STALE_MS ago         | refused                                           |
 *   | another host, older; or unreadable / not ours to parse | stale: replaced (unreadable only once it is old)  |
 * A stale lock is renamed to a unique name first and deleted only when that is still the file judged stale (same
 * device and inode): two processes replacing one stale lock cannot delete each other's fresh lock.
 * Hand-written: proper-lockfile (the maintained choice) judges staleness by mtime alone, so it can neither name the
 * process that holds the queue nor free it at once when that process died.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { link, lstat, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface LockOwner {
  pid: number
  host: string
  since: string
  /** The host's boot id when it was written (Linux), so a pid reused after a reboot is not taken for the owner. */
  boot?: string
}

/** A lock held elsewhere for longer than this without a refresh is stale (the holder refreshes every REFRESH_MS). */
export const LOCK_STALE_MS = 5 * 60_000
const REFRESH_MS = 30_000

const held = new Map<string, { count: number; timer: NodeJS.Timeout }>()

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists, it is someone else's
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

/** When a process started (ms since the epoch), from Linux /proc; undefined elsewhere. USER_HZ is 100 on Linux. */
export function processStartMs(pid: number): number | undefined {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // from field 3 (state) on
    const ticks = Number(fields[19]) // field 22: starttime, in clock ticks after boot
    if (!btime || !Number.isFinite(ticks)) return undefined
    return (Number(btime[1]) + ticks / 100) * 1000
  } catch {
    return undefined
  }
}

/** A lock of this host: is its owner gone (or is the pid now another process's)? */
export function sameHostStale(owner: LockOwner, ageMs: number): boolean {
  if (owner.pid === process.pid) return false
  if (!alive(owner.pid)) return true
  const boot = bootId()
  if (owner.boot && boot && owner.boot !== boot) return true
  if (ageMs <= LOCK_STALE_MS) return false
  // not refreshed for long: the pid alive may be another process that got the number (started after the lock)
  const started = processStartMs(owner.pid)
  const since = Date.parse(owner.since)
  return started !== undefined && Number.isFinite(since) && started > since + 2000
}

/**
 * Removes the stale lock judged at `judged` (its device, inode and text: an inode number is reused at once on most
 * file systems): renamed away first, then deleted if it is still that file; a fresh lock another process made meanwhile is put back (link: never over a newer one). False if the
 * lock at `path` was not the judged one.
 */
export async function removeStaleLock(path: string, judged: { dev: number; ino: number; text: string | null }): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(6).toString('hex')}`
  try {
    await rename(path, aside)
  } catch {
    return false // gone already (another process removed it)
  }
  const st = await lstat(aside).catch(() => null)
  const text = await readFile(aside, 'utf8').catch(() => null)
  if (st && st.dev === judged.dev && st.ino === judged.ino && text === judged.text) {
    await unlink(aside).catch(() => {})
    return true
  }
  // another process's fresh lock: back to its name
  await link(aside, path).catch(() => {})
  await unlink(aside).catch(() => {})
  return false
}

async function readOwner(path: string): Promise<LockOwner | null> {
  return ownerOf(await readFile(path, 'utf8').catch(() => null))
}

function ownerOf(text: string | null): LockOwner | null {
  if (text === null) return null
  try {
    const o = JSON.parse(text) as Partial<LockOwner>
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.since === 'string') return o as LockOwner
  } catch {
    /* unreadable */
  }
  return null
}

export type LockResult = { held: true; release: () => Promise<void> } | { held: false; by: LockOwner | null; path: string }

export async function acquireQueueLock(queueFile: string): Promise<LockResult> {
  const path = `${queueFile}.lock`
  const mine = held.get(path)
  if (mine) {
    mine.count++
    return { held: true, release: once(path) }
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  for (let attempt = 0; attempt < 2; attempt++) {
    const boot = bootId()
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...(boot ? { boot } : {}) }
    try {
      const fh = await open(path, 'wx', 0o600)
      try {
        await fh.writeFile(JSON.stringify(me))
        await fh.sync()
      } finally {
        await fh.close()
      }
      const timer = setInterval(() => {
        const now = new Date()
        void utimes(path, now, now).catch(() => {})
      }, REFRESH_MS)
      timer.unref()
      held.set(path, { count: 1, timer })
      return { held: true, release: once(path) }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    const st = await stat(path).catch(() => null)
    const text = await readFile(path, 'utf8').catch(() => null)
    const owner = ownerOf(text)
    const age = st ? Date.now() - st.mtimeMs : Infinity
    const stale = owner ? (owner.host === hostname() ? sameHostStale(owner, age) : age > LOCK_STALE_MS) : age > 10_000 // a lock being written right now is unreadable for a moment
    if (!stale || attempt > 0) return { held: false, by: owner, path }
    // replace the stale lock: only the very file judged stale is removed; the O_EXCL create above decides who owns
    if (st) await removeStaleLock(path, { dev: st.dev, ino: st.ino, text })
  }
  return { held: false, by: await readOwner(path), path }
}

function once(path: string): () => Promise<void> {
  let done = false
  return async () => {
    if (done) return
    done = true
    await release(path)
  }
}

async function release(path: string): Promise<void> {
  const mine = held.get(path)
  if (!mine) return
  if (--mine.count > 0) return
  clearInterval(mine.timer)
  held.delete(path)
  const owner = await readOwner(path)
  if (owner && owner.pid === process.pid && owner.host === hostname()) await unlink(path).catch(() => {})
}
