/**
 * The copy:* and sync:* commands (declared, with their argument schemas, in preload/contract/commands/copy.ts): one
 * CopyService call each, over arguments the table's schemas already validated.
 */
import { bindDomain } from '../ipc/bind'
import type { CopyService } from './service'

/** What the copy:* and sync:* commands use. */
export interface CopyHandlerDeps {
  copy: CopyService
}

export function copyHandlers(s: CopyHandlerDeps) {
  return {
    ...bindDomain('copy', {
      plan: (req) => s.copy.plan(req),
      start: (req) => s.copy.start(req),
    }),
    ...bindDomain('sync', {
      plan: (req) => s.copy.syncPlan(req),
      apply: (req) => s.copy.syncApply(req),
    }),
  }
}
