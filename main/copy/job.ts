/**
 * A copy as a transfer job (main/transfers/service.ts): its persisted spec and one attempt. The job's profileId and
 * region are the TARGET; the spec names the source. The job's imageId is the client-chosen target id (kept across
 * attempts and restarts, changed only when a half-made image had to be replaced).
 */
import { z } from 'zod'
import type { Visibility } from '../../preload/api'
import type { CopyEndpoint, CopyJobInfo, CopyMethod } from '../../preload/contract/copy'
import type { CloudConnector } from '../profiles/connector'
import type { EngineHooks } from '../transfers/engine'
import { copyImage, type CopyResult } from './engine'
import { copyCloudFromClient, type CopyConnect } from './port'

export interface CopySpec {
  kind: 'copy'
  source: CopyEndpoint & { imageId: string }
  method: CopyMethod
  /** Set when the copy uses a lower visibility than the source's (consented). */
  visibility?: { from: Visibility; to: Visibility }
  /** glance-download: the target accepted the import call (a restart only polls). */
  started?: boolean
}

const zVisibility = z.enum(['public', 'private', 'shared', 'community'])
/** The schema of a CopySpec in the queue file (main/transfers/store.ts SPEC_SCHEMAS.copy). */
export const COPY_SPEC_SCHEMA = z.looseObject({
  kind: z.literal('copy'),
  source: z.object({ profileId: z.string().min(1).max(256), region: z.string().min(1).max(256), imageId: z.string().min(1).max(64) }),
  method: z.enum(['glance-download', 'stream']),
  visibility: z.object({ from: zVisibility, to: zVisibility }).optional(),
  started: z.boolean().optional(),
})

/** What a copy job records (the fields of JobRecord it writes). */
export interface CopyJobFields {
  imageId?: string
  imageName: string
  bytes: number
  total?: number
  result?: { md5?: string; sha512?: string; verified: boolean; seconds?: number }
}

export function copyInfo(spec: CopySpec): CopyJobInfo {
  return { source: { ...spec.source }, method: spec.method, ...(spec.visibility ? { visibility: { ...spec.visibility } } : {}) }
}

/** One attempt of a copy job; `save` persists the spec's progress (the import was accepted). */
export async function attemptCopy(
  j: CopyJobFields & { profileId: string; region: string },
  spec: CopySpec,
  connect: CopyConnect,
  hooks: EngineHooks,
  save: () => void,
): Promise<CopyResult> {
  const [src, dst] = await Promise.all([
    connect({ profileId: spec.source.profileId, region: spec.source.region }),
    connect({ profileId: j.profileId, region: j.region }),
  ])
  const task = {
    targetImageId: j.imageId!,
    source: { region: spec.source.region, imageId: spec.source.imageId },
    method: spec.method,
    ...(spec.visibility ? { visibility: spec.visibility.to } : {}),
    ...(spec.started ? { started: true } : {}),
  }
  const r = await copyImage(src, dst, task, {
    ...hooks,
    started: () => {
      spec.started = true
      save()
    },
  })
  spec.started = task.started ?? false
  j.imageId = r.imageId
  j.bytes = r.bytes
  j.total = r.bytes
  if (typeof r.image.name === 'string' && r.image.name) j.imageName = r.image.name
  j.result = { verified: r.verified, seconds: r.seconds, ...(r.md5 ? { md5: r.md5 } : {}), ...(r.sha512 ? { sha512: r.sha512 } : {}) }
  return r
}

/** The default CopyConnect: the app's CloudConnector (sessions cached per profile and region). */
export function copyConnectorConnect(clouds: CloudConnector): CopyConnect {
  return async (ctx) => copyCloudFromClient(await clouds.client(ctx), ctx.profileId)
}
