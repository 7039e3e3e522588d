/**
 * glance-desktop: the headless CLI over the app's own transfer engine (main/transfers) and OpenStack core. Plain
 * Node 20; never imports Electron. Auth as the openstack CLI: OS_* variables, --os-cloud NAME (clouds.yaml), or
 * --profile NAME (a saved profile's non-secret settings from the data folder, the secret from OS_PASSWORD /
 * OS_APPLICATION_CREDENTIAL_SECRET).
 */
import { parseArgs } from 'node:util'
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import {
  AppError,
  DISK_FORMATS,
  defaultProfileInput,
  passwordAuth,
  type ConsoleFields,
  type DiskFormat,
  type Interface,
  type ProfileAuth,
} from '../preload/api'
import { unreachable } from '../preload/rules/profile-auth'
import { toAppError } from '../main/errors'
import { inspectionText, isInspectionReason, type InspectionLocale } from '../preload/rules/inspection'
import type { DownloadTask } from '../main/transfers/download'
import type { EngineHooks } from '../main/transfers/engine'
import { readSavedProfile, defaultDataDir } from './profile'
import type { CloudClient } from '../main/openstack/types'
import type { CopyCliOptions } from './copy'

// Issue 16: what a command does not use is not loaded. Each command imports its modules when it runs (the upload
// path never evaluates the queue, its i18n catalogues and vue-i18n, nor the copy engine): start-up to the first
// request is node's own plus the modules of that one command.
const engine = () => import('../main/transfers/engine')
const transferCloud = () => import('../main/transfers/cloud')

const USAGE = `Usage: glance-desktop [auth options] COMMAND [options]

Commands:
  inspect FILE [--disk-format F]            format, virtual size, proposed disk_format and min_disk, refusals
  image list [--limit N]                    images visible to the project
  image upload FILE --name NAME [--disk-format auto|qcow2|raw|iso|...] [--container-format bare]
               [--property KEY=VALUE]... [--tag TAG]... [--visibility private|public|shared|community]
               [--min-disk GiB] [--min-ram MiB] [--keep-on-failure]
  image download ID --file PATH [--accept-unverified]   (unverifiable: an image Glance has no checksum for)
  image copy IMAGE... --to-region R [--to-cloud NAME] [--method auto|server|stream]
             [--allow-visibility-downgrade private|shared|community] [--concurrency N]
                                            copy images (ids or names) to another region / cloud, verified;
                                            an image already there (same hash) is skipped
  image sync --to-region B [--from-region A] [--to-cloud NAME] [--filter all|public|tag:T|name:GLOB]
             [--apply] [copy options]       make B hold what A holds: the plan, run only with --apply
  queue upload FILE --name NAME [image upload options]    add an upload to the persisted queue (--data-dir)
  queue download ID --file PATH                           add a download to the queue
  queue run                                               run the queue until empty (recovers interrupted jobs)
  queue list
Common options:
  --version              the version, and nothing else
  --json                 machine-readable output on stdout
  --no-progress          no progress line on stderr (default: shown when stderr is a terminal)
Auth (as the openstack CLI):
  OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, ... (source an openrc)
  --os-cloud NAME        a clouds.yaml entry (OS_CLOUD)
  --profile NAME         a profile saved by the app (secret from OS_PASSWORD or OS_APPLICATION_CREDENTIAL_SECRET)
  --os-region-name R     region (default: the profile's / OS_REGION_NAME)
  --data-dir DIR         the app's data folder (GLANCE_DESKTOP_DATA_DIR; default ${defaultDataDir(process.env)})
`

class UsageError extends Error {}

declare const __GD_VERSION__: string | undefined
/** package.json's version, put in by the build (scripts/build-node.mjs); 'dev' when run from the sources. */
const VERSION = typeof __GD_VERSION__ === 'string' ? __GD_VERSION__ : 'dev'

