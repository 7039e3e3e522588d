import type { EventChannel, EventMap } from '../preload/api'

type Listener = (event: EventChannel, payload: unknown) => void

/** Main -> renderer events. Transports (ipcMain windows, harness sockets) subscribe; services emit. */
export class EventBus {
  private readonly listeners = new Set<Listener>()

  emit<E extends EventChannel>(event: E, payload: EventMap[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload)
      } catch {
        // a broken subscriber must not break the emitter
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
