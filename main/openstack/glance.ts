/**
 * Glance v2: discovery, listing (pager following `next`), CRUD through minimal JSON-patch, tags, (de)activation,
 * members, info endpoints, the import flows, status polling, and the raw data calls the transfer engine streams through.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError, type ImageQuery, type QuotaInfo, type StoreInfo } from '../../preload/api'
import type { Session, SessionRequest } from './session'
import { MAX_LIST_BODY } from './http'
import { CORE_ATTRIBUTES, READ_ONLY_ATTRIBUTES } from './properties'

/** Glance's JSON for one image, as the API returns it (the transfer engine's narrower view: RawImage, transfers/port.ts). */
export type GlanceImage = Record<string, unknown> & { id: string; status: string }

export const PATCH_CONTENT_TYPE = 'application/openstack-images-v2.1-json-patch'

export interface PatchOp {
  op: 'add' | 'replace' | 'remove'
  path: string
  value?: unknown
}

// ---------------------------------------------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------------------------------------------

/** A JSON pointer for a top-level key (RFC 6901 escaping). */
export function pointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * The minimal JSON-patch that turns image `oldImage` into `newImage` (both full attribute maps): `add` for new
 * keys, `replace` for changed values, `remove` for custom properties that disappeared (or are set to null/undefined).
 * Read-only and reserved (`os_glance*`) attributes are never touched; a key absent from the old image is never removed;
 * core attributes are never removed (a null core value is a `replace` with null, e.g. name).
 */
export function computePatch(oldImage: Record<string, unknown>, newImage: Record<string, unknown>): PatchOp[] {
  const ops: PatchOp[] = []
  const skip = (k: string) => READ_ONLY_ATTRIBUTES.has(k) || k.startsWith('os_glance')
  for (const [k, v] of Object.entries(newImage)) {
    if (skip(k)) continue
    const had = Object.prototype.hasOwnProperty.call(oldImage, k)
    if (v === undefined || v === null) {
      if (!had) continue
      if (CORE_ATTRIBUTES.has(k)) {
        if (oldImage[k] !== null) ops.push({ op: 'replace', path: pointer(k), value: null })
      } else ops.push({ op: 'remove', path: pointer(k) })
      continue
    }
    if (!had) ops.push({ op: 'add', path: pointer(k), value: v })
    else if (!same(oldImage[k], v)) ops.push({ op: 'replace', path: pointer(k), value: v })
  }
  for (const k of Object.keys(oldImage)) {
    if (skip(k) || CORE_ATTRIBUTES.has(k)) continue
    if (!Object.prototype.hasOwnProperty.call(newImage, k)) ops.push({ op: 'remove', path: pointer(k) })
  }
  return ops
}