const options = {
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  'os-cloud': { type: 'string' },
  profile: { type: 'string' },
  'os-region-name': { type: 'string' },
  'data-dir': { type: 'string' },
  name: { type: 'string' },
  'disk-format': { type: 'string' },
  'container-format': { type: 'string' },
  property: { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  visibility: { type: 'string' },
  'min-disk': { type: 'string' },
  'min-ram': { type: 'string' },
  'keep-on-failure': { type: 'boolean' },
  file: { type: 'string' },
  limit: { type: 'string' },
  'accept-unverified': { type: 'boolean' },
  // D1: image copy / image sync (cli/copy.ts)
  'to-region': { type: 'string' },
  'to-cloud': { type: 'string' },
  'from-region': { type: 'string' },
  method: { type: 'string' },
  'allow-visibility-downgrade': { type: 'string' },
  filter: { type: 'string' },
  apply: { type: 'boolean' },
  concurrency: { type: 'string' },
} as const

type Opts = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values']

function out(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`)
}

function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-'
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  let v = n
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(i ? 1 : 0)} ${u[i]}`
}

/** The OS_* variable that holds the secret of a saved profile's kind of credentials. */
function secretVariable(auth: ProfileAuth): 'OS_PASSWORD' | 'OS_APPLICATION_CREDENTIAL_SECRET' {
  switch (auth.type) {
    case 'password':
      return 'OS_PASSWORD'
    case 'applicationCredential':
      return 'OS_APPLICATION_CREDENTIAL_SECRET'
    default:
      return unreachable(auth)
  }
}

async function connect(o: Opts, env: NodeJS.ProcessEnv = process.env): Promise<CloudClient> {
  const region = o['os-region-name'] ?? undefined
  const { openCloudClient, openCloudClientWithToken } = await import('../main/profiles/connector')
  if (o.profile) {
    const profile = await readSavedProfile(o['data-dir'] ?? defaultDataDir(env), o.profile)
    const secretVar = secretVariable(profile.auth)
    const secret = env[secretVar]
    if (!secret) {
      throw new AppError({
        code: 'NO_SECRET',
        message: `Profile ${o.profile}: set ${secretVar} (the CLI does not read the app's encrypted secrets).`,
      })
    }
    return openCloudClient(profile, secret, region ?? env.OS_REGION_NAME)
  }
  const token = tokenProfile(env, o['os-cloud'])
  if (token) return openCloudClientWithToken(token, env.OS_TOKEN!, region)
  const e = o['os-cloud'] ? { ...env, OS_CLOUD: o['os-cloud'] } : env
  // clouds.yaml's module (and the YAML parser) only for OS_CLOUD / --os-cloud: the OS_* path starts without them
  const p = e.OS_CLOUD ? (await import('../main/profiles/env')).profileFromEnvironment(e) : (await import('../main/profiles/env-vars')).profileFromVars(e)
  if (!p) {
    throw new AppError({
      code: 'VALIDATION',
      message: 'No cloud given: source an openrc (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, ...), or use --os-cloud NAME or --profile NAME.',
    })
  }
  if (!p.secret) throw new AppError({ code: 'NO_SECRET', message: `No password for ${p.origin}: set OS_PASSWORD.` })
  return openCloudClient(p.profile, p.secret, region)
}

/**
 * A token issued beforehand, as the openstack CLI takes it: `OS_AUTH_TYPE=v3token` (or `token`), `OS_TOKEN` and
 * `OS_AUTH_URL` (+ `OS_REGION_NAME`, `OS_INTERFACE`, `OS_CACERT`, `OS_INSECURE`). Null when the environment asks for
 * no token.
 */
function tokenProfile(env: NodeJS.ProcessEnv, osCloud: string | undefined): ReturnType<typeof defaultProfileInput> | null {
  const type = (env.OS_AUTH_TYPE ?? '').toLowerCase()
  if (osCloud || env.OS_CLOUD || (type !== 'v3token' && type !== 'token')) return null
  if (!env.OS_TOKEN)
    throw new AppError({ code: 'NO_SECRET', message: `OS_AUTH_TYPE=${env.OS_AUTH_TYPE} needs OS_TOKEN (openstack token issue -f value -c id).` })
  if (!env.OS_AUTH_URL) throw new AppError({ code: 'VALIDATION', message: 'OS_TOKEN needs OS_AUTH_URL (the Keystone that issued it).' })
  const region = env.OS_REGION_NAME ?? ''
  const iface = (env.OS_INTERFACE ?? env.OS_ENDPOINT_TYPE ?? 'public').replace(/URL$/, '') as Interface
  return defaultProfileInput({
    name: 'OS_TOKEN',
    authUrl: env.OS_AUTH_URL,
    // placeholders for the profile schema (it describes password logins); the token's own user and project are used
    auth: passwordAuth({ username: 'token', projectName: 'token' }),
    interface: iface,
    caFile: env.OS_CACERT ?? '',
    insecure: /^(1|true|yes)$/i.test(env.OS_INSECURE ?? ''),
    regions: region ? [region] : [],
    defaultRegion: region,
  })
}

/** Progress on stderr (a TTY), four times a second at most. */
async function progressLine(enabled: boolean, label: string): Promise<{ hooks: Omit<EngineHooks, 'signal'>; done(): void }> {
  const { ProgressHub } = await import('../main/transfers/progress')
  const id = 'cli'
  let line = ''
  const hub = new ProgressHub({
    emit: (events) => {
      const e = events.at(-1)
      if (!e || !enabled) return
      const pct = e.total ? ` ${((100 * e.bytes) / e.total).toFixed(1)}%` : ''
      const eta = e.eta !== undefined ? ` ETA ${e.eta}s` : ''
      line = `${label} ${e.phase}${pct} ${fmtBytes(e.bytes)}${e.total ? `/${fmtBytes(e.total)}` : ''} ${fmtBytes(e.speed)}/s${eta}`
      process.stderr.write(`\r${line.padEnd(78)}`)
    },
  })
  return {
    hooks: {
      phase: (phase, total, bytes = 0) => hub.begin(id, phase, total, bytes),
      bytes: (n) => hub.add(id, n),
    },
    done: () => {
      hub.end(id)
      hub.stop()
      if (enabled && line) process.stderr.write('\n')
    },
  }
}

function abortOnSignals(): AbortController {
  const ac = new AbortController()
  const stop = (sig: string) => {
    if (ac.signal.aborted) process.exit(130)
    process.stderr.write(`\n${sig}: stopping (again to force)\n`)
    ac.abort(new AppError({ code: 'CANCELLED', message: `Interrupted (${sig}).` }))
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  return ac
}

function diskFormat(v: string | undefined): DiskFormat | 'auto' {
  const f = v ?? 'auto'
  if (f !== 'auto' && !(DISK_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--disk-format: one of auto, ${DISK_FORMATS.join(', ')}`)
  return f as DiskFormat | 'auto'
}

function intOpt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}: a whole number`)
  return Number(v)
}

/** A: the language of the CLI's inspection words: zh-CN when LC_ALL / LC_MESSAGES / LANG say zh*, else English. */
function cliLocale(env: NodeJS.ProcessEnv = process.env): InspectionLocale {
  const l = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  return /^zh/i.test(l) ? 'zh-CN' : 'en'
}

/** A: an inspection refusal, a format mismatch or a changed file, in the CLI's language (else the English message). */
function wordError(err: AppError): string {
  const reason = err.details?.reason
  if (typeof reason !== 'string' || !isInspectionReason(reason)) return err.message
  const params = (err.details?.params ?? {}) as Record<string, string | number>
  return `${inspectionText({ reason, params }, cliLocale())} [${reason}]`
}

async function cmdInspect(file: string, o: Opts): Promise<void> {
  const loc = cliLocale()
  const { inspectFile } = await import('../main/transfers/inspect')
  let r
  try {
    r = await inspectFile(resolve(file), diskFormat(o['disk-format']))
  } catch (e) {
    if (!AppError.is(e, 'FORMAT_MISMATCH')) throw e
    // A: refused, the reason named (exit 3, as for an unsafe file)
    out(!!o.json, { error: e.toJSON() }, `REFUSED [${String(e.details?.reason)}]: ${wordError(e)}`)
    process.exitCode = 3
    return
  }
  const lines = [
    `format:             ${r.format}`,
    `proposed format:    ${r.proposedDiskFormat}`,
    `size:               ${r.size} (${fmtBytes(r.size)})`,
    `virtual size:       ${r.virtualSize ?? '-'}${r.virtualSize ? ` (${fmtBytes(r.virtualSize)})` : ''}`,
    `proposed min_disk:  ${r.proposedMinDiskGiB} GiB`,
    ...Object.entries(r.details).map(([k, v]) => `${`${k}:`.padEnd(20)}${v}`),
    ...(r.issues?.warnings ?? []).map((w) => `warning [${w.reason}]: ${inspectionText(w, loc)}`),
    ...(r.issues?.unsafe ?? []).map((u) => `REFUSED [${u.reason}]: ${inspectionText(u, loc)}`),
  ]
  out(!!o.json, r, lines.join('\n'))
  if (r.unsafe.length) process.exitCode = 3
}

async function cmdList(o: Opts): Promise<void> {
  const client = await connect(o)
  const limit = intOpt(o.limit, '--limit')
  const rows: Record<string, unknown>[] = []
  for await (const img of client.glance.list({})) {
    rows.push(img)
    if (limit !== undefined && rows.length >= limit) break
  }
  const text = rows.map(
    (r) =>
      `${r.id}  ${String(r.status).padEnd(8)} ${String(r.disk_format ?? '-').padEnd(6)} ${fmtBytes(r.size as number | null).padStart(10)}  ${r.name ?? ''}`,
  )
  out(
    !!o.json,
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      diskFormat: r.disk_format,
      size: r.size,
      checksum: r.checksum,
      sha512: r.os_hash_value,
      visibility: r.visibility,
    })),
    text.join('\n') || '(no images)',
  )
}

