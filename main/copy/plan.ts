/**
 * The plan of a copy or a sync: for every source image x target, what would happen (nothing changes anywhere).
 *
 *   check (in this order)                                       item
 *   target = source (same profile and region)                   refused sameRegion
 *   the target user has no member/admin role                    refused readOnly
 *   source image missing / not active / without a hash          refused notFound / notActive / noHash
 *   an active image with the same hash is at the target         present (metadata equal) or drift (see `drift`)
 *   source public, target user not admin, no consent            refused visibility
 *   method `server` asked, the target cannot pull               refused noServerSide
 *   otherwise                                                   copy (glance-download when possible under `auto`)
 *
 * A server-side pull is possible when source and target share one Keystone identity (same Keystone URL, user and
 * project: the target pulls with the caller's token), the target lists the source's region among its catalog's image
 * endpoints and advertises `glance-download` in /v2/info/import.
 */
import type { Visibility } from '../../preload/api'
import type { CopyAction, CopyEndpoint, CopyMethod, CopyOptions, CopyPlan, CopyPlanItem, CopyRefusal, SyncFilter } from '../../preload/contract/copy'
import { AppError } from '../../preload/api'
import type { RawImage } from '../transfers/port'
import { getOrNull } from '../transfers/engine'
import { contentHash, globMatch, metadataDrift } from './metadata'
import type { CopyCloud, CopyConnect } from './port'

const MEMBER_ROLES = new Set(['member', '_member_', 'Member', 'admin'])

/** What the plan knows of one target. */
export interface TargetFacts {
  ctx: CopyEndpoint
  cloud: CopyCloud
  isAdmin: boolean
  canWrite: boolean
  pull: { ok: true } | { ok: false; why: 'otherProfile' | 'noGlanceDownload' }
  /** Active images at the target by hash and by name (filled lazily or from one listing). */
  lookup: TargetLookup
}

export interface TargetLookup {
  byHash(h: { algo: 'sha512' | 'md5'; value: string }): Promise<RawImage | null>
  byName(name: string): Promise<RawImage[]>
}

/** Per-image lookups (a copy of a few images). */
export function lazyLookup(cloud: CopyCloud): TargetLookup {
  return {
    byHash: async (h) => {
      const filter: Record<string, string> = h.algo === 'sha512' ? { os_hash_value: h.value } : { checksum: h.value }
      for await (const img of cloud.glance.list({ properties: filter, status: ['active'] })) {
        const x = contentHash(img)
        if (x && x.algo === h.algo && x.value === h.value) return img
      }
      return null
    },
    byName: async (name) => {
      const out: RawImage[] = []
      for await (const img of cloud.glance.list({ name })) out.push(img)
      return out
    },
  }
}

/** One listing of the target (a sync over many images). */
export async function listedLookup(cloud: CopyCloud): Promise<TargetLookup> {
  const byHash = new Map<string, RawImage>()
  const byName = new Map<string, RawImage[]>()
  for await (const img of cloud.glance.list({ status: ['active'], limit: 1000 })) {
    const h = contentHash(img)
    if (h && !byHash.has(`${h.algo}:${h.value}`)) byHash.set(`${h.algo}:${h.value}`, img)
    const n = typeof img.name === 'string' ? img.name : ''
    byName.set(n, [...(byName.get(n) ?? []), img])
  }
  return {
    byHash: async (h) => byHash.get(`${h.algo}:${h.value}`) ?? null,
    byName: async (n) => byName.get(n) ?? [],
  }
}

async function targetFacts(src: { ctx: CopyEndpoint; cloud: CopyCloud }, ctx: CopyEndpoint, connect: CopyConnect, many: boolean): Promise<TargetFacts> {
  const cloud = await connect(ctx)
  const [roles, a, b, regions] = await Promise.all([cloud.roles(), src.cloud.identity(), cloud.identity(), cloud.imageRegions()])
  const isAdmin = roles.includes('admin')
  let pull: TargetFacts['pull'] = { ok: false, why: 'otherProfile' }
  // the listing of a sync and the import methods are independent requests: at once
  const [methods, lookup] = await Promise.all([
    a === b && regions.includes(src.ctx.region) ? cloud.glance.importMethods().catch(() => [] as string[]) : null,
    many ? listedLookup(cloud) : lazyLookup(cloud),
  ])
  if (methods) pull = methods.includes('glance-download') ? { ok: true } : { ok: false, why: 'noGlanceDownload' }
  return { ctx, cloud, isAdmin, canWrite: roles.some((r) => MEMBER_ROLES.has(r)), pull, lookup }
}

const targetKey = (t: CopyEndpoint): string => `${t.profileId}\u0000${t.region}`

/** What the plan needs to know of each target (null: the target is the source), keyed by profile + region. */
export type PreparedTargets = Map<string, Promise<TargetFacts | null>>

/**
 * Starts learning the targets (roles, identity, import methods; a sync's listing) at once, and before the source
 * images are known: the first request to a Glance is the slow one (it validates the new token with Keystone), so
 * the target's runs while the source's does. Pass the result to planItems / planCopy.
 */
export function prepareTargets(
  src: { ctx: CopyEndpoint; cloud: CopyCloud },
  targets: CopyEndpoint[],
  connect: CopyConnect,
  o: { many?: boolean } = {},
): PreparedTargets {
  const out: PreparedTargets = new Map()
  for (const t of targets) {
    const key = targetKey(t)
    if (out.has(key)) continue
    const same = t.profileId === src.ctx.profileId && t.region === src.ctx.region
    const facts = same ? Promise.resolve(null) : targetFacts(src, t, connect, !!o.many)
    facts.catch(() => {}) // awaited by planItems; not an unhandled rejection while the source is still being read
    out.set(key, facts)
  }
  return out
}

/** The plan items of `images` (source raw images, or an id that was not found) for every target. */
export async function planItems(
  src: { ctx: CopyEndpoint; cloud: CopyCloud },
  images: (RawImage | { id: string; missing: true })[],
  targets: CopyEndpoint[],
  connect: CopyConnect,
  o: CopyOptions & { many?: boolean } = {},
  prepared: PreparedTargets = prepareTargets(src, targets, connect, o),
): Promise<CopyPlanItem[]> {
  const items: CopyPlanItem[] = []
  const seen = new Set<string>()
  for (const t of targets) {
    const key = targetKey(t)
    if (seen.has(key)) continue
    seen.add(key)
    const facts = await (prepared.get(key) ?? prepareTargets(src, [t], connect, o).get(key)!)
    for (const img of images) {
      const base: CopyPlanItem = {
        sourceImageId: img.id,
        name: 'missing' in img ? '' : String(img.name ?? ''),
        size: 'missing' in img ? null : typeof img.size === 'number' ? img.size : null,
        hash: 'missing' in img ? null : contentHash(img),
        target: { ...t },
        action: 'refused',
      }
      const refuse = (r: CopyRefusal): void => {
        items.push({ ...base, refusal: r })
      }
      if (!facts) {
        refuse({ reason: 'sameRegion' })
        continue
      }
      if ('missing' in img) {
        refuse({ reason: 'notFound' })
        continue
      }
      if (img.status !== 'active') {
        refuse({ reason: 'notActive', params: { status: img.status } })
        continue
      }
      if (!base.hash) {
        refuse({ reason: 'noHash' })
        continue
      }
      const there = await facts.lookup.byHash(base.hash)
      const keys = { from: src.cloud.keys, to: facts.cloud.keys }
      if (there) {
        const drift = metadataDrift(img, there, { keys, ...(o.downgradeVisibilityTo ? { ignore: ['visibility'] } : {}) })
        items.push({ ...base, action: drift.length ? 'drift' : 'present', targetImageId: there.id, ...(drift.length ? { drift } : {}) })
        continue
      }
      if (!facts.canWrite) {
        refuse({ reason: 'readOnly' })
        continue
      }
      const item: CopyPlanItem = { ...base, action: 'copy' }
      const vis = img.visibility as Visibility
      if (vis === 'public' && !facts.isAdmin) {
        if (!o.downgradeVisibilityTo) {
          refuse({ reason: 'visibility', params: { visibility: vis } })
          continue
        }
        item.visibility = { from: vis, to: o.downgradeVisibilityTo }
      }
      const method: CopyMethod | null = o.method === 'stream' ? 'stream' : facts.pull.ok ? 'glance-download' : o.method === 'server' ? null : 'stream'
      if (!method) {
        refuse({ reason: 'noServerSide', params: { why: facts.pull.ok ? '' : facts.pull.why } })
        continue
      }
      item.method = method
      const others = (await facts.lookup.byName(base.name)).filter((x) => x.status === 'active').map((x) => x.id)
      if (others.length) item.sameNameOtherHash = others
      items.push(item)
    }
  }
  return items
}

export function countItems(items: CopyPlanItem[]): Record<CopyAction, number> {
  const c: Record<CopyAction, number> = { copy: 0, present: 0, drift: 0, refused: 0 }
  for (const i of items) c[i.action]++
  return c
}

/**
 * The plan of copying `imageIds` from `source` to `targets`. The source images and the targets are read at once
 * (`prepared`: targets already being learnt, see prepareTargets).
 */
export async function planCopy(
  connect: CopyConnect,
  req: CopyOptions & { source: CopyEndpoint; imageIds: string[]; targets: CopyEndpoint[] },
  prepared?: PreparedTargets,
): Promise<CopyPlan> {
  if (!req.imageIds.length) throw new AppError({ code: 'VALIDATION', message: 'No image to copy.', details: { reason: 'noImages' } })
  if (!req.targets.length) throw new AppError({ code: 'VALIDATION', message: 'No target region.', details: { reason: 'noTargets' } })
  const cloud = await connect(req.source)
  const src = { ctx: req.source, cloud }
  const facts = prepared ?? prepareTargets(src, req.targets, connect)
  const images = await Promise.all([...new Set(req.imageIds)].map(async (id) => (await getOrNull(cloud.glance, id)) ?? { id, missing: true as const }))
  const items = await planItems(src, images, req.targets, connect, req, facts)
  return { items, counts: countItems(items) }
}

/** Whether a source image is covered by a sync filter. */
export function matchesFilter(img: RawImage, f: SyncFilter): boolean {
  if (img.status !== 'active') return false
  switch (f.kind) {
    case 'all':
      return true
    case 'public':
      return img.visibility === 'public'
    case 'tag':
      return Array.isArray(img.tags) && img.tags.includes(f.tag)
    case 'name':
      return globMatch(f.pattern, String(img.name ?? ''))
  }
}

/** The source images a sync covers (one listing, narrowed by Glance where the filter allows). */
export async function syncSources(cloud: CopyCloud, f: SyncFilter): Promise<RawImage[]> {
  const q: Parameters<CopyCloud['glance']['list']>[0] = { status: ['active'], limit: 1000 }
  if (f.kind === 'public') q.visibility = 'public'
  if (f.kind === 'tag') q.tags = [f.tag]
  const out: RawImage[] = []
  for await (const img of cloud.glance.list(q)) if (matchesFilter(img, f)) out.push(img)
  return out
}
