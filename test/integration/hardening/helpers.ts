/**
 * The app's real services (createServices over the harness's Node platform) with one profile on the loopback cloud,
 * optionally reaching Glance through a fault proxy (the profile's endpointOverrides {image: proxyUrl}); files enter
 * through the scripted dialogs and the real IPC handlers, as in the app.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { CloudCreds } from '../../support/cloud'
import { passwordAuth, type JobDTO, type Result } from '../../../preload/api'
import { createServices, type Services } from '../../../main/services'
import { dispatch } from '../../../main/ipc/dispatch'
import { createFileLogger, type Logger } from '../../../main/log'
import { defaultProfileInput } from '../../../main/profiles/model'
import { createWebPlatform, type WebPlatform } from '../../../web/platform'
import { GlanceClient } from '../../../main/openstack/glance'
import { sessionFor } from '../openstack/helpers'

export interface App {
  root: string
  dataDir: string
  userDir: string
  platform: WebPlatform
  s: Services
  profileId: string
  call<T = unknown>(channel: string, ...args: unknown[]): Promise<Result<T>>
  /** call() that must succeed. */
  ok<T = unknown>(channel: string, ...args: unknown[]): Promise<T>
  close(): Promise<void>
}

export interface AppOptions {
  /** Glance through this URL (a fault proxy). */
  imageUrl?: string
  /** An existing folder for data (a "second run"). */
  dataDir?: string
  root?: string
  logger?: Logger
  password?: string
  startQueue?: boolean
  /** 'memory' to let secrets be saved (encrypted); default 'unavailable'. */
  cipher?: 'memory' | 'unavailable'
  /** Save the secret (encrypted) instead of holding it for the session. */
  persistSecret?: boolean
  username?: string
  projectName?: string
}