async function cmdUpload(file: string, o: Opts): Promise<void> {
  if (!o.name) throw new UsageError('image upload: --name NAME is required')
  const path = resolve(file)
  const format = diskFormat(o['disk-format'])
  const properties: Record<string, string> = {}
  for (const kv of o.property ?? []) {
    const i = kv.indexOf('=')
    if (i <= 0) throw new UsageError(`--property ${kv}: expected KEY=VALUE`)
    properties[kv.slice(0, i)] = kv.slice(i + 1)
  }
  const vis = o.visibility
  if (vis && !['private', 'public', 'shared', 'community'].includes(vis)) throw new UsageError('--visibility: private, public, shared or community')
  const minDisk = intOpt(o['min-disk'], '--min-disk') ?? 0
  const minRam = intOpt(o['min-ram'], '--min-ram') ?? 0
  // the login is on its way while the engine loads and the file is inspected (a refused file: the token goes unused)
  const login = connect(o)
  login.catch(() => {})
  const [{ inspectFileWithIdentity, assertUploadable }, { uploadImage }, { deleteQuietly, newImageId, withRetries }, { cloudFromClient }] = await Promise.all([
    import('../main/transfers/inspect'),
    import('../main/transfers/upload'),
    engine(),
    transferCloud(),
  ])
  // A: the upload sends only the file inspected here, unchanged (identity + streamed verdict, upload.ts)
  const { report, identity } = await inspectFileWithIdentity(path, format)
  assertUploadable(path, report)
  const fields: ConsoleFields = {
    minDiskGiB: Math.max(minDisk, report.proposedMinDiskGiB),
    minRamGiB: minRam / 1024,
    public: vis === 'public',
    protected: false,
  }
  const size = (await stat(path)).size
  const client = await login
  const cloud = cloudFromClient(client, 'cli')
  const ac = abortOnSignals()
  const progress = await progressLine(!o['no-progress'] && !!process.stderr.isTTY, 'upload')
  let imageId = newImageId()
  const hooks: EngineHooks = {
    ...progress.hooks,
    signal: ac.signal,
    imageChanged: (id) => {
      imageId = id
    },
  }
  const t0 = performance.now()
  try {
    const r = await withRetries(
      () =>
        uploadImage(
          cloud,
          {
            imageId,
            filePath: path,
            size,
            identity,
            inspection: report,
            meta: {
              name: o.name!,
              fields,
              diskFormat: report.proposedDiskFormat,
              ...(o['container-format'] ? { containerFormat: o['container-format'] } : {}),
              ...(o.tag?.length ? { tags: o.tag } : {}),
              properties,
              ...(vis ? { extra: { visibility: vis } } : {}),
            },
          },
          hooks,
        ),
      {
        signal: ac.signal,
        onRetry: (e, n, delay) => process.stderr.write(`\nattempt ${n} failed (${toAppError(e).message}); retrying in ${(delay / 1000).toFixed(1)}s\n`),
      },
    )
    progress.done()
    const seconds = (performance.now() - t0) / 1000
    out(
      !!o.json,
      {
        id: r.imageId,
        name: o.name,
        diskFormat: report.proposedDiskFormat,
        size: r.bytes,
        virtualSize: report.virtualSize,
        md5: r.md5,
        sha512: r.sha512,
        verified: r.verified,
        status: r.image.status,
        seconds,
        transferSeconds: r.transferSeconds,
        mibPerSecond: r.bytes / 1048576 / seconds,
      },
      `uploaded ${path} as image ${r.imageId} (${o.name}, ${report.proposedDiskFormat}, ${fmtBytes(r.bytes)}) in ${seconds.toFixed(1)}s, ${(r.bytes / 1048576 / seconds).toFixed(0)} MiB/s; ${r.verified ? `verified (${r.sha512 && r.image.os_hash_value === r.sha512 ? 'sha512' : 'md5'})` : 'NOT verified (Glance reported no hash)'}`,
    )
  } catch (e) {
    progress.done()
    const err = toAppError(e)
    if (!o['keep-on-failure'] && err.details?.deleted === undefined) {
      const img = await cloud.glance.get(imageId).catch(() => null)
      if (img && img.status !== 'active') {
        const deleted = await deleteQuietly(cloud.glance, imageId)
        throw new AppError({
          ...err.toJSON(),
          message: `${err.message}${deleted ? ` (the unfinished image ${imageId} was deleted)` : ` (the unfinished image ${imageId} is left over)`}`,
        })
      }
    }
    throw err
  }
}

