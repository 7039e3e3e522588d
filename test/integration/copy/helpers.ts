/**
 * Shared set-up for the copy suites: profiles (`admin`, `demo`) of one real loopback cloud, each reachable in both
 * regions, a TransferService whose copy jobs reach them, the CopyService over it, and images made for a test.
 */
import { createHash, randomBytes } from 'node:crypto'
import { EventBus } from '../../../main/events'
import { createNullLogger } from '../../../main/log'
import { FileRegistry } from '../../../main/files/registry'
import type { CloudClient } from '../../../main/openstack/types'
import { TransferService } from '../../../main/transfers/service'
import { cloudFromClient } from '../../../main/transfers/cloud'
import type { TransferCloud } from '../../../main/transfers/port'
import { copyCloudFromClient, type CopyCloud, type CopyConnect } from '../../../main/copy/port'
import { CopyService } from '../../../main/copy/service'
import { cliPlatform } from '../../../cli/queue'
import type { CloudCreds } from '../../support/cloud'
import { clientFor } from '../transfers/helpers'

export const REGION1 = 'RegionOne'
export const REGION2 = 'RegionTwo'

/** Clients per profile id and region, opened once. */
export class Clouds {
  private readonly clients = new Map<string, Promise<CloudClient>>()
  constructor(private readonly profiles: Record<string, CloudCreds>) {}

  client(profileId: string, region: string): Promise<CloudClient> {
    const key = `${profileId}/${region}`
    let c = this.clients.get(key)
    if (!c) {
      const creds = this.profiles[profileId]
      if (!creds) throw new Error(`no test profile ${profileId}`)
      c = clientFor(creds, region)
      this.clients.set(key, c)
      c.catch(() => this.clients.delete(key))
    }
    return c
  }

  /** `wrap` may alter a cloud (throttle its upload, record calls). */
  copyConnect(wrap: (c: CopyCloud) => CopyCloud = (c) => c): CopyConnect {
    return async (ctx) => wrap(copyCloudFromClient(await this.client(ctx.profileId, ctx.region), ctx.profileId))
  }

  connect(): (ctx: { profileId: string; region: string }) => Promise<TransferCloud> {
    return async (ctx) => cloudFromClient(await this.client(ctx.profileId, ctx.region), ctx.profileId)
  }

  close(): void {
    for (const c of this.clients.values()) void c.then((x) => x.session.close()).catch(() => {})
    this.clients.clear()
  }
}

export async function openCopy(
  clouds: Clouds,
  dataDir: string,
  o: { wrap?: (c: CopyCloud) => CopyCloud; backoffMs?: number; maxAttempts?: number; events?: EventBus } = {},
): Promise<{ transfers: TransferService; copy: CopyService }> {
  const copyConnect = clouds.copyConnect(o.wrap)
  const transfers = await TransferService.open({
    platform: cliPlatform(dataDir),
    events: o.events ?? new EventBus(),
    log: createNullLogger(),
    files: new FileRegistry(),
    backoffMs: o.backoffMs ?? 500,
    maxAttempts: o.maxAttempts ?? 10,
    connect: clouds.connect(),
    copyConnect,
  })
  return { transfers, copy: new CopyService({ connect: copyConnect, transfers }) }
}

/** Random bytes with their md5 and sha512. */
export function payload(bytes: number): { data: Buffer; md5: string; sha512: string } {
  const data = randomBytes(bytes)
  return { data, md5: createHash('md5').update(data).digest('hex'), sha512: createHash('sha512').update(data).digest('hex') }
}

/** Every image id at `region` of `client`'s project with this sha512 (active or not). */
export async function idsByHash(c: CloudClient, sha512: string): Promise<string[]> {
  const out: string[] = []
  for await (const img of c.glance.list({ properties: { os_hash_value: sha512 } })) out.push(img.id)
  return out
}

/** Every image named `name` visible to `client`. */
export async function idsByName(c: CloudClient, name: string): Promise<string[]> {
  const out: string[] = []
  for await (const img of c.glance.list({ name })) out.push(img.id)
  return out
}

/** Deletes images (unprotecting them first), ignoring those already gone. */
export async function cleanup(c: CloudClient | null | undefined, ids: Iterable<string>): Promise<void> {
  if (!c) return
  for (const id of ids) {
    await c.glance.patch(id, [{ op: 'replace', path: '/protected', value: false }]).catch(() => {})
    await c.glance.delete(id).catch(() => {})
  }
}
