/**
 * `glance-desktop queue ...`: the app's persisted transfer queue (main/transfers/service.ts) driven from the
 * command line, for batch work: jobs are added to `<data-dir>/transfers/jobs.json` and `queue run` works through
 * them (recovering jobs a killed run left behind) until none is queued or running.
 */
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

/** A queue whose every job runs against the one cloud the CLI authenticated to (profile id `cli`). */
export async function openQueue(dataDir: string, client: () => Promise<CloudClient>): Promise<TransferService> {
  let cached: Promise<CloudClient> | null = null
  return TransferService.open({
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