async function cmdDownload(id: string, o: Opts): Promise<void> {
  if (!o.file) throw new UsageError('image download: --file PATH is required')
  const path = resolve(o.file)
  // the login goes first: the engine loads while Keystone answers
  const [client, { downloadImage, removeOwnPart }, { withRetries }, { cloudFromClient }] = await Promise.all([
    connect(o),
    import('../main/transfers/download'),
    engine(),
    transferCloud(),
  ])
  const cloud = cloudFromClient(client, 'cli')
  const ac = abortOnSignals()
  const progress = await progressLine(!o['no-progress'] && !!process.stderr.isTTY, 'download')
  const t0 = performance.now()
  // one task across the attempts: it keeps the binding of the part file the first attempt made (download.ts)
  const task: DownloadTask = { imageId: id, path, ...(o['accept-unverified'] ? { acceptUnverified: true } : {}) }
  const r = await withRetries(() => downloadImage(cloud, task, { ...progress.hooks, signal: ac.signal }), {
    signal: ac.signal,
    onRetry: (e, n, delay) => process.stderr.write(`\nattempt ${n} failed (${toAppError(e).message}); retrying in ${(delay / 1000).toFixed(1)}s\n`),
  }).finally(() => progress.done())
  const seconds = (performance.now() - t0) / 1000
  // B2: bytes nothing can verify never get the name unasked (the next run without the flag could not reuse them)
  if (r.pending) await removeOwnPart(task)
  out(
    !!o.json,
    {
      id,
      file: path,
      size: r.bytes,
      md5: r.md5,
      sha512: r.sha512,
      verified: r.verified,
      resumedFrom: r.resumedFrom,
      seconds,
      transferSeconds: r.transferSeconds,
      mibPerSecond: r.bytes / 1048576 / seconds,
      ...(r.pending ? { pending: r.pending } : {}),
    },
    r.pending
      ? `image ${id} has no checksum and no hash in Glance: the ${fmtBytes(r.bytes)} received cannot be verified, and nothing was kept; run again with --accept-unverified to keep them as ${path}`
      : `downloaded image ${id} to ${path} (${fmtBytes(r.bytes)}) in ${seconds.toFixed(1)}s, ${(r.bytes / 1048576 / seconds).toFixed(0)} MiB/s; ${r.verified ? 'hash verified' : 'NOT verified (Glance reported no hash)'}${r.resumedFrom ? `; resumed at ${r.resumedFrom}` : ''}`,
  )
  if (r.pending) process.exitCode = 4
}