export async function openApp(cloud: CloudCreds, o: AppOptions = {}): Promise<App> {
  const root = o.root ?? mkdtempSync(join(tmpdir(), 'gd-hard-'))
  const dataDir = o.dataDir ?? join(root, 'data')
  const userDir = join(root, 'user')
  mkdirSync(userDir, { recursive: true })
  const platform = createWebPlatform({ dataDir, env: {}, cipher: o.cipher ?? 'unavailable' })
  const s = await createServices(platform, {
    logger: o.logger ?? createFileLogger({ file: join(dataDir, 'logs', 'main.log') }),
    startQueue: o.startQueue ?? true,
  })
  const existing = s.profiles.list().find((p) => p.name === 'hardening')
  const input = defaultProfileInput({
    name: 'hardening',
    authUrl: cloud.authUrl,
    auth: passwordAuth({
      username: o.username ?? cloud.username,
      userDomainName: cloud.userDomainName,
      projectName: o.projectName ?? cloud.projectName,
      projectDomainName: cloud.projectDomainName,
    }),
    regions: [cloud.region],
    defaultRegion: cloud.region,
    interface: cloud.interface,
    endpointOverrides: o.imageUrl ? { image: o.imageUrl } : {},
  })
  const profile = existing ?? s.profiles.create(input)
  s.profiles.setSecret({ profileId: profile.id, secret: o.password ?? cloud.password, persist: o.persistSecret ?? false })
  const call = <T>(channel: string, ...args: unknown[]): Promise<Result<T>> => dispatch(s.handlers, channel, args) as Promise<Result<T>>
  return {
    root,
    dataDir,
    userDir,
    platform,
    s,
    profileId: profile.id,
    call,
    async ok<T>(channel: string, ...args: unknown[]): Promise<T> {
      const r = await call<T>(channel, ...args)
      if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`)
      return r.value
    },
    async close() {
      await s.close()
      s.clouds.close()
    },
  }
}

/** A handle for `path`, as the open dialog would give it. */
export async function pickOpen(app: App, path: string): Promise<string> {
  app.platform.dialogs.queue(path)
  const ref = await app.ok<{ handle: string } | null>('files:pickOpen', 'image')
  if (!ref) throw new Error('no handle')
  return ref.handle
}
export async function pickSave(app: App, path: string): Promise<string> {
  app.platform.dialogs.queue(path)
  const ref = await app.ok<{ handle: string } | null>('files:pickSave', 'image', 'image.raw')
  if (!ref) throw new Error('no handle')
  return ref.handle
}

export const FIELDS = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }

/** Starts an upload through images:create; returns the job. */
export async function upload(app: App, file: string, name: string, diskFormat = 'raw'): Promise<JobDTO> {
  const handle = await pickOpen(app, file)
  const r = await app.ok<{ jobId?: string }>(
    'images:create',
    { profileId: app.profileId },
    {
      name,
      fields: FIELDS,
      diskFormat,
      source: { kind: 'file', fileHandle: handle },
    },
  )
  if (!r.jobId) throw new Error('no job')
  return app.s.transfers.get(r.jobId)
}

export async function download(app: App, imageId: string, path: string): Promise<JobDTO> {
  const handle = await pickSave(app, path)
  return app.ok<JobDTO>('transfers:download', { profileId: app.profileId }, { imageId, fileHandle: handle })
}

export function randomFile(path: string, bytes: number): Buffer {
  const b = randomBytes(bytes)
  writeFileSync(path, b)
  return b
}

export async function sha512(path: string): Promise<string> {
  const h = createHash('sha512')
  for await (const c of createReadStream(path)) h.update(c as Buffer)
  return h.digest('hex')
}
export const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex')

/** Direct Glance (no proxy) as admin: to check what the cloud really holds, and to clean up. */
export class Direct {
  readonly glance: GlanceClient
  private readonly prefix: string
  constructor(cloud: CloudCreds, prefix: string) {
    const session = sessionFor(cloud)
    this.glance = new GlanceClient(session, cloud.region)
    this.prefix = prefix
  }
  /** Every image whose name starts with the prefix. */
  async mine(): Promise<{ id: string; name: string; status: string; checksum?: string | null }[]> {
    const out: { id: string; name: string; status: string; checksum?: string | null }[] = []
    const page = await this.glance.listPage({ limit: 1000, visibility: 'all' })
    for (const img of page.images) {
      if (typeof img.name === 'string' && img.name.startsWith(this.prefix)) {
        out.push({ id: img.id, name: img.name, status: img.status, checksum: (img.checksum as string | null | undefined) ?? null })
      }
    }
    return out
  }
  async cleanup(): Promise<void> {
    for (const img of await this.mine()) await this.glance.delete(img.id).catch(() => {})
  }
}

/**
 * The invariant of every upload under faults: either the job is done and its image is active with the file's md5,
 * or the job failed/cancelled and every image of that name it left in Glance is named by the job (imageId or
 * replaced) so the user can see it. No other image of that name exists.
 */
export async function assertUploadOutcome(direct: Direct, job: JobDTO, name: string, content: Buffer): Promise<void> {
  const imgs = (await direct.mine()).filter((i) => i.name === name)
  if (job.state === 'done') {
    expect(job.imageId).toBeTruthy()
    const img = imgs.find((i) => i.id === job.imageId)
    expect(img?.status).toBe('active')
    expect(img?.checksum).toBe(md5(content))
    expect(imgs.map((i) => i.id)).toEqual([job.imageId])
  } else {
    expect(['failed', 'cancelled']).toContain(job.state)
    if (job.state === 'failed') expect(job.error?.message).toBeTruthy()
    for (const i of imgs) expect(i.id, `image ${i.id} (${i.status}) left without the job naming it`).toBe(job.imageId)
  }
}

/** A download's local outcome: the final file is absent or byte-identical; nothing else but a .part is left. */
export async function assertDownloadOutcome(job: JobDTO, path: string, expectedSha512: string): Promise<void> {
  const dir = join(path, '..')
  const names = readdirSync(dir)
  const base = path.split('/').pop()!
  if (job.state === 'done') {
    expect(await sha512(path)).toBe(expectedSha512)
    expect(job.result?.verified).toBe(true)
  } else {
    expect(names).not.toContain(base)
    expect(job.error?.message ?? job.state).toBeTruthy()
  }
  for (const n of names) expect([base, `${base}.part`]).toContain(n)
}

export function rmrf(p: string): void {
  rmSync(p, { recursive: true, force: true })
}
