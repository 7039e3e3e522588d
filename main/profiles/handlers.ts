/**
 * The `profiles:*` commands (declared in preload/contract/commands/profiles.ts, which validates every argument): one call into
 * ProfileService / CloudConnector each. The service emits `EVENTS.profiles.changed` after every change. No handler ever
 * returns a secret.
 */
import type { ImportSource } from '../../preload/api'
import type { FileRegistry } from '../files/registry'
import { bindDomain } from '../ipc/bind'
import { exportOpenrc } from './openrc-export'
import type { CloudConnector } from './connector'
import type { ProfileService, ResolvedImportSource } from './service'

// The argument schemas moved to the contract with the command table; re-exported for existing importers.
export { zImportDecision, zImportRequest, zImportSource, zSecret, zSecretInput, zTestDraft } from '../../preload/contract/commands/profiles'

/** What the profiles:* commands use. */
export interface ProfileHandlerDeps {
  files: Pick<FileRegistry, 'resolve'>
  profiles: ProfileService
  clouds: Pick<CloudConnector, 'test' | 'testDraft'>
}

export function profileHandlers(s: ProfileHandlerDeps) {
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
  return bindDomain('profiles', {
    state: async () => s.profiles.state(),
    // The *Confirmed variants ask the main-process confirmations (trust.ts) before anything is saved.
    create: (input) => s.profiles.createConfirmed(input),
    update: (id, input) => s.profiles.updateConfirmed(id, input),
    duplicate: async (id) => s.profiles.duplicate(id),
    remove: async (id) => {
      s.profiles.remove(id)
    },
    reorder: async (ids) => {
      s.profiles.reorder(ids)
    },
    setSecret: async (input) => s.profiles.setSecret(input),
    clearSecret: async (id) => s.profiles.clearSecret(id),
    test: (ctx) => s.clouds.test(ctx),
    testDraft: (draft) => s.clouds.testDraft(draft.input, draft.secret, draft.profileId, draft.region),
    importPreview: async (source) => s.profiles.importPreview(resolve(source)),
    importApply: (req) =>
      s.profiles.importApplyConfirmed(
        resolve(req.source),
        req.decisions.map((d) => {
          const out: { key: string; action: typeof d.action; saveSecret: boolean; newName?: string } = {
            key: d.key,
            action: d.action,
            saveSecret: d.saveSecret,
          }
          if (d.newName !== undefined) out.newName = d.newName
          return out
        }),
      ),
    exportCloudsYaml: async (ids, handle) => s.profiles.exportCloudsYaml(ids, s.files.resolve(handle, 'write')),
    exportOpenrc: async (id, handle) => exportOpenrc(s.profiles.get(id), s.files.resolve(handle, 'write')), // C4
    save: async (id) => s.profiles.save(id),
  })
}
