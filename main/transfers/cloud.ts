/**
 * Adapts the OpenStack core's CloudClient (main/openstack: Session + GlanceClient, opened by the profiles' connector)
 * to the engine's port. Uploads take a token that outlives the request's start (Glance validates it only then) and
 * forget the token after a 401 so that the next attempt authenticates again.
 */
import { AppError } from '../../preload/api'
import type { CloudClient } from '../openstack/types'
import { buildCreateBody } from '../openstack/properties'
import type { CloudConnector } from '../profiles/connector'
import type { Connect, ImageMeta, TransferCloud } from './port'

export function cloudFromClient(client: CloudClient, profileId: string): TransferCloud {
  const g = client.glance
  const s = client.session
  const on401 = (e: unknown): never => {
    if (AppError.is(e) && e.status === 401) {
      s.invalidate()
      throw new AppError({ ...e.toJSON(), retryable: true }, { cause: e })
    }
    throw e
  }
  return {
    profileId,
    region: client.region,
    glance: {
      create: (body) => g.create(body),
      get: (id) => g.get(id),
      delete: (id) => g.delete(id),
      uploadData: async (id, body, size, o) => {
        await s.freshToken(undefined, o.signal)
        await g.uploadData(id, body, size, o.signal ? { signal: o.signal } : {}).catch(on401)
      },
      downloadData: async (id, o) => {
        const r = await g.downloadData(id, o).catch(on401)
        const headers: Record<string, string | undefined> = {}
        if (r.headers.contentLength !== undefined) headers['content-length'] = String(r.headers.contentLength)
        if (r.headers.contentMd5) headers['content-md5'] = r.headers.contentMd5
        if (r.headers.contentRange) headers['content-range'] = r.headers.contentRange
        return { status: r.status, stream: r.stream, headers, ...(r.requestId ? { requestId: r.requestId } : {}) }
      },
      importWebDownload: (id, uri) => g.webDownload(id, uri),
      importFailure: async (id, since) => {
        const tasks = await g.tasks(id).catch(() => [])
        const t = tasks.find((x) => x.status === 'failure' && (x.created_at ?? '') >= since.slice(0, 19))
        return t ? t.message || 'the import task failed' : undefined
      },
    },
    buildBody: (meta: ImageMeta) => {
      const input: Parameters<typeof buildCreateBody>[0] = { name: meta.name, fields: meta.fields, diskFormat: meta.diskFormat }
      if (meta.containerFormat) input.containerFormat = meta.containerFormat
      if (meta.tags) input.tags = meta.tags
      if (meta.properties) input.properties = meta.properties
      return { ...buildCreateBody(input, client.keys), ...(meta.extra ?? {}) }
    },
  }
}

/** The default Connect: the app's CloudConnector (profiles, secrets, sessions cached per profile and region). */
export function connectorConnect(clouds: CloudConnector): Connect {
  return async (ctx) => {
    const client = await clouds.client(ctx.region ? ctx : { profileId: ctx.profileId })
    return cloudFromClient(client, ctx.profileId)
  }
}