/** D1: the environment for a --to-cloud entry: no OS_* variable but where clouds.yaml / secure.yaml are. */
function cloudOnlyEnv(env: NodeJS.ProcessEnv, cloud: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('OS_') || k === 'OS_CLIENT_CONFIG_FILE' || k === 'OS_CLIENT_SECURE_FILE') out[k] = v
  out.OS_CLOUD = cloud
  return out
}

/** D1: what cli/copy.ts needs from here (connect per region or clouds.yaml entry, output, usage errors). */
function copyOptions(o: Opts): CopyCliOptions {
  const ac = abortOnSignals()
  const concurrency = intOpt(o.concurrency, '--concurrency')
  const c: CopyCliOptions = {
    json: !!o.json,
    signal: ac.signal,
    open: (region, cloud) =>
      cloud
        ? // another cloud: only its clouds.yaml entry counts (the source's OS_* login must not leak into it)
          connect({ ...o, 'os-region-name': region, 'os-cloud': cloud, profile: undefined }, cloudOnlyEnv(process.env, cloud))
        : connect({ ...o, 'os-region-name': region || o['os-region-name'] }),
    out,
    usage: (m) => new UsageError(m),
    progress: (line) => {
      if (!o['no-progress'] && process.stderr.isTTY) process.stderr.write(`${line}\n`)
    },
    ...(o.apply ? { apply: true } : {}),
  }
  if (o['from-region']) c.fromRegion = o['from-region']
  if (o['to-region']) c.toRegion = o['to-region']
  if (o['to-cloud']) c.toCloud = o['to-cloud']
  if (o.method) c.method = o.method
  if (o['allow-visibility-downgrade']) c.allowVisibility = o['allow-visibility-downgrade']
  if (o.filter) c.filter = o.filter
  if (concurrency !== undefined) c.concurrency = concurrency
  return c
}

