/** Shared set-up for the transfer integration suites: a TransferService over a real cloud, test files, cleanup. */
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, mkdtempSync, openSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventBus } from '../../../main/events'
import { createNullLogger } from '../../../main/log'
import { FileRegistry } from '../../../main/files/registry'
import { openCloudClient } from '../../../main/profiles/connector'
import { profileFromEnvironment } from '../../../main/profiles/env'
import type { CloudClient } from '../../../main/openstack/types'
import { TransferService } from '../../../main/transfers/service'
import { cloudFromClient } from '../../../main/transfers/cloud'
import type { TransferCloud } from '../../../main/transfers/port'
import { cliPlatform } from '../../../cli/queue'
import type { CloudCreds } from '../../support/cloud'

export function credsEnv(c: CloudCreds): NodeJS.ProcessEnv {
  return {
    OS_AUTH_URL: c.authUrl,
    OS_USERNAME: c.username,
    OS_PASSWORD: c.password,
    OS_PROJECT_NAME: c.projectName,
    OS_USER_DOMAIN_NAME: c.userDomainName,
    OS_PROJECT_DOMAIN_NAME: c.projectDomainName,
    OS_REGION_NAME: c.region,
    OS_INTERFACE: c.interface,
    OS_IDENTITY_API_VERSION: '3',
  }
}

/**
 * A client of the cloud, as the CLI opens it from OS_* variables. `imageUrl` routes Glance through a proxy (the
 * profile's endpoint override), Keystone is reached directly.
 */
export async function clientFor(c: CloudCreds, region?: string, o: { imageUrl?: string } = {}): Promise<CloudClient> {
  const p = profileFromEnvironment(credsEnv(c))!
  if (o.imageUrl) p.profile.endpointOverrides = { ...p.profile.endpointOverrides, image: o.imageUrl }
  return openCloudClient(p.profile, p.secret!, region ?? c.region)
}

/** The root URL of the cloud's Glance in a region, from the service catalog (for a proxy's target). */
export async function glanceRoot(c: CloudCreds, region?: string): Promise<string> {
  const client = await clientFor(c, region)
  try {
    return (await client.glance.baseUrl()).replace(/\/v2\/?$/, '').replace(/\/+$/, '')
  } finally {
    client.session.close()
  }
}

export interface ServiceOptions {
  backoffMs?: number
  maxAttempts?: number
  /** Glance through this URL (a fault proxy) instead of the catalog's. */
  imageUrl?: string
  concurrency?: number
  progressMs?: number
  persistMs?: number
  /** B2: one URL-import attempt's deadline. */
  importDeadlineMs?: number
  /** The event bus (to watch progress and state changes). */
  events?: EventBus
}

/** A queue over the cloud; `wrap` may alter the port (throttling, recording calls). */
export async function openService(
  c: CloudCreds,
  dataDir: string,
  wrap: (t: TransferCloud) => TransferCloud = (t) => t,
  opts: ServiceOptions = {},
): Promise<TransferService> {
  let client: Promise<CloudClient> | null = null
  return TransferService.open({
    platform: cliPlatform(dataDir),
    events: opts.events ?? new EventBus(),
    log: createNullLogger(),
    files: new FileRegistry(),
    backoffMs: opts.backoffMs ?? 1000,
    maxAttempts: opts.maxAttempts ?? 10,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.progressMs !== undefined ? { progressMs: opts.progressMs } : {}),
    ...(opts.persistMs !== undefined ? { persistMs: opts.persistMs } : {}),
    ...(opts.importDeadlineMs !== undefined ? { importDeadlineMs: opts.importDeadlineMs } : {}),
    connect: async (ctx) => {
      client ??= clientFor(c, ctx.region, opts.imageUrl ? { imageUrl: opts.imageUrl } : {})
      try {
        return wrap(cloudFromClient(await client, ctx.profileId))
      } catch (e) {
        client = null
        throw e
      }
    },
  })
}

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function randomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w')
  const block = randomBytes(1024 * 1024)
  for (let off = 0; off < bytes; off += block.length) writeSync(fd, block, 0, Math.min(block.length, bytes - off))
  closeSync(fd)
}

/** A qcow2 with real data (qemu-img convert of random raw). */
export function qcow2File(dir: string, mib: number): string {
  const raw = join(dir, 'src.raw')
  randomFile(raw, mib * 1024 * 1024)
  const q = join(dir, 'disk.qcow2')
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, q])
  return q
}

/** An ISO 9660 image (hand-built primary volume descriptor + data). */
export function isoFile(path: string, mib: number): void {
  randomFile(path, mib * 1024 * 1024)
  const pvd = Buffer.alloc(2048)
  pvd[0] = 1
  pvd.write('CD001', 1, 'latin1')
  pvd[6] = 1
  pvd.write('GLANCE_TEST'.padEnd(32), 40, 'latin1')
  pvd.writeUInt32LE((mib * 1024 * 1024) / 2048, 0x50)
  const fd = openSync(path, 'r+')
  writeSync(fd, Buffer.alloc(0x8000), 0, 0x8000, 0)
  writeSync(fd, pvd, 0, 2048, 0x8000)
  closeSync(fd)
}

export async function sha512File(path: string): Promise<string> {
  const h = createHash('sha512')
  for await (const c of createReadStream(path, { highWaterMark: 4 << 20 })) h.update(c as Buffer)
  return h.digest('hex')
}

export const fields = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }
