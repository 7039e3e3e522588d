/**
 * Copy and sync for the app and the CLI: plan (nothing changes), then run what the plan says. Copies run as transfer
 * jobs of kind `copy` (main/transfers/service.ts, one per image x target: persisted, retried, recovered, cancellable,
 * progress per job); metadata drift is fixed by a JSON patch and tag calls, without moving bytes.
 */
import { AppError } from '../../preload/api'
import type { CopyEndpoint, CopyPlan, CopyPlanItem, CopyRequest, CopyStartResult, SyncApplyResult, SyncPlan, SyncRequest } from '../../preload/contract/copy'
import { toAppError } from '../errors'
import type { TransferService } from '../transfers/service'
import type { JobDTO } from '../../preload/api'
import { countItems, planCopy, planItems, prepareTargets, syncSources } from './plan'
import { driftFix } from './metadata'
import type { CopyConnect } from './port'
import type { CopySpec } from './job'

export interface CopyServiceDeps {
  connect: CopyConnect
  transfers: TransferService
}

export class CopyService {
  constructor(private readonly deps: CopyServiceDeps) {}

  plan(req: CopyRequest): Promise<CopyPlan> {
    return planCopy(this.deps.connect, req)
  }

  /** Plans again and queues one copy job per `copy` item. */
  async start(req: CopyRequest): Promise<CopyStartResult> {
    const plan = await this.plan(req)
    const jobs = await this.enqueue(req.source, plan.items)
    return { plan, jobs }
  }

  async syncPlan(req: SyncRequest): Promise<SyncPlan> {
    checkSync(req)
    const cloud = await this.deps.connect(req.source)
    const src = { ctx: req.source, cloud }
    const o = { ...req, many: true }
    // the target is read while the source is listed
    const prepared = prepareTargets(src, [req.target], this.deps.connect, o)
    const images = await syncSources(cloud, req.filter)
    const items = await planItems(src, images, [req.target], this.deps.connect, o, prepared)
    return { items, counts: countItems(items), source: req.source, target: req.target, filter: req.filter }
  }

  /** Plans again, queues the copies and patches the drift (only after the user confirmed the plan). */
  async syncApply(req: SyncRequest): Promise<SyncApplyResult> {
    const plan = await this.syncPlan(req)
    const jobs = await this.enqueue(req.source, plan.items)
    const { patched, failed } = await this.fixDrift(req, plan.items)
    return { plan, jobs, patched, failed }
  }

  /** Applies the drift items' fixes (JSON patch + tags). */
  fixDrift(req: DriftRequest, items: CopyPlanItem[]): Promise<Pick<SyncApplyResult, 'patched' | 'failed'>> {
    return fixDrift(this.deps.connect, req, items)
  }

  private async enqueue(source: CopyEndpoint, items: CopyPlanItem[]): Promise<JobDTO[]> {
    const jobs: JobDTO[] = []
    for (const i of items) {
      if (i.action !== 'copy' || !i.method) continue
      const spec: CopySpec = {
        kind: 'copy',
        source: { profileId: source.profileId, region: source.region, imageId: i.sourceImageId },
        method: i.method,
        ...(i.visibility ? { visibility: i.visibility } : {}),
      }
      jobs.push(await this.deps.transfers.enqueueCopy(i.target, { spec, name: i.name, ...(i.size !== null ? { size: i.size } : {}) }))
    }
    return jobs
  }
}

function checkSync(req: SyncRequest): void {
  if (req.source.profileId === req.target.profileId && req.source.region === req.target.region) {
    throw new AppError({ code: 'VALIDATION', message: 'The sync source and target are the same region.', details: { reason: 'sameRegion' } })
  }
  const f = req.filter
  if ((f.kind === 'tag' && !f.tag) || (f.kind === 'name' && !f.pattern)) {
    throw new AppError({ code: 'VALIDATION', message: 'The sync filter is empty.', details: { reason: 'emptyFilter' } })
  }
}

export interface DriftRequest {
  source: CopyEndpoint
  target: CopyEndpoint
  downgradeVisibilityTo?: string
}

/** Fixes the drift items of a plan: a JSON patch and tag calls per image, no bytes moved. */
export async function fixDrift(connect: CopyConnect, req: DriftRequest, items: CopyPlanItem[]): Promise<Pick<SyncApplyResult, 'patched' | 'failed'>> {
  const patched: SyncApplyResult['patched'] = []
  const failed: SyncApplyResult['failed'] = []
  const drift = items.filter((i) => i.action === 'drift' && i.targetImageId)
  if (!drift.length) return { patched, failed }
  const [src, dst] = await Promise.all([connect(req.source), connect(req.target)])
  for (const i of drift) {
    try {
      const [a, b] = await Promise.all([src.glance.get(i.sourceImageId), dst.glance.get(i.targetImageId!)])
      const fix = driftFix(a, b, { keys: { from: src.keys, to: dst.keys }, ...(req.downgradeVisibilityTo ? { ignore: ['visibility'] } : {}) })
      if (fix.ops.length) await dst.glance.patch(b.id, fix.ops)
      for (const t of fix.addTags) await dst.glance.addTag(b.id, t)
      for (const t of fix.removeTags) await dst.glance.removeTag(b.id, t)
      patched.push({ sourceImageId: i.sourceImageId, targetImageId: b.id, ops: fix.ops.length + fix.addTags.length + fix.removeTags.length })
    } catch (e) {
      failed.push({ sourceImageId: i.sourceImageId, targetImageId: i.targetImageId!, error: toAppError(e).toJSON() })
    }
  }
  return { patched, failed }
}
