/**
 * `glance-desktop image copy IMAGE... --to-region R [--to-cloud NAME]` and
 * `glance-desktop image sync --from-region A --to-region B [--to-cloud NAME] [--filter F] [--apply]`:
 * the app's copy engine (main/copy) from the command line. The source is the login of the auth options (its region:
 * --os-region-name / OS_REGION_NAME, or --from-region for sync); the target is the same login in another region, or
 * the clouds.yaml entry --to-cloud NAME (another user, project or cloud). Plans first; `image copy` runs the plan,
 * `image sync` prints it and runs it only with --apply. JSON with --json; exit 1 when anything failed or was refused.
 */
import { AppError } from '../preload/api'
import {
  COPY_METHODS,
  DOWNGRADE_VISIBILITIES,
  type CopyEndpoint,
  type CopyMethodChoice,
  type CopyPlan,
  type CopySummary,
  type DowngradeVisibility,
  type SyncFilter,
} from '../preload/contract/copy'
import type { CloudClient } from '../main/openstack/types'
import { GlanceClient } from '../main/openstack/glance'
import { copyCloudFromClient, type CopyConnect } from '../main/copy/port'
import { countItems, planCopy, planItems, prepareTargets, syncSources } from '../main/copy/plan'
import { runCopies } from '../main/copy/batch'
import { fixDrift } from '../main/copy/service'
import { getOrNull } from '../main/transfers/engine'

export interface CopyCliOptions {
  json: boolean
  /** The source region (the login's when empty). */
  fromRegion?: string
  toRegion?: string
  toCloud?: string
  method?: string
  allowVisibility?: string
  filter?: string
  apply?: boolean
  concurrency?: number
  signal: AbortSignal
  /** Opens the login of the auth options (cloud undefined) or a clouds.yaml entry, in a region ('' = its default). */
  open(region: string, cloud?: string): Promise<CloudClient>
  out(json: boolean, value: unknown, text: string): void
  usage(message: string): Error
  progress(line: string): void
}

const SOURCE = 'source'
const TARGET = 'target'

/**
 * Profile ids: the login is `source` in every region; a --to-cloud entry is `target`. One login per cloud: a token
 * is valid in every region of its catalog, so the other regions' clients share the first one's session (a second
 * login costs a Keystone round trip, and each Glance validates every new token with Keystone once: seconds on a
 * loaded cloud).
 */
function connector(o: CopyCliOptions): CopyConnect {
  const logins = new Map<string, { region: string; client: Promise<CloudClient> }>()
  const clients = new Map<string, Promise<CloudClient>>()
  const open = async (profileId: string, region: string): Promise<CloudClient> => {
    const cloud = profileId === TARGET ? o.toCloud : undefined
    const first = logins.get(profileId)
    if (!first) {
      const client = o.open(region, cloud)
      logins.set(profileId, { region, client })
      client.catch(() => logins.delete(profileId))
      return client
    }
    const c = await first.client
    if (region === c.region || (region === '' && first.region === '')) return c
    // '' is the login's default region: only the login opened with '' knows which that is
    return region ? (sameSession(c, region) ?? o.open(region, cloud)) : o.open(region, cloud)
  }
  return async (ctx) => {
    const key = `${ctx.profileId}/${ctx.region}`
    let c = clients.get(key)
    if (!c) {
      c = open(ctx.profileId, ctx.region)
      clients.set(key, c)
      c.catch(() => clients.delete(key))
    }
    const client = await c
    // a client opened with region '' is in the login's default region: cache it under its real region too
    if (!ctx.region && !clients.has(`${ctx.profileId}/${client.region}`)) clients.set(`${ctx.profileId}/${client.region}`, c)
    return copyCloudFromClient(client, ctx.profileId)
  }
}

/** A client of `region` over `c`'s session; undefined when its catalog has no image service there (opening it says why). */
function sameSession(c: CloudClient, region: string): CloudClient | undefined {
  try {
    c.session.endpoint('image', region)
  } catch {
    return undefined
  }
  return { ...c, region, glance: new GlanceClient(c.session, region), cinder: null }
}