async function cmdQueue(sub: string | undefined, arg: string | undefined, o: Opts): Promise<void> {
  const { cliLogin, openQueue, runQueue } = await import('./queue')
  const dataDir = o['data-dir'] ?? defaultDataDir(process.env)
  if (sub === 'list') {
    // no login needed to look; nothing runs
    const q = await openQueue(dataDir, () => connect(o))
    if (q.lockedBy !== undefined) process.stderr.write(`glance-desktop: note: the queue is in use by pid ${q.lockedBy?.pid ?? '?'}; this list may be behind.\n`)
    const jobs = q.list()
    await q.stop()
    out(
      !!o.json,
      jobs,
      jobs.map((j) => `${j.id} ${j.kind} ${j.state} ${j.phase} ${j.imageId ?? ''} ${j.bytes}/${j.total ?? '?'} ${j.error?.message ?? ''}`).join('\n') ||
        '(empty)',
    )
    return
  }
  if (sub !== 'run' && !((sub === 'upload' || sub === 'download') && arg)) throw new UsageError(`unknown command: queue ${sub ?? ''}`)
  // every option is checked before the login and the lock (a usage error leaves the queue as it was, unlocked)
  let upload: Parameters<Awaited<ReturnType<typeof openQueue>>['enqueueUpload']>[1] | undefined
  if (sub === 'upload' && arg) {
    if (!o.name) throw new UsageError('queue upload: --name NAME is required')
    const vis = o.visibility
    upload = {
      name: o.name,
      fields: { minDiskGiB: intOpt(o['min-disk'], '--min-disk') ?? 0, minRamGiB: 0, public: vis === 'public', protected: false },
      diskFormat: diskFormat(o['disk-format']),
      filePath: resolve(arg),
      ...(vis ? { extra: { visibility: vis } } : {}),
    }
  }
  if (sub === 'download' && arg && !o.file) throw new UsageError('queue download: --file PATH is required')
  // B2: the jobs are this login's: authenticate first, then lock the CLI's queue (refused when another process has it)
  const client = await connect(o)
  const ctx = await cliLogin(client)
  const q = await openQueue(dataDir, async () => client, ctx)
  try {
    q.assertOwner()
    if (upload) {
      const job = await q.enqueueUpload(ctx, upload)
      await q.stop()
      out(!!o.json, job, `queued ${job.id} (image ${job.imageId})`)
    } else if (sub === 'download' && arg && o.file) {
      const job = await q.enqueueDownload(ctx, { imageId: arg, path: resolve(o.file) })
      await q.stop()
      out(!!o.json, job, `queued ${job.id}`)
    } else if (sub === 'run') {
      const tty = !o['no-progress'] && !!process.stderr.isTTY
      const jobs = await runQueue(q, (js) => {
        if (tty)
          process.stderr.write(
            `\r${js
              .filter((j) => j.state === 'running')
              .map((j) => `${j.kind} ${j.imageName} ${j.total ? ((100 * j.bytes) / j.total).toFixed(0) : '?'}%`)
              .join('  ')
              .padEnd(78)}`,
          )
      })
      if (tty) process.stderr.write('\n')
      const others = jobs.filter((j) => j.profileId !== ctx.profileId || j.region !== ctx.region).length
      if (others) process.stderr.write(`glance-desktop: ${others} job(s) of other logins or regions were left as they are (run them with that login).\n`)
      const failed = jobs.filter((j) => j.state === 'failed')
      out(!!o.json, jobs, jobs.map((j) => `${j.id} ${j.kind} ${j.state} ${j.imageId ?? ''} ${j.error?.message ?? ''}`).join('\n') || '(empty)')
      if (failed.length) process.exitCode = 1
    } else throw new UsageError(`unknown command: queue ${sub ?? ''}`)
  } finally {
    // releases the lock whatever happened (stop is idempotent)
    await q.stop()
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (e) {
    process.stderr.write(`glance-desktop: ${(e as Error).message}\n\n${USAGE}`)
    return 2
  }
  const o = parsed.values
  const [cmd, sub, arg] = parsed.positionals
  if (o.version) {
    process.stdout.write(`glance-desktop ${VERSION}\n`)
    return 0
  }
  if (o.help || !cmd) {
    process.stdout.write(USAGE)
    return o.help ? 0 : 2
  }
  try {
    if (cmd === 'inspect' && sub) await cmdInspect(sub, o)
    else if (cmd === 'image' && sub === 'list') await cmdList(o)
    else if (cmd === 'image' && sub === 'upload' && arg) await cmdUpload(arg, o)
    else if (cmd === 'image' && sub === 'download' && arg) await cmdDownload(arg, o)
    else if (cmd === 'image' && sub === 'copy') process.exitCode = await (await import('./copy')).cmdCopy(parsed.positionals.slice(2), copyOptions(o))
    else if (cmd === 'image' && sub === 'sync') process.exitCode = await (await import('./copy')).cmdSync(copyOptions(o))
    else if (cmd === 'queue') await cmdQueue(sub, arg, o)
    else throw new UsageError(`unknown command: ${parsed.positionals.join(' ')}`)
    return Number(process.exitCode ?? 0)
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`glance-desktop: ${e.message}\n\n${USAGE}`)
      return 2
    }
    const err = toAppError(e)
    if (o.json) process.stdout.write(`${JSON.stringify({ error: err.toJSON() }, null, 2)}\n`)
    process.stderr.write(`glance-desktop: error [${err.code}]: ${wordError(err)}\n`)
    return 1
  }
}

const isMain = (() => {
  try {
    return !!process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href
  } catch {
    return false
  }
})()
/**
 * Exits once stdout and stderr have handed everything to the OS. node writes to a pipe asynchronously: a process.exit()
 * right after a large write cut `image list --json | jq` at 64 KiB (the pipe's buffer). An empty write's callback
 * comes after every write queued before it. The exit itself stays explicit: a worker or socket must not keep a
 * finished command alive.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code
  let left = 2
  const done = (): void => {
    if (--left === 0) process.exit(code)
  }
  for (const s of [process.stdout, process.stderr]) {
    if (s.writableLength === 0 || s.destroyed) done()
    else s.write('', done)
  }
}

if (isMain || process.env.GLANCE_DESKTOP_CLI_MAIN === '1') {
  main(process.argv.slice(2)).then(exitWhenFlushed, (e: unknown) => {
    process.stderr.write(`glance-desktop: ${String(e)}\n`)
    exitWhenFlushed(1)
  })
}
