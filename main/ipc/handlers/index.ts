import type { ServiceDeps } from '../../services'
import type { HandlerMap } from '../types'
import { appHandlers } from './app'
import { fileHandlers } from './files'
import { profileHandlers } from '../../profiles/handlers'
import { imageHandlers } from '../../images/handlers'
import { transferHandlers } from '../../transfers/handlers'

/** The one handler map. Each domain owns its handlers; this only merges them. */
export function createHandlers(s: ServiceDeps): HandlerMap {
  return {
    ...appHandlers(s),
    ...fileHandlers(s),
    ...profileHandlers(s),
    ...imageHandlers(s),
    ...transferHandlers(s),
  }
}
