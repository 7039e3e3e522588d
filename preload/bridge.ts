/**
 * Builds `window.api` over a Transport, method by method. Used by the Electron preload (ipcRenderer) and by the
 * browser harness bridge (WebSocket). Nothing but these methods is exposed: never the raw transport.
 */
import type { Api, CommandChannel, EventChannel, EventMap, Result, Transport, Unsubscribe } from './api'
import { EVENT_CHANNELS } from './api'

export function createApi(t: Transport): Api {
  const call = <T>(channel: CommandChannel, ...args: unknown[]): Promise<Result<T>> =>
    t.invoke(channel, args).then(
      (r) => r as Result<T>,
      (e: unknown) => ({
        ok: false as const,
        error: { code: 'INTERNAL' as const, message: e instanceof Error ? e.message : String(e) },
      }),
    )

  return {
    app: {
      info: () => call('app:info'),
      openExternal: (url) => call('app:openExternal', url),
      notices: () => call('app:notices'),
      exportDiagnostics: (fileHandle) => call('app:exportDiagnostics', fileHandle),
    },
    profiles: {
      state: () => call('profiles:state'),
      create: (input) => call('profiles:create', input),
      update: (id, input) => call('profiles:update', id, input),
      duplicate: (id) => call('profiles:duplicate', id),
      remove: (id) => call('profiles:remove', id),
      reorder: (ids) => call('profiles:reorder', ids),
      setSecret: (input) => call('profiles:setSecret', input),
      clearSecret: (id) => call('profiles:clearSecret', id),
      test: (ctx) => call('profiles:test', ctx),
      testDraft: (draft) => call('profiles:testDraft', draft),
      importPreview: (source) => call('profiles:importPreview', source),
      importApply: (request) => call('profiles:importApply', request),
      exportCloudsYaml: (ids, fileHandle) => call('profiles:exportCloudsYaml', ids, fileHandle),
      save: (id) => call('profiles:save', id),
    },
    images: {
      list: (ctx, query, cursor) => call('images:list', ctx, query, cursor),
      get: (ctx, id) => call('images:get', ctx, id),
      create: (ctx, input) => call('images:create', ctx, input),
      update: (ctx, id, input) => call('images:update', ctx, id, input),
      delete: (ctx, id, confirmed) => call('images:delete', ctx, id, confirmed),
      addTag: (ctx, id, tag) => call('images:addTag', ctx, id, tag),
      removeTag: (ctx, id, tag) => call('images:removeTag', ctx, id, tag),
      deactivate: (ctx, id, confirmed) => call('images:deactivate', ctx, id, confirmed),
      reactivate: (ctx, id) => call('images:reactivate', ctx, id),
      members: (ctx, id) => call('images:members', ctx, id),
      share: (ctx, id, projectId) => call('images:share', ctx, id, projectId),
      unshare: (ctx, id, projectId) => call('images:unshare', ctx, id, projectId),
      setMemberStatus: (ctx, id, status) => call('images:setMemberStatus', ctx, id, status),
      capabilities: (ctx) => call('images:capabilities', ctx),
      export: (ctx, request) => call('images:export', ctx, request),
    },
    volumes: {
      types: (ctx) => call('volumes:types', ctx),
      zones: (ctx) => call('volumes:zones', ctx),
      create: (ctx, input) => call('volumes:create', ctx, input),
    },
    files: {
      pickOpen: (purpose) => call('files:pickOpen', purpose),
      pickSave: (purpose, defaultName) => call('files:pickSave', purpose, defaultName),
      dropped: (file) => {
        const path = t.pathForFile(file)
        if (!path) {
          return Promise.resolve({
            ok: false as const,
            error: { code: 'FILE' as const, message: 'This file cannot be read from here; choose it with the file dialog.' },
          })
        }
        return call('files:dropped', path)
      },
      inspect: (fileHandle, declared) => call('files:inspect', fileHandle, declared),
    },
    transfers: {
      list: () => call('transfers:list'),
      download: (ctx, input) => call('transfers:download', ctx, input),
      pause: (jobId) => call('transfers:pause', jobId),
      resume: (jobId) => call('transfers:resume', jobId),
      cancel: (jobId) => call('transfers:cancel', jobId),
      retry: (jobId) => call('transfers:retry', jobId),
      remove: (jobId) => call('transfers:remove', jobId),
      runDraft: (jobId) => call('transfers:runDraft', jobId),
      exportDrafts: (ids, fileHandle) => call('transfers:exportDrafts', ids, fileHandle),
      importDrafts: (fileHandle) => call('transfers:importDrafts', fileHandle),
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): Unsubscribe {
      if (!(EVENT_CHANNELS as readonly string[]).includes(event)) throw new Error(`unknown event ${String(event)}`)
      if (typeof listener !== 'function') throw new Error('listener must be a function')
      return t.on(event, (payload) => listener(payload as EventMap[E]))
    },
  }
}
