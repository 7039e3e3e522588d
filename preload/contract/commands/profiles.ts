/**
 * profiles:* commands: every argument validated (strict objects, length limits, http(s) auth URLs). No command ever
 * returns a secret. See preload/contract/commands/define.ts for the shape of an entry.
 */
import { z } from 'zod'
import type {
  CloudContext,
  ConnectionReport,
  ImportPreview,
  ImportRequest,
  ImportSource,
  ProfileDTO,
  ProfileInput,
  ProfilesState,
  ProfileTestDraft,
  SecretInput,
} from '../../api'
import { command } from './define'
import { zProfileInput } from './profile-schema'
import { zCloudContext, zHandle, zId, zIds } from './schemas'

const MAX_SECRET = 4096
const MAX_TEXT = 1024 * 1024

export const zSecret = z
  .string()
  .min(1, 'the secret is empty')
  .max(MAX_SECRET)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .regex(/^[^\r\n\u0000]*$/, 'must be one line')

export const zSecretInput = z.strictObject({ profileId: zId, secret: zSecret, persist: z.boolean() }) satisfies z.ZodType<SecretInput>

export const zImportSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('cloudsYaml'), fileHandle: zHandle.optional() }),
  z.strictObject({ kind: z.literal('openrc'), fileHandle: zHandle }),
  z.strictObject({
    kind: z.literal('text'),
    format: z.enum(['cloudsYaml', 'openrc']),
    text: z.string().max(MAX_TEXT),
    secureText: z.string().max(MAX_TEXT).optional(),
  }),
]) satisfies z.ZodType<ImportSource>

export const zImportDecision = z.strictObject({
  key: z.string().min(1).max(100),
  action: z.enum(['create', 'skip', 'rename']),
  newName: z.string().min(1).max(128).optional(),
  saveSecret: z.boolean(),
})

export const zImportRequest = z.strictObject({
  source: zImportSource,
  decisions: z.array(zImportDecision).max(500),
}) satisfies z.ZodType<ImportRequest>

export const zTestDraft = z.strictObject({
  input: zProfileInput,
  secret: zSecret.optional(),
  profileId: zId.optional(),
  region: z.string().min(1).max(255).optional(),
}) satisfies z.ZodType<ProfileTestDraft>

export const profileCommands = {
  state: command<[], ProfilesState>(),
  create: command<[input: ProfileInput], ProfileDTO>(zProfileInput),
  update: command<[id: string, input: ProfileInput], ProfileDTO>(zId, zProfileInput),
  duplicate: command<[id: string], ProfileDTO>(zId),
  remove: command<[id: string], void>(zId),
  reorder: command<[ids: string[]], void>(zIds),
  setSecret: command<[input: SecretInput], ProfileDTO>(zSecretInput),
  clearSecret: command<[id: string], ProfileDTO>(zId),
  test: command<[ctx: CloudContext], ConnectionReport>(zCloudContext),
  testDraft: command<[draft: ProfileTestDraft], ConnectionReport>(zTestDraft),
  importPreview: command<[source: ImportSource], ImportPreview>(zImportSource),
  importApply: command<[request: ImportRequest], ProfileDTO[]>(zImportRequest),
  exportCloudsYaml: command<[ids: string[], fileHandle: string], { path: string }>(zIds.min(1), zHandle),
  /** C4: one profile as an openrc script (no secret: the script asks for it). */
  exportOpenrc: command<[id: string, fileHandle: string], { path: string }>(zId, zHandle),
  /** Save an `env` profile (from OS_* variables) as a regular profile. */
  save: command<[id: string], ProfileDTO>(zId),
}
