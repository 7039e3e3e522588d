/**
 * `glance-desktop queue ...`: the persisted transfer queue (main/transfers/service.ts) driven from the command line,
 * for batch work. The CLI keeps its own queue, `<data-dir>/transfers/cli-jobs.json` (the app's is jobs.json: the
 * two never share a file), locked by one process at a time (queue-lock.ts). Each job belongs to the login that
 * queued it (`cliLogin`: Keystone, user id, project id; and the region), and `queue run` runs only the jobs of the
 * login it authenticated: the others stay queued and are never sent anywhere.
 */
import { createHash } from 'node:crypto'
import { EventBus } from '../main/events'
import { createNullLogger } from '../main/log'
import { FileRegistry } from '../main/files/registry'
import type { Platform } from '../main/platform'
import { TransferService } from '../main/transfers/service'
import { cloudFromClient } from '../main/transfers/cloud'
import type { CloudClient } from '../main/openstack/types'
import type { JobDTO } from '../preload/api'

export function cliPlatform(dataDir: string): Platform {
  return {
    kind: 'cli',
    appName: 'glance-desktop',
    version: '0.1.0',
    dataDir,
    locale: 'en',
    env: process.env,
    cipher: { isAvailable: () => false, encrypt: () => Buffer.alloc(0), decrypt: () => '' },
    dialogs: { openFile: async () => null, saveFile: async () => null },
    shell: { openExternal: async () => {}, notify: () => {}, setProgress: () => {} },
  }
}

/** The CLI's queue file in `<data-dir>/transfers`. */
export const CLI_QUEUE_FILE = 'cli-jobs.json'

/**
 * The login a CLI job belongs to: `cli:` + a digest of the Keystone URL, the user id and the project id (all known
 * once authenticated), and the region. Two logins differ when any of them differs.
 */
export async function cliLogin(client: CloudClient): Promise<{ profileId: string; region: string }> {
  await client.session.getToken()
  const s = client.session
  const digest = createHash('sha256').update(`${s.identityUrl}\n${s.user.id}\n${s.project.id}`).digest('hex').slice(0, 24)
  return { profileId: `cli:${digest}`, region: client.region }
}

/**
 * The CLI's queue. With `login`, only that login's jobs run (against `client`); without it (queue list) nothing can
 * run. Throws nothing when the queue is locked: `lockedBy` says by whom, and every change is refused.
 */
export async function openQueue(dataDir: string, client: () => Promise<CloudClient>, login?: { profileId: string; region: string }): Promise<TransferService> {
  let cached: Promise<CloudClient> | null = null
  return TransferService.open({
    queueFile: CLI_QUEUE_FILE,
    only: login ?? { profileId: 'cli:none', region: '' },
    platform: cliPlatform(dataDir),
    events: new EventBus(),
    log: createNullLogger(),
    files: new FileRegistry(),
    connect: async (ctx) => {
      cached ??= client()
      const c = await cached.catch((e: unknown) => {
        cached = null
        throw e
      })
      return { ...cloudFromClient(c, ctx.profileId), region: c.region }
    },
  })
}

export async function runQueue(q: TransferService, onChange?: (jobs: JobDTO[]) => void): Promise<JobDTO[]> {
  q.start()
  for (;;) {
    await new Promise((r) => setTimeout(r, 200))
    onChange?.(q.list())
    if (q.activeCount() === 0) break
  }
  await q.stop()
  return q.list()
}
