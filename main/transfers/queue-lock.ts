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
 *   | another host, refreshed less than STALE_MS ago         | refused                                           |
 *   | another host, older; or unreadable / not ours to parse | stale: replaced (unreadable only once it is old)  |
 * Hand-written: proper-lockfile (the maintained choice) judges staleness by mtime alone, so it can neither name the
 * process that holds the queue nor free it at once when that process died.
 */
import { hostname } from 'node:os'
import { mkdir, open, readFile, stat, unlink, utimes } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface LockOwner {
  pid: number
  host: string
  since: string
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

async function readOwner(path: string): Promise<LockOwner | null> {
  try {
    const o = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>
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
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() }
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
    const owner = await readOwner(path)
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => Infinity,
    )
    const stale = owner
      ? owner.host === hostname()
        ? owner.pid !== process.pid && !alive(owner.pid)
        : age > LOCK_STALE_MS
      : age > 10_000 // a lock being written right now is unreadable for a moment
    if (!stale || attempt > 0) return { held: false, by: owner, path }
    // replace the stale lock; a race with another process doing the same ends with one of the two O_EXCL creates
    await unlink(path).catch(() => {})
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
