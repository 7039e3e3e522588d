/**
 * Offline drafts as a YAML manifest: everything needed to run an upload later (profile, region, file, metadata,
 * the hashes taken when the draft was made).
 */
import { parse, stringify } from 'yaml'
import { z } from 'zod'
import { AppError, DISK_FORMATS } from '../../preload/api'
import type { JobRecord } from './store'
import { zConsoleFields } from '../ipc/validate'


const zEntry = z.object({
  name: z.string().min(1).max(255),
  profileId: z.string().min(1).max(255),
  region: z.string().min(1).max(255),
  file: z.string().min(1).max(4096),
  size: z.number().int().nonnegative().optional(),
  diskFormat: z.enum([...DISK_FORMATS, 'auto']),
  containerFormat: z.string().max(32).optional(),
  fields: zConsoleFields,
  tags: z.array(z.string().max(255)).max(128).optional(),
  properties: z.record(z.string(), z.string()).optional(),
  md5: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  sha512: z.string().regex(/^[0-9a-f]{128}$/).optional(),
})
export type DraftEntry = z.infer<typeof zEntry>

const zManifest = z.object({ kind: z.literal('glance-desktop/drafts'), version: z.literal(1), drafts: z.array(zEntry).max(1000) })

export function renderManifest(jobs: JobRecord[]): string {
  const drafts: DraftEntry[] = []
  for (const j of jobs) {
    if (j.spec.kind !== 'upload') continue
    const e: DraftEntry = {
      name: j.spec.name,
      profileId: j.profileId,
      region: j.region,
      file: j.spec.filePath,
      size: j.spec.size,
      diskFormat: j.spec.diskFormat,
      fields: j.spec.fields,
    }
    if (j.spec.containerFormat) e.containerFormat = j.spec.containerFormat
    if (j.spec.tags?.length) e.tags = j.spec.tags
    if (j.spec.properties && Object.keys(j.spec.properties).length) e.properties = j.spec.properties
    if (j.result?.md5) e.md5 = j.result.md5
    if (j.result?.sha512) e.sha512 = j.result.sha512
    drafts.push(e)
  }
  return stringify({ kind: 'glance-desktop/drafts', version: 1, drafts })
}

export function parseManifest(text: string): DraftEntry[] {
  let data: unknown
  try {
    data = parse(text)
  } catch (e) {
    throw new AppError({ code: 'VALIDATION', message: `The draft manifest is not valid YAML: ${(e as Error).message}` })
  }
  const r = zManifest.safeParse(data)
  if (!r.success) {
    const i = r.error.issues[0]
    throw new AppError({ code: 'VALIDATION', message: `The draft manifest is invalid at ${i?.path.join('.') || '(root)'}: ${i?.message ?? 'invalid'}` })
  }
  return r.data.drafts
}
