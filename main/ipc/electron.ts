/**
 * Binds the handler map to Electron's ipcMain and forwards EventBus events to the app's window.
 * The only file under main/ipc that imports electron; kept thin and tested with a mocked electron.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import type { Result } from '../../preload/api'
import { COMMAND_CHANNELS } from '../../preload/contract/commands'
import { dispatch } from './dispatch'
import type { HandlerMap } from './types'
import type { EventBus } from '../events'

export interface BindOptions {
  /** true only for the app's own window, main frame, loaded from the app's own origin. */
  isTrustedSender(event: IpcMainInvokeEvent): boolean
  onError?: (channel: string, message: string) => void
}

export function bindIpcMain(ipcMain: IpcMain, handlers: HandlerMap, opts: BindOptions): () => void {
  for (const channel of COMMAND_CHANNELS) {
    ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!opts.isTrustedSender(event)) {
        opts.onError?.(channel, 'refused a call from a foreign sender')
        return { ok: false, error: { code: 'SENDER', message: 'Refused: the call did not come from the app window.' } }
      }
      return dispatch(handlers, channel, args, (c, e) => opts.onError?.(c, e.message))
    })
  }
  return () => {
    for (const channel of COMMAND_CHANNELS) ipcMain.removeHandler(channel)
  }
}

export function forwardEvents(bus: EventBus, target: () => WebContents | null): () => void {
  return bus.subscribe((event, payload) => {
    const wc = target()
    if (wc && !wc.isDestroyed()) wc.send(event, payload)
  })
}
