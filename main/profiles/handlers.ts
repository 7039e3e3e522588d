/**
 * The `profiles:*` commands: every argument validated (strict objects, length limits, http(s) auth URLs), then one
 * call into ProfileService / CloudConnector. The service emits `profiles:changed` after every change. No handler
 * ever returns a secret.
 */
import { z } from 'zod'
import type { CommandChannel, ImportSource, ProfileInput } from '../../preload/api'
import type { ServiceDeps } from '../services'
import type { PartialHandlers } from '../ipc/types'
import { parseArgs, zCloudContext, zHandle, zId } from '../ipc/validate'
import { zProfileInput } from './model'
import type { ResolvedImportSource } from './service'

type Ch = Extract<CommandChannel, `profiles:${string}`>

const MAX_SECRET = 4096
const MAX_TEXT = 1024 * 1024

export const zSecret = z
  .string()
  .min(1, 'the secret is empty')
  .max(MAX_SECRET)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .regex(/^[^\r\n\u0000]*$/, 'must be one line')

export const zSecretInput = z.strictObject({ profileId: zId, secret: zSecret, persist: z.boolean() })

export const zImportSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('cloudsYaml'), fileHandle: zHandle.optional() }),
  z.strictObject({ kind: z.literal('openrc'), fileHandle: zHandle }),
  z.strictObject({
    kind: z.literal('text'),
    format: z.enum(['cloudsYaml', 'openrc']),
    text: z.string().max(MAX_TEXT),
    secureText: z.string().max(MAX_TEXT).optional(),
  }),
])

export const zImportDecision = z.strictObject({
  key: z.string().min(1).max(100),
  action: z.enum(['create', 'skip', 'rename']),
  newName: z.string().min(1).max(128).optional(),
  saveSecret: z.boolean(),
})

export const zImportRequest = z.strictObject({
  source: zImportSource,
  decisions: z.array(zImportDecision).max(500),
})

export const zTestDraft = z.strictObject({
  input: zProfileInput,
  secret: zSecret.optional(),
  profileId: zId.optional(),
  region: z.string().min(1).max(255).optional(),
})

const zIds = z.array(zId).max(1000)

export function profileHandlers(s: ServiceDeps): PartialHandlers<Ch> {
  const resolve = (src: ImportSource): ResolvedImportSource => {
    switch (src.kind) {
      case 'cloudsYaml':
        return src.fileHandle ? { kind: 'cloudsYaml', path: s.files.resolve(src.fileHandle, 'read') } : { kind: 'cloudsYaml' }
      case 'openrc':
        return { kind: 'openrc', path: s.files.resolve(src.fileHandle, 'read') }
      case 'text': {
        const out: ResolvedImportSource = { kind: 'text', format: src.format, text: src.text }
        if (src.secureText !== undefined) out.secureText = src.secureText
        return out
      }
    }
  }
  return {
    'profiles:state': async (...args) => {
      parseArgs('profiles:state', [], args)
      return s.profiles.state()
    },
    'profiles:create': async (...args) => {
      const [input] = parseArgs('profiles:create', [zProfileInput], args)
      return s.profiles.create(input as ProfileInput)
    },
    'profiles:update': async (...args) => {
      const [id, input] = parseArgs('profiles:update', [zId, zProfileInput], args)
      return s.profiles.update(id, input as ProfileInput)
    },
    'profiles:duplicate': async (...args) => {
      const [id] = parseArgs('profiles:duplicate', [zId], args)
      return s.profiles.duplicate(id)
    },
    'profiles:remove': async (...args) => {
      const [id] = parseArgs('profiles:remove', [zId], args)
      s.profiles.remove(id)
    },
    'profiles:reorder': async (...args) => {
      const [ids] = parseArgs('profiles:reorder', [zIds], args)
      s.profiles.reorder(ids)
    },
    'profiles:setSecret': async (...args) => {
      const [input] = parseArgs('profiles:setSecret', [zSecretInput], args)
      return s.profiles.setSecret(input)
    },
    'profiles:clearSecret': async (...args) => {
      const [id] = parseArgs('profiles:clearSecret', [zId], args)
      return s.profiles.clearSecret(id)
    },
    'profiles:test': async (...args) => {
      const [ctx] = parseArgs('profiles:test', [zCloudContext], args)
      return s.clouds.test(ctx)
    },
    'profiles:testDraft': async (...args) => {
      const [draft] = parseArgs('profiles:testDraft', [zTestDraft], args)
      return s.clouds.testDraft(draft.input as ProfileInput, draft.secret, draft.profileId, draft.region)
    },
    'profiles:importPreview': async (...args) => {
      const [source] = parseArgs('profiles:importPreview', [zImportSource], args)
      return s.profiles.importPreview(resolve(source as ImportSource))
    },
    'profiles:importApply': async (...args) => {
      const [req] = parseArgs('profiles:importApply', [zImportRequest], args)
      return s.profiles.importApply(
        resolve(req.source as ImportSource),
        req.decisions.map((d) => {
          const out: { key: string; action: typeof d.action; saveSecret: boolean; newName?: string } = { key: d.key, action: d.action, saveSecret: d.saveSecret }
          if (d.newName !== undefined) out.newName = d.newName
          return out
        }),
      )
    },
    'profiles:exportCloudsYaml': async (...args) => {
      const [ids, handle] = parseArgs('profiles:exportCloudsYaml', [zIds.min(1), zHandle], args)
      return s.profiles.exportCloudsYaml(ids, s.files.resolve(handle, 'write'))
    },
    'profiles:save': async (...args) => {
      const [id] = parseArgs('profiles:save', [zId], args)
      return s.profiles.save(id)
    },
  }
}
