// STUB (to be replaced by the transfer engine)
import { AppError, type CommandChannel } from '../../preload/api'
import type { ServiceDeps } from '../services'
import type { PartialHandlers } from '../ipc/types'

type Ch = Extract<CommandChannel, `transfers:${string}`>
const todo = async (): Promise<never> => {
  throw new AppError({ code: 'INTERNAL', message: 'not implemented yet' })
}
export function transferHandlers(s: ServiceDeps): PartialHandlers<Ch> {
  return {
    'transfers:list': async () => s.transfers.list(),
    'transfers:download': todo,
    'transfers:pause': todo,
    'transfers:resume': todo,
    'transfers:cancel': todo,
    'transfers:retry': todo,
    'transfers:remove': todo,
    'transfers:runDraft': todo,
    'transfers:exportDrafts': todo,
    'transfers:importDrafts': todo,
  }
}