function options(o: CopyCliOptions): { method: CopyMethodChoice; downgradeVisibilityTo?: DowngradeVisibility } {
  const method = (o.method ?? 'auto') as CopyMethodChoice
  if (!COPY_METHODS.includes(method)) throw o.usage(`--method: one of ${COPY_METHODS.join(', ')}`)
  const v = o.allowVisibility
  if (v !== undefined && !(DOWNGRADE_VISIBILITIES as readonly string[]).includes(v)) {
    throw o.usage(`--allow-visibility-downgrade: one of ${DOWNGRADE_VISIBILITIES.join(', ')}`)
  }
  return { method, ...(v ? { downgradeVisibilityTo: v as DowngradeVisibility } : {}) }
}

async function endpoints(o: CopyCliOptions, connect: CopyConnect): Promise<{ source: CopyEndpoint; target: CopyEndpoint }> {
  if (!o.toRegion) throw o.usage('--to-region REGION is required')
  const src = await connect({ profileId: SOURCE, region: o.fromRegion ?? '' })
  const source = { profileId: SOURCE, region: src.region }
  return { source, target: { profileId: o.toCloud ? TARGET : SOURCE, region: o.toRegion } }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Image ids, or names that name exactly one active image at the source. */
async function resolveImages(connect: CopyConnect, source: CopyEndpoint, refs: string[]): Promise<string[]> {
  const cloud = await connect(source)
  const ids: string[] = []
  for (const ref of refs) {
    if (UUID.test(ref) && (await getOrNull(cloud.glance, ref))) {
      ids.push(ref)
      continue
    }
    const found: string[] = []
    for await (const img of cloud.glance.list({ name: ref, status: ['active'] })) found.push(img.id)
    if (found.length === 1) ids.push(found[0]!)
    else if (!found.length)
      ids.push(ref) // the plan reports it notFound
    else {
      throw new AppError({
        code: 'VALIDATION',
        message: `${found.length} active images are named ${JSON.stringify(ref)} in ${source.region}: give the id (${found.join(', ')}).`,
        details: { reason: 'ambiguousName', name: ref, count: found.length },
      })
    }
  }
  return ids
}

function planLines(plan: CopyPlan): string[] {
  return plan.items.map((i) => {
    const what =
      i.action === 'copy'
        ? `copy (${i.method}${i.visibility ? `, visibility ${i.visibility.from} -> ${i.visibility.to}` : ''})${i.sameNameOtherHash?.length ? `; other images with this name there: ${i.sameNameOtherHash.join(', ')}` : ''}`
        : i.action === 'present'
          ? `present as ${i.targetImageId}`
          : i.action === 'drift'
            ? `drift at ${i.targetImageId}: ${i.drift!.map((d) => d.key).join(', ')}`
            : `refused: ${i.refusal!.reason}${i.refusal!.params ? ` ${JSON.stringify(i.refusal!.params)}` : ''}`
    return `${i.sourceImageId} ${JSON.stringify(i.name)} -> ${i.target.region}: ${what}`
  })
}

function summaryText(s: CopySummary): string {
  const lines = s.items.map(
    (i) =>
      `${i.outcome.padEnd(7)} ${i.sourceImageId} ${JSON.stringify(i.name)} -> ${i.target.region}${i.targetImageId ? ` ${i.targetImageId}` : ''}${i.method ? ` (${i.method})` : ''}${i.reason ? `: ${i.reason}` : ''}${i.error ? ` ${i.error.message}` : ''}`,
  )
  return [...lines, `done ${s.done}, skipped ${s.skipped}, failed ${s.failed}`].join('\n')
}

export async function cmdCopy(refs: string[], o: CopyCliOptions): Promise<number> {
  if (!refs.length) throw o.usage('image copy: IMAGE... (ids or names) required')
  const opts = options(o)
  const connect = connector(o)
  const { source, target } = await endpoints(o, connect)
  // the target is read while the images are looked up at the source (see prepareTargets)
  const prepared = prepareTargets({ ctx: source, cloud: await connect(source) }, [target], connect)
  const imageIds = await resolveImages(connect, source, refs)
  const plan = await planCopy(connect, { source, imageIds, targets: [target], ...opts }, prepared)
  const summary = await runCopies(plan.items, {
    source,
    connect,
    signal: o.signal,
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    onRetry: (i, e, n, delay) => o.progress(`${i.name} -> ${i.target.region}: attempt ${n} failed (${e.message}); retrying in ${(delay / 1000).toFixed(1)}s`),
    onDone: (s) => o.progress(`${s.outcome} ${s.name} -> ${s.target.region}${s.reason ? ` (${s.reason})` : ''}`),
  })
  o.out(o.json, { plan, summary }, summaryText(summary))
  return summary.failed ? 1 : 0
}

export function parseFilter(f: string | undefined, usage: (m: string) => Error): SyncFilter {
  if (!f || f === 'all') return { kind: 'all' }
  if (f === 'public') return { kind: 'public' }
  const i = f.indexOf(':')
  const kind = i > 0 ? f.slice(0, i) : ''
  const v = f.slice(i + 1)
  if (kind === 'tag' && v) return { kind: 'tag', tag: v }
  if (kind === 'name' && v) return { kind: 'name', pattern: v }
  throw usage('--filter: all, public, tag:TAG or name:GLOB')
}

export async function cmdSync(o: CopyCliOptions): Promise<number> {
  const opts = options(o)
  const filter = parseFilter(o.filter, o.usage)
  const connect = connector(o)
  const { source, target } = await endpoints(o, connect)
  if (source.profileId === target.profileId && source.region === target.region) throw o.usage('image sync: --to-region must differ from the source region')
  const cloud = await connect(source)
  const po = { ...opts, many: true }
  const prepared = prepareTargets({ ctx: source, cloud }, [target], connect, po)
  const images = await syncSources(cloud, filter)
  const items = await planItems({ ctx: source, cloud }, images, [target], connect, po, prepared)
  const plan = { items, counts: countItems(items), source, target, filter }
  if (!o.apply) {
    o.out(
      o.json,
      { plan, applied: false },
      [
        ...planLines(plan),
        `plan: copy ${plan.counts.copy}, present ${plan.counts.present}, drift ${plan.counts.drift}, refused ${plan.counts.refused} (nothing changed; --apply runs it)`,
      ].join('\n'),
    )
    return 0
  }
  const summary = await runCopies(items, {
    source,
    connect,
    signal: o.signal,
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    onRetry: (i, e, n, delay) => o.progress(`${i.name} -> ${i.target.region}: attempt ${n} failed (${e.message}); retrying in ${(delay / 1000).toFixed(1)}s`),
  })
  // drift: a JSON patch (and tag calls), no bytes
  const { patched, failed } = await fixDrift(connect, { source, target, ...opts }, items)
  for (const p of patched) {
    const s = summary.items.find((i) => i.sourceImageId === p.sourceImageId && i.reason === 'drift')
    if (s) {
      s.outcome = 'done'
      s.reason = 'patched'
    }
  }
  for (const f of failed) {
    const s = summary.items.find((i) => i.sourceImageId === f.sourceImageId && i.reason === 'drift')
    if (s) {
      s.outcome = 'failed'
      s.error = f.error
    }
  }
  const final = {
    ...summary,
    done: summary.items.filter((i) => i.outcome === 'done').length,
    skipped: summary.items.filter((i) => i.outcome === 'skipped').length,
    failed: summary.items.filter((i) => i.outcome === 'failed').length,
  }
  o.out(o.json, { plan, applied: true, summary: final, patched }, summaryText(final))
  return final.failed ? 1 : 0
}
