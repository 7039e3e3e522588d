/**
 * The sandboxed preload: exposes `window.api` (and nothing else) through contextBridge.
 * Bundled as CommonJS because a sandboxed preload cannot be an ES module.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { createApi } from './bridge'
import type { Transport } from './api'

const transport: Transport = {
  invoke: (channel, args) => ipcRenderer.invoke(channel, ...args),
  on: (channel, listener) => {
    // Strip the IpcRendererEvent: the renderer never sees `sender` or `ports`.
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload)
    ipcRenderer.on(channel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel, wrapped)
    }
  },
  pathForFile: (file) => {
    try {
      return webUtils.getPathForFile(file)
    } catch {
      return ''
    }
  },
}

contextBridge.exposeInMainWorld('api', createApi(transport))
