// STUB (to be replaced by the OpenStack core implementation)
import { AppError, type CommandChannel } from '../../preload/api'
import type { ServiceDeps } from '../services'
import type { PartialHandlers } from '../ipc/types'

type Ch = Extract<CommandChannel, `images:${string}` | `volumes:${string}`>
const todo = async (): Promise<never> => {
  throw new AppError({ code: 'INTERNAL', message: 'not implemented yet' })
}
export function imageHandlers(s: ServiceDeps): PartialHandlers<Ch> {
  void s
  return {
    'images:list': todo,
    'images:get': todo,
    'images:create': todo,
    'images:update': todo,
    'images:delete': todo,
    'images:addTag': todo,
    'images:removeTag': todo,
    'images:deactivate': todo,
    'images:reactivate': todo,
    'images:members': todo,
    'images:share': todo,
    'images:unshare': todo,
    'images:setMemberStatus': todo,
    'images:capabilities': todo,
    'images:export': todo,
    'volumes:types': todo,
    'volumes:zones': todo,
    'volumes:create': todo,
  }
}
