/**
 * The browser harness's `window.api`: the same createApi as the Electron preload, over a WebSocket to the harness
 * (web/harness.ts). Built as a browser ES module to out/web/bridge.js and injected before the app's script.
 *
 * Authentication: the page was opened with `?token=SECRET`, which set an HttpOnly cookie that the browser sends
 * with the WebSocket upgrade too; the token from the URL (kept in sessionStorage for reloads after the router
 * drops the query) is added to the socket URL as well. Requests are correlated by id; the socket reconnects with
 * backoff, and calls in flight when it drops resolve to a retryable NETWORK error.
 */
import { createApi } from '../preload/bridge'
import { encodeRequest } from './wire'
import type { Api, AppErrorData, CommandChannel, EventChannel, Result, Transport, Unsubscribe } from '../preload/api'

const TOKEN_KEY = 'glance-harness-token'

function harnessToken(): string | null {
  const fromUrl = new URLSearchParams(location.search).get('token')
  try {
    if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl)
    return fromUrl ?? sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return fromUrl
  }
}

interface Pending {
  resolve(r: Result<unknown>): void
}

function lost(message: string): Result<unknown> {
  const error: AppErrorData = { code: 'NETWORK', message, retryable: true }
  return { ok: false, error }
}

function wsTransport(): Transport {
  const token = harnessToken()
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/__harness/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`
  const pending = new Map<number, Pending>()
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>()
  const outbox: string[] = []
  let nextId = 1
  let socket: WebSocket | null = null
  let delay = 250

  const connect = (): void => {
    const ws = new WebSocket(url)
    socket = ws
    ws.addEventListener('open', () => {
      delay = 250
      while (outbox.length && ws.readyState === WebSocket.OPEN) ws.send(outbox.shift()!)
    })
    ws.addEventListener('message', (e: MessageEvent) => {
      let msg: { id?: number; result?: Result<unknown>; event?: EventChannel; payload?: unknown }
      try {
        msg = JSON.parse(String(e.data)) as typeof msg
      } catch {
        return
      }
      if (typeof msg.id === 'number') {
        const p = pending.get(msg.id)
        pending.delete(msg.id)
        p?.resolve(msg.result ?? lost('Empty answer from the harness.'))
      } else if (msg.event) {
        for (const l of listeners.get(msg.event) ?? []) {
          try {
            l(msg.payload)
          } catch (err) {
            console.error(err)
          }
        }
      }
    })
    ws.addEventListener('close', () => {
      if (socket === ws) socket = null
      for (const [id, p] of pending) {
        pending.delete(id)
        p.resolve(lost('Lost the connection to the harness; try again.'))
      }
      setTimeout(connect, delay)
      delay = Math.min(delay * 2, 5000)
    })
  }
  connect()

  return {
    invoke(channel: CommandChannel, args: unknown[]): Promise<unknown> {
      return new Promise((resolve) => {
        const id = nextId++
        pending.set(id, { resolve })
        const frame = encodeRequest(id, channel, args)
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame)
        else outbox.push(frame)
      })
    },
    on(channel: EventChannel, listener: (payload: unknown) => void): Unsubscribe {
      let set = listeners.get(channel)
      if (!set) listeners.set(channel, (set = new Set()))
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
    // A browser never reveals a dropped file's path.
    pathForFile: () => '',
  }
}

const api: Api = createApi(wsTransport())
api.files.dropped = async () => ({
  ok: false,
  error: {
    code: 'FILE',
    message: 'The browser cannot tell the app where a dropped file is. Choose the file with the file dialog instead.',
  },
})
Object.defineProperty(window, 'api', { value: Object.freeze(api), writable: false, configurable: false, enumerable: true })
