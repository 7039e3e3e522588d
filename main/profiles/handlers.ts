// STUB (to be replaced by the profiles implementation)
import { AppError, type CommandChannel } from '../../preload/api'
import type { ServiceDeps } from '../services'
import type { PartialHandlers } from '../ipc/types'

type Ch = Extract<CommandChannel, `profiles:${string}`>
const todo = async (): Promise<never> => {
  throw new AppError({ code: 'INTERNAL', message: 'not implemented yet' })
}
export function profileHandlers(s: ServiceDeps): PartialHandlers<Ch> {
  void s
  return {
    'profiles:state': async () => s.profiles.state(),
    'profiles:create': todo,
    'profiles:update': todo,
    'profiles:duplicate': todo,
    'profiles:remove': todo,
    'profiles:reorder': todo,
    'profiles:setSecret': todo,
    'profiles:clearSecret': todo,
    'profiles:test': todo,
    'profiles:importPreview': todo,
    'profiles:importApply': todo,
    'profiles:exportCloudsYaml': todo,
    'profiles:save': todo,
  }
}