/** Quotes one value for Glance's `in:` operator (values with commas or quotes are double-quoted). */
function inValue(v: string): string {
  return /[",]/.test(v) ? `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : v
}

function multi(values: string[]): string {
  return values.length === 1 ? values[0]! : `in:${values.map(inValue).join(',')}`
}

/** ImageQuery -> the query string of GET /v2/images (pure). */
export function buildListQuery(q: ImageQuery): URLSearchParams {
  const p = new URLSearchParams()
  if (q.limit !== undefined) p.set('limit', String(Math.min(1000, Math.max(1, Math.floor(q.limit)))))
  if (q.names && q.names.length) p.set('name', `in:${q.names.map(inValue).join(',')}`)
  else if (q.name) p.set('name', q.name)
  if (q.status && q.status.length) p.set('status', multi(q.status))
  if (q.visibility) p.set('visibility', q.visibility)
  if (q.memberStatus) p.set('member_status', q.memberStatus)
  for (const t of q.tags ?? []) p.append('tag', t)
  if (q.owner) p.set('owner', q.owner)
  if (q.protected !== undefined) p.set('protected', String(q.protected))
  if (q.diskFormat && q.diskFormat.length) p.set('disk_format', multi(q.diskFormat))
  if (q.osType) p.set('os_distro', q.osType)
  for (const [k, v] of Object.entries(q.properties ?? {})) {
    if (['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'tag'].includes(k)) {
      throw new AppError({ code: 'VALIDATION', message: `"${k}" cannot be used as a property filter.` })
    }
    p.append(k, v)
  }
  if (q.sizeMin !== undefined) p.set('size_min', String(q.sizeMin))
  if (q.sizeMax !== undefined) p.set('size_max', String(q.sizeMax))
  if (q.createdAfter) p.append('created_at', `gt:${q.createdAfter}`)
  if (q.createdBefore) p.append('created_at', `lt:${q.createdBefore}`)
  if (q.updatedAfter) p.append('updated_at', `gt:${q.updatedAfter}`)
  if (q.updatedBefore) p.append('updated_at', `lt:${q.updatedBefore}`)
  // Glance v2 dropped `changes-since` (400 "no longer available"); updated_at=gte: is its replacement.
  if (q.changesSince) p.append('updated_at', `gte:${q.changesSince}`)
  if (q.sort && q.sort.length) p.set('sort', q.sort.map((s) => `${s.key}:${s.dir}`).join(','))
  return p
}

/** Checks an opaque list cursor (Glance's `next` link) so that it can only ever address the image list. */
export function checkCursor(cursor: string): string {
  if (!/^\/v2\/images\?[^#\s]*$/.test(cursor) || cursor.includes('..')) {
    throw new AppError({ code: 'VALIDATION', message: 'Invalid list cursor.' })
  }
  return cursor
}

/** Strips a version suffix from an image endpoint (`…/v2` -> root). */
export function glanceRoot(endpoint: string): string {
  return endpoint.replace(/\/+$/, '').replace(/\/v2(\.\d+)?$/, '')
}

/** The import methods / stores a create response header lists. */
export function parseHeaderList(h: string | string[] | undefined): string[] {
  const v = Array.isArray(h) ? h.join(',') : h
  return v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : []
}

// ---------------------------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------------------------

export interface CallOptions {
  signal?: AbortSignal
}

export interface ImagePageRaw {
  images: GlanceImage[]
  next?: string
  requestId?: string
}

export interface Member {
  image_id: string
  member_id: string
  status: 'pending' | 'accepted' | 'rejected'
  created_at: string
  updated_at: string
}

export interface Task {
  id: string
  type?: string
  status: string
  message?: string
  created_at?: string
  updated_at?: string
}

export interface ImportOptions extends CallOptions {
  stores?: string[]
  allStores?: boolean
  allStoresMustSucceed?: boolean
}

export interface ImageDataResponse {
  status: number
  stream: Readable
  headers: { contentLength?: number; contentMd5?: string; contentRange?: string }
  requestId?: string
}

export interface WaitOptions extends CallOptions {
  /** ISO time the import was started; import tasks that failed after it end the wait with IMPORT_FAILED. */
  since?: string
  timeoutMs?: number
  intervalMs?: number
  /** Called on every poll. */
  onPoll?: (image: GlanceImage) => void
}

export class GlanceClient {
  private root: string | undefined

  constructor(
    readonly session: Session,
    readonly region: string,
  ) {}

  /** The Glance root URL for this region (authenticating when needed). Throws NO_ENDPOINT. */
  async baseUrl(signal?: AbortSignal): Promise<string> {
    if (!this.root) this.root = glanceRoot(await this.session.endpointFor('image', this.region, signal))
    return this.root
  }

  private async call<T>(
    method: string,
    path: string,
    init: Omit<SessionRequest, 'method' | 'url'> = {},
  ): Promise<{ body: T; headers: IncomingHttpHeaders; status: number; requestId?: string }> {
    const url = `${await this.baseUrl(init.signal)}${path}`
    const res = await this.session.request<T>({ ...init, method, url })
    const out: { body: T; headers: IncomingHttpHeaders; status: number; requestId?: string } = {
      body: res.body,
      headers: res.headers,
      status: res.status,
    }
    if (res.requestId) out.requestId = res.requestId
    return out
  }

  private opt(o?: CallOptions): { signal?: AbortSignal } {
    return o?.signal ? { signal: o.signal } : {}
  }

  // -- discovery ---------------------------------------------------------------------------------------------

  /** GET /versions: the CURRENT version id (e.g. v2.16) and all versions. */
  async versions(o?: CallOptions): Promise<{ current?: string; versions: { id: string; status: string }[] }> {
    const r = await this.call<{ versions?: { id: string; status: string }[] }>('GET', '/versions', { ...this.opt(o), noAuth: true })
    const versions = (r.body?.versions ?? []).map((v) => ({ id: v.id, status: v.status }))
    const current = versions.find((v) => v.status === 'CURRENT')?.id
    return current ? { current, versions } : { versions }
  }

  async importInfo(o?: CallOptions): Promise<string[]> {
    const r = await this.call<{ 'import-methods'?: { value?: string[] } }>('GET', '/v2/info/import', this.opt(o))
    return r.body?.['import-methods']?.value ?? []
  }

  /** GET /v2/info/stores; an empty list when the cloud has no multi-store (404/410). */
  async stores(o?: CallOptions): Promise<StoreInfo[]> {
    try {
      const r = await this.call<{ stores?: { id: string; description?: string; default?: boolean }[] }>('GET', '/v2/info/stores', this.opt(o))
      return (r.body?.stores ?? []).map((s) => {
        const out: StoreInfo = { id: s.id }
        if (s.description) out.description = s.description
        if (s.default) out.default = true
        return out
      })
    } catch (e) {
      if (AppError.is(e) && (e.status === 404 || e.status === 410 || e.status === 400)) return []
      throw e
    }
  }

  /** GET /v2/info/usage (quota usage); undefined when this Glance has no such call. */
  async usage(o?: CallOptions): Promise<QuotaInfo | undefined> {
    try {
      const r = await this.call<{ usage?: QuotaInfo }>('GET', '/v2/info/usage', this.opt(o))
      const u = r.body?.usage
      // An empty object means the cloud enforces no (unified) limits.
      return u && Object.keys(u).length ? u : undefined
    } catch (e) {
      if (AppError.is(e, 'NOT_FOUND')) return undefined
      throw e
    }
  }

  async schema(o?: CallOptions): Promise<Record<string, unknown>> {
    return (await this.call<Record<string, unknown>>('GET', '/v2/schemas/image', this.opt(o))).body
  }

  // -- listing -------------------------------------------------------------------------------------------------

  /** One page: from the query, or from a cursor (Glance's `next` link) returned by a previous page. */
  async listPage(query: ImageQuery, cursor?: string, o?: CallOptions): Promise<ImagePageRaw> {
    const path = cursor ? checkCursor(cursor) : `/v2/images?${buildListQuery(query).toString()}`
    // B2: a list page may be large (many images with their properties); other JSON keeps the 1 MiB default
    const r = await this.call<{ images?: GlanceImage[]; next?: string }>('GET', path, { ...this.opt(o), maxBodyBytes: MAX_LIST_BODY })
    const images = r.body?.images ?? []
    const out: ImagePageRaw = { images }
    // A page that came back empty ends the list even when Glance still offers a `next`.
    if (r.body?.next && images.length > 0) out.next = r.body.next
    if (r.requestId) out.requestId = r.requestId
    return out
  }

  /** Every image matching the query, page by page (following `next`, stopping on the empty page). */
  async *list(query: ImageQuery = {}, o?: CallOptions): AsyncGenerator<GlanceImage, void, undefined> {
    let page = await this.listPage(query, undefined, o)
    const seen = new Set<string>()
    for (;;) {
      for (const img of page.images) yield img
      if (!page.next || seen.has(page.next)) return
      seen.add(page.next)
      page = await this.listPage(query, page.next, o)
    }
  }

  // -- images --------------------------------------------------------------------------------------------------

  async get(id: string, o?: CallOptions): Promise<GlanceImage> {
    return (await this.call<GlanceImage>('GET', `/v2/images/${enc(id)}`, this.opt(o))).body
  }

  /** POST /v2/images. Also returns the import methods and stores the response headers announce. */
  async create(body: Record<string, unknown>, o?: CallOptions): Promise<GlanceImage & { _importMethods?: string[]; _stores?: string[] }> {
    const r = await this.call<GlanceImage>('POST', '/v2/images', { ...this.opt(o), json: body })
    return r.body
  }

  /** Like create, with the announced import methods and stores. */
  async createWithInfo(body: Record<string, unknown>, o?: CallOptions): Promise<{ image: GlanceImage; importMethods: string[]; stores: string[] }> {
    const r = await this.call<GlanceImage>('POST', '/v2/images', { ...this.opt(o), json: body })
    return {
      image: r.body,
      importMethods: parseHeaderList(r.headers['openstack-image-import-methods']),
      stores: parseHeaderList(r.headers['openstack-image-store-ids']),
    }
  }

  /** PATCH with the given operations (no request when there are none: returns the image as it is). */
  async patch(id: string, ops: PatchOp[], o?: CallOptions): Promise<GlanceImage> {
    if (ops.length === 0) return this.get(id, o)
    const r = await this.call<GlanceImage>('PATCH', `/v2/images/${enc(id)}`, {
      ...this.opt(o),
      body: Buffer.from(JSON.stringify(ops)),
      contentType: PATCH_CONTENT_TYPE,
    })
    return r.body
  }

  /** Updates `oldImage` to `newImage` through the minimal patch. */
  async update(oldImage: GlanceImage, newImage: Record<string, unknown>, o?: CallOptions): Promise<GlanceImage> {
    return this.patch(oldImage.id, computePatch(oldImage, newImage), o)
  }

  async delete(id: string, o?: CallOptions): Promise<void> {
    await this.call('DELETE', `/v2/images/${enc(id)}`, { ...this.opt(o), responseType: 'none' })
  }

  /**
   * Tags are written through a JSON patch of `/tags`, never `PUT /v2/images/{id}/tags/{tag}`: this Glance decodes
   * the tag in that URL as Latin-1 (生产 was stored as "ç\x94\x9fäº§" and could then not be removed), while the
   * patch body keeps UTF-8. One read, one `replace /tags` with the new list, and the answer is checked: every added
   * tag is there and no removed one is (BAD_RESPONSE, reason `tagsNotSaved`, otherwise). A concurrent edit between
   * the read and the patch is lost, as with any read-modify-write on Glance (it has no If-Match).
   */
  async editTags(id: string, change: { add: string[]; remove: string[] }, o?: CallOptions): Promise<{ image: GlanceImage; tags: string[] }> {
    const wide = change.add.find(hasFourByteChar)
    if (wide !== undefined) {
      throw new AppError({
        code: 'VALIDATION',
        message: `Glance cannot store the tag "${wide}": it refuses characters outside the Basic Multilingual Plane (4-byte UTF-8, e.g. most emoji).`,
        details: { reason: 'tagFourByte', params: { tag: wide } },
      })
    }
    const img = await this.get(id, o)
    const old = tagsOf(img)
    const remove = new Set(change.remove)
    const next = old.filter((t) => !remove.has(t))
    for (const t of change.add) if (!remove.has(t) && !next.includes(t)) next.push(t)
    if (next.length === old.length && next.every((t, i) => t === old[i])) return { image: img, tags: old }
    const after = await this.patch(id, [{ op: 'replace', path: '/tags', value: next }], o)
    const stored = tagsOf(after)
    const missing = change.add.filter((t) => !remove.has(t) && !stored.includes(t))
    const kept = change.remove.filter((t) => stored.includes(t))
    if (missing.length || kept.length) {
      throw new AppError({
        code: 'BAD_RESPONSE',
        message: `Glance did not store the tags as sent on image ${id} (missing: ${missing.join(', ') || '-'}; not removed: ${kept.join(', ') || '-'}).`,
        details: { reason: 'tagsNotSaved', params: { imageId: id, missing: missing.join(', '), notRemoved: kept.join(', ') } },
      })
    }
    return { image: after, tags: stored }
  }

  /** Adds one tag (idempotent), through the `/tags` patch. */
  async addTag(id: string, tag: string, o?: CallOptions): Promise<void> {
    await this.editTags(id, { add: [tag], remove: [] }, o)
  }

  /** Removes one tag; NOT_FOUND when the image does not have it (as Glance's DELETE of a missing tag). */
  async removeTag(id: string, tag: string, o?: CallOptions): Promise<void> {
    const img = await this.get(id, o)
    if (!tagsOf(img).includes(tag)) {
      throw new AppError({
        code: 'NOT_FOUND',
        status: 404,
        message: `Image ${id} has no tag "${tag}".`,
        details: { reason: 'tagNotFound', params: { imageId: id, tag } },
      })
    }
    await this.editTags(id, { add: [], remove: [tag] }, o)
  }

  async deactivate(id: string, o?: CallOptions): Promise<void> {
    await this.call('POST', `/v2/images/${enc(id)}/actions/deactivate`, { ...this.opt(o), responseType: 'none' })
  }

  async reactivate(id: string, o?: CallOptions): Promise<void> {
    await this.call('POST', `/v2/images/${enc(id)}/actions/reactivate`, { ...this.opt(o), responseType: 'none' })
  }

  // -- members -------------------------------------------------------------------------------------------------

  async members(id: string, o?: CallOptions): Promise<Member[]> {
    return (await this.call<{ members?: Member[] }>('GET', `/v2/images/${enc(id)}/members`, this.opt(o))).body?.members ?? []
  }

  async addMember(id: string, projectId: string, o?: CallOptions): Promise<Member> {
    return (await this.call<Member>('POST', `/v2/images/${enc(id)}/members`, { ...this.opt(o), json: { member: projectId } })).body
  }

  async getMember(id: string, projectId: string, o?: CallOptions): Promise<Member> {
    return (await this.call<Member>('GET', `/v2/images/${enc(id)}/members/${enc(projectId)}`, this.opt(o))).body
  }

  /** The consumer accepts / rejects (or resets to pending) a shared image. */
  async setMemberStatus(id: string, projectId: string, status: Member['status'], o?: CallOptions): Promise<Member> {
    return (await this.call<Member>('PUT', `/v2/images/${enc(id)}/members/${enc(projectId)}`, { ...this.opt(o), json: { status } })).body
  }

  async removeMember(id: string, projectId: string, o?: CallOptions): Promise<void> {
    await this.call('DELETE', `/v2/images/${enc(id)}/members/${enc(projectId)}`, { ...this.opt(o), responseType: 'none' })
  }

  // -- import flows ----------------------------------------------------------------------------------------------

  /** POST /v2/images/{id}/import with a method body. */
  async importImage(id: string, method: Record<string, unknown> & { name: string }, o: ImportOptions = {}): Promise<void> {
    const body: Record<string, unknown> = { method }
    if (o.stores) body.stores = o.stores
    if (o.allStores) body.all_stores = true
    if (o.allStoresMustSucceed !== undefined) body.all_stores_must_succeed = o.allStoresMustSucceed
    await this.call('POST', `/v2/images/${enc(id)}/import`, { ...this.opt(o), json: body, responseType: 'none' })
  }

  async webDownload(id: string, uri: string, o: ImportOptions = {}): Promise<void> {
    await this.importImage(id, { name: 'web-download', uri }, o)
  }

  /** PUT /v2/images/{id}/stage (the glance-direct first half). */
  async stage(id: string, body: Readable | Buffer, size: number | undefined, o?: CallOptions): Promise<void> {
    const req: Omit<SessionRequest, 'method' | 'url'> = { ...this.opt(o), body, contentType: 'application/octet-stream', responseType: 'none' }
    if (size !== undefined) {
      req.contentLength = size
      req.headers = { 'x-openstack-image-size': size }
    }
    await this.call('PUT', `/v2/images/${enc(id)}/stage`, req)
  }

  async glanceDirect(id: string, o: ImportOptions = {}): Promise<void> {
    await this.importImage(id, { name: 'glance-direct' }, o)
  }

  /** copy-image: copies an active image into more stores of the same Glance. */
  async copyImage(id: string, stores: string[], o: ImportOptions = {}): Promise<void> {
    await this.importImage(id, { name: 'copy-image' }, { ...o, stores })
  }

  /**
   * Polls until the image reaches one of `statuses`. Fails with IMPORT_FAILED when `os_glance_failed_import` names a
   * store, or when the image ends `killed`/`deleted` (or back to `queued` after an import started), and with TIMEOUT
   * when the time runs out.
   */
  async waitForStatus(id: string, statuses: string[], o: WaitOptions = {}): Promise<GlanceImage> {
    const deadline = Date.now() + (o.timeoutMs ?? 600_000)
    let interval = o.intervalMs ?? 1000
    let sawImport = false
    for (;;) {
      const img = await this.get(id, o)
      o.onPoll?.(img)
      if (statuses.includes(img.status)) {
        const failed = failedImportStores(img)
        if (failed.length && !statuses.includes('queued')) throw importFailed(img, failed)
        return img
      }
      const failed = failedImportStores(img)
      if (failed.length) throw importFailed(img, failed)
      if (img.status === 'importing') sawImport = true
      if (img.status === 'killed' || img.status === 'deleted' || img.status === 'pending_delete') {
        throw new AppError({
          code: 'IMPORT_FAILED',
          message: `Image ${id} ended ${img.status}.`,
          details: { imageId: id, status: img.status, reason: 'imageEnded', params: { imageId: id, status: img.status } },
        })
      }
      if (img.status === 'queued' && !statuses.includes('queued') && (o.since || sawImport)) {
        // A failed import puts the image back to queued; its task says why.
        const task = await this.latestTask(id, o).catch(() => undefined)
        if (task && task.status === 'failure' && (!o.since || (task.created_at ?? '') >= o.since)) {
          throw new AppError({
            code: 'IMPORT_FAILED',
            message: `The import of image ${id} failed: ${task.message || 'no reason given'}`,
            details: { imageId: id, status: img.status, taskId: task.id, reason: 'taskFailed', params: { imageId: id, server: task.message || '' } },
          })
        }
      }
      if (sawImport && img.status === 'queued' && !statuses.includes('queued')) {
        throw new AppError({
          code: 'IMPORT_FAILED',
          message: `The import of image ${id} failed: the image went back to queued.`,
          details: { imageId: id, status: img.status, reason: 'backToQueued', params: { imageId: id } },
        })
      }
      if (Date.now() >= deadline) {
        throw new AppError({
          code: 'TIMEOUT',
          message: `Image ${id} is still ${img.status} after ${Math.round((o.timeoutMs ?? 600_000) / 1000)} s (waiting for ${statuses.join('/')}).`,
          retryable: true,
          details: { imageId: id, status: img.status },
        })
      }
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), undefined, o.signal ? { signal: o.signal } : {}).catch((e: unknown) => {
        throw new AppError({ code: 'CANCELLED', message: 'Cancelled.' }, { cause: e })
      })
      interval = Math.min(interval * 1.5, 10_000)
    }
  }

  /** GET /v2/images/{id}/tasks (Glance 2.12+): the tasks run for this image, newest first. */
  async tasks(id: string, o?: CallOptions): Promise<Task[]> {
    const r = await this.call<{ tasks?: Task[] }>('GET', `/v2/images/${enc(id)}/tasks`, this.opt(o))
    return [...(r.body?.tasks ?? [])].sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''))
  }

  private async latestTask(id: string, o?: CallOptions): Promise<Task | undefined> {
    return (await this.tasks(id, o))[0]
  }

  // -- raw data (the transfer engine streams through these) ------------------------------------------------------

  /**
   * PUT /v2/images/{id}/file with Content-Length and x-openstack-image-size. The body is a stream and is not
   * replayable: get a fresh token first (`session.freshToken()`); a 401 surfaces as AUTH_FAILED.
   */
  async uploadData(id: string, body: Readable, size: number, o: CallOptions & { idleTimeoutMs?: number } = {}): Promise<{ requestId?: string }> {
    const req: Omit<SessionRequest, 'method' | 'url'> = {
      ...this.opt(o),
      body,
      contentLength: size,
      contentType: 'application/octet-stream',
      headers: { 'x-openstack-image-size': size },
      responseType: 'none',
    }
    if (o.idleTimeoutMs) req.idleTimeoutMs = o.idleTimeoutMs
    const r = await this.call('PUT', `/v2/images/${enc(id)}/file`, req)
    return r.requestId ? { requestId: r.requestId } : {}
  }

  /** GET /v2/images/{id}/file as a stream; `range.start` asks for the rest from that offset (206 when honoured). */
  async downloadData(id: string, o: CallOptions & { range?: { start: number }; idleTimeoutMs?: number } = {}): Promise<ImageDataResponse> {
    const headers: Record<string, string> = { accept: 'application/octet-stream' }
    if (o.range && o.range.start > 0) headers.range = `bytes=${o.range.start}-`
    // rawBody: the body may be read straight into the download's write slots (raw-get.ts)
    const req: Omit<SessionRequest, 'method' | 'url'> = { ...this.opt(o), headers, responseType: 'stream', rawBody: true }
    if (o.idleTimeoutMs) req.idleTimeoutMs = o.idleTimeoutMs
    const url = `${await this.baseUrl(o.signal)}/v2/images/${enc(id)}/file`
    const res = await this.session.request({ ...req, method: 'GET', url })
    const h = res.headers
    const out: ImageDataResponse = { status: res.status, stream: res.stream!, headers: {} }
    if (h['content-length'] !== undefined) out.headers.contentLength = Number(h['content-length'])
    if (typeof h['content-md5'] === 'string') out.headers.contentMd5 = h['content-md5']
    if (typeof h['content-range'] === 'string') out.headers.contentRange = h['content-range']
    if (res.requestId) out.requestId = res.requestId
    return out
  }
}

/** Whether a string has a character Glance refuses in a parameter ("Param values can't contain 4 byte unicode"). */
export function hasFourByteChar(s: string): boolean {
  for (const ch of s) if (ch.codePointAt(0)! > 0xffff) return true
  return false
}

/** An image's tags (an empty list when Glance sends none). */
export function tagsOf(img: Record<string, unknown>): string[] {
  return Array.isArray(img.tags) ? img.tags.filter((t): t is string => typeof t === 'string') : []
}

function enc(s: string): string {
  return encodeURIComponent(s)
}

/** The stores listed in `os_glance_failed_import` (empty when none). */
export function failedImportStores(img: Record<string, unknown>): string[] {
  const v = img.os_glance_failed_import
  return typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : []
}

function importFailed(img: GlanceImage, stores: string[]): AppError {
  return new AppError({
    code: 'IMPORT_FAILED',
    message: `The import of image ${img.id} failed for store(s) ${stores.join(', ')} (status ${img.status}).`,
    details: {
      imageId: img.id,
      status: img.status,
      stores,
      reason: 'storesFailed',
      params: { imageId: img.id, status: img.status, stores: stores.join(', ') },
    },
  })
}
