/**
 * Offline drafts as a YAML manifest: everything needed to run an upload later (profile, region, file, metadata,
 * the hashes taken when the draft was made).
 */
import { parse, stringify } from 'yaml'
import { z } from 'zod'
import { AppError } from '../../preload/api'
import type { JobRecord } from './store'
import type { ConfirmRequest } from '../platform'
import { zCloudContext, zConsoleFields, zId } from '../ipc/validate'
import { zImageCreateInput } from '../../preload/contract/commands/images'
import { checkLocalPath } from '../files/paths'

// A manifest is as untrusted as an IPC argument: the same schemas (strict objects, names, tags, property keys).
const ipc = zImageCreateInput.shape
const zEntry = z.strictObject({
  name: ipc.name,
  /** C4: the profile by its NAME (ids are local to one app); import resolves it. */
  profile: z.string().min(1).max(120).optional(),
  /** Older manifests (and a queue without profiles, the CLI's): the local id. */
  profileId: zId.optional(),
  region: zCloudContext.shape.region.unwrap(),
  file: z.string().min(1).max(4096),
  size: z.number().int().nonnegative().optional(),
  diskFormat: ipc.diskFormat,
  containerFormat: ipc.containerFormat,
  fields: zConsoleFields,
  tags: ipc.tags,
  properties: ipc.properties,
  md5: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  sha512: z
    .string()
    .regex(/^[0-9a-f]{128}$/)
    .optional(),
})
export type DraftEntry = z.infer<typeof zEntry>

const zManifest = z.strictObject({ kind: z.literal('glance-desktop/drafts'), version: z.literal(1), drafts: z.array(zEntry).max(1000) })

export interface ManifestCheckDeps {
  dataDir: string
  /** The main process's confirmation (Platform.dialogs.confirm); absent: declined. */
  confirm?: (req: ConfirmRequest) => Promise<boolean>
}

/**
 * What a manifest names before anything is queued: every `file` passes the dropped-file checks (absolute, real
 * path, not the app's own files; see files/paths.ts) and is replaced by its real path; an entry that would make an
 * image public is confirmed in the main process, one question per image (declined: CANCELLED/notConfirmed).
 */
export async function checkManifestEntries<E extends DraftEntry>(entries: E[], deps: ManifestCheckDeps): Promise<E[]> {
  const out: E[] = []
  for (const [i, e] of entries.entries()) {
    let file: string
    try {
      file = await checkLocalPath(e.file, deps.dataDir)
    } catch (err) {
      const a = err as AppError
      throw new AppError(
        {
          code: a.code ?? 'VALIDATION',
          message: `Draft ${i + 1} (${e.name}): ${a.message}`,
          details: { ...(a.details ?? {}), params: { ...((a.details?.params as object) ?? {}), draft: e.name } },
        },
        { cause: err },
      )
    }
    if (e.fields.public) {
      const yes = deps.confirm ? await deps.confirm({ purpose: 'publicImage', name: e.name, subjects: [e.name] }) : false
      if (!yes) {
        throw new AppError({
          code: 'CANCELLED',
          message: `Not confirmed (publicImage) for "${e.name}": no draft was imported.`,
          details: { reason: 'notConfirmed', params: { confirm: 'publicImage', name: e.name } },
        })
      }
    }
    out.push({ ...e, file })
  }
  return out
}

/** C4: profile names <-> local ids (the app's profiles); a queue without it writes and reads local ids. */
export interface ProfileNames {
  nameOf(id: string): string | undefined
  idOf(name: string): string | undefined
}

export function profileNamesOf(profiles: { list(): { id: string; name: string }[] }): ProfileNames {
  return {
    nameOf: (id) => profiles.list().find((p) => p.id === id)?.name,
    idOf: (name) => profiles.list().find((p) => p.name === name)?.id,
  }
}

/**
 * The local profile id of each entry: `profile` (a name) resolved through `names`, else a legacy `profileId`.
 * An unknown name is PROFILE_NOT_FOUND/draftProfile {profile, draft}; nothing is imported then.
 */
export function resolveProfiles(entries: DraftEntry[], names: ProfileNames | undefined): (DraftEntry & { profileId: string })[] {
  return entries.map((e, i) => {
    const id = e.profile !== undefined ? names?.idOf(e.profile) : e.profileId
    if (!id) {
      const profile = e.profile ?? ''
      throw new AppError({
        code: 'PROFILE_NOT_FOUND',
        message:
          e.profile !== undefined
            ? `Draft ${i + 1} (${e.name}) names the profile "${profile}", which does not exist here: create or import a profile of that name, then import the drafts again.`
            : `Draft ${i + 1} (${e.name}) names no profile.`,
        details: { reason: 'draftProfile', params: { profile, draft: e.name } },
      })
    }
    return { ...e, profileId: id }
  })
}

export function renderManifest(jobs: JobRecord[], names?: ProfileNames): string {
  const drafts: DraftEntry[] = []
  for (const j of jobs) {
    if (j.spec.kind !== 'upload') continue
    const profile = names?.nameOf(j.profileId)
    const e: DraftEntry = {
      name: j.spec.name,
      ...(profile !== undefined ? { profile } : { profileId: j.profileId }),
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
