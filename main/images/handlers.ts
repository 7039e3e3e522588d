/**
 * images:* and volumes:* handlers: validate every raw argument with zod, call the ImageService.
 */
import { z } from 'zod'
import { DISK_FORMATS, IMAGE_STATUSES, OS_TYPES, type CommandChannel } from '../../preload/api'
import type { ServiceDeps } from '../services'
import type { PartialHandlers } from '../ipc/types'
import { FORBIDDEN_KEYS, parseArgs, zCloudContext, zConsoleFields, zHandle, zId } from '../ipc/validate'

type Ch = Extract<CommandChannel, `images:${string}` | `volumes:${string}`>

const zImageId = zId
const zProjectId = z.string().min(1).max(64).regex(/^[\w-]+$/, 'must be a project id')
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const noControl = (s: string): boolean => !/[\u0000-\u001f\u007f]/.test(s)
/** An image name: what Glance takes (<= 255), without control characters (they break logs, CSV, file names). */
const zName = z.string().min(1).max(255).refine(noControl, 'must not contain control characters')
const zTag = z
  .string()
  .min(1)
  .max(255)
  .refine((t) => !t.includes('/'), 'a tag cannot contain "/"')
  .refine(noControl, 'must not contain control characters')
const zPropKey = z.string().min(1).max(255).refine((k) => !FORBIDDEN_KEYS.has(k), 'is not a usable property key')
const zPropValue = z.string().max(65_535)
const zIso = z.string().min(1).max(64).regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO date/time')
const zVisibility = z.enum(['public', 'private', 'shared', 'community'])


export const zImageQuery = z.strictObject({
  name: z.string().max(255).optional(),
  names: z.array(z.string().max(255)).max(100).optional(),
  status: z.array(z.enum(IMAGE_STATUSES)).max(20).optional(),
  visibility: z.enum(['public', 'private', 'shared', 'community', 'all']).optional(),
  tags: z.array(zTag).max(50).optional(),
  owner: z.string().max(255).optional(),
  protected: z.boolean().optional(),
  diskFormat: z.array(z.string().max(32)).max(20).optional(),
  osType: z.enum(OS_TYPES).optional(),
  properties: z.record(zPropKey, zPropValue).optional(),
  sizeMin: z.number().int().min(0).optional(),
  sizeMax: z.number().int().min(0).optional(),
  createdAfter: zIso.optional(),
  createdBefore: zIso.optional(),
  updatedAfter: zIso.optional(),
  updatedBefore: zIso.optional(),
  changesSince: zIso.optional(),
  sort: z
    .array(z.strictObject({ key: z.string().min(1).max(64).regex(/^[\w.-]+$/), dir: z.enum(['asc', 'desc']) }))
    .max(10)
    .optional(),
  limit: z.number().int().min(1).max(1000).optional(),
})

const zCursor = z.string().max(8192).regex(/^\/v2\/images\?/, 'must be a list cursor')

const zSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('file'), fileHandle: zHandle }),
  z.strictObject({
    kind: z.literal('url'),
    url: z
      .string()
      .max(4096)
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
  }),
  z.strictObject({ kind: z.literal('none') }),
])

export const zImageCreateInput = z.strictObject({
  name: zName,
  fields: zConsoleFields,
  diskFormat: z.enum([...DISK_FORMATS, 'auto']),
  containerFormat: z.string().min(1).max(32).optional(),
  tags: z.array(zTag).max(128).optional(),
  properties: z.record(zPropKey, zPropValue).optional(),
  source: zSource,
  draft: z.boolean().optional(),
})

export const zImageUpdateInput = z.strictObject({
  name: zName.optional(),
  fields: zConsoleFields.partial().optional(),
  properties: z.record(zPropKey, zPropValue.nullable()).optional(),
  confirmed: z.boolean().optional(),
})

export const zExportRequest = z.strictObject({
  format: z.enum(['csv', 'xlsx']),
  scope: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('ids'), ids: z.array(zImageId).max(10_000) }),
    z.strictObject({ kind: z.literal('query'), query: zImageQuery }),
  ]),
  columns: z.array(z.string().min(1).max(255)).max(200),
  locale: z.enum(['zh-CN', 'en']),
  fileHandle: zHandle,
})

export const zVolumeCreateInput = z.strictObject({
  imageId: zImageId,
  name: z.string().max(255),
  sizeGiB: z.number().int().min(1).max(1_000_000),
  volumeType: z.string().min(1).max(255).optional(),
  availabilityZone: z.string().min(1).max(255).optional(),
  description: z.string().max(65_535).optional(),
})

void zVisibility

export function imageHandlers(s: ServiceDeps): PartialHandlers<Ch> {
  const img = s.images
  return {
    'images:list': async (...a) => {
      const [ctx, query, cursor] = parseArgs('images:list', [zCloudContext, zImageQuery, zCursor.optional()], a)
      return img.list(ctx, query, cursor)
    },
    'images:get': async (...a) => {
      const [ctx, id] = parseArgs('images:get', [zCloudContext, zImageId], a)
      return img.get(ctx, id)
    },
    'images:create': async (...a) => {
      const [ctx, input] = parseArgs('images:create', [zCloudContext, zImageCreateInput], a)
      return img.create(ctx, input)
    },
    'images:update': async (...a) => {
      const [ctx, id, input] = parseArgs('images:update', [zCloudContext, zImageId, zImageUpdateInput], a)
      return img.update(ctx, id, input)
    },
    'images:delete': async (...a) => {
      const [ctx, id, confirmed] = parseArgs('images:delete', [zCloudContext, zImageId, z.boolean().optional()], a)
      return img.delete(ctx, id, confirmed)
    },
    'images:addTag': async (...a) => {
      const [ctx, id, tag] = parseArgs('images:addTag', [zCloudContext, zImageId, zTag], a)
      return img.addTag(ctx, id, tag)
    },
    'images:removeTag': async (...a) => {
      const [ctx, id, tag] = parseArgs('images:removeTag', [zCloudContext, zImageId, zTag], a)
      return img.removeTag(ctx, id, tag)
    },
    'images:deactivate': async (...a) => {
      const [ctx, id, confirmed] = parseArgs('images:deactivate', [zCloudContext, zImageId, z.boolean().optional()], a)
      return img.deactivate(ctx, id, confirmed)
    },
    'images:reactivate': async (...a) => {
      const [ctx, id] = parseArgs('images:reactivate', [zCloudContext, zImageId], a)
      return img.reactivate(ctx, id)
    },
    'images:members': async (...a) => {
      const [ctx, id] = parseArgs('images:members', [zCloudContext, zImageId], a)
      return img.members(ctx, id)
    },
    'images:share': async (...a) => {
      const [ctx, id, project] = parseArgs('images:share', [zCloudContext, zImageId, zProjectId], a)
      return img.share(ctx, id, project)
    },
    'images:unshare': async (...a) => {
      const [ctx, id, project] = parseArgs('images:unshare', [zCloudContext, zImageId, zProjectId], a)
      return img.unshare(ctx, id, project)
    },
    'images:setMemberStatus': async (...a) => {
      const [ctx, id, status] = parseArgs('images:setMemberStatus', [zCloudContext, zImageId, z.enum(['accepted', 'rejected', 'pending'])], a)
      return img.setMemberStatus(ctx, id, status)
    },
    'images:capabilities': async (...a) => {
      const [ctx] = parseArgs('images:capabilities', [zCloudContext], a)
      return img.capabilities(ctx)
    },
    'images:export': async (...a) => {
      const [ctx, req] = parseArgs('images:export', [zCloudContext, zExportRequest], a)
      return img.export(ctx, req)
    },
    'volumes:types': async (...a) => {
      const [ctx] = parseArgs('volumes:types', [zCloudContext], a)
      return img.volumeTypes(ctx)
    },
    'volumes:zones': async (...a) => {
      const [ctx] = parseArgs('volumes:zones', [zCloudContext], a)
      return img.zones(ctx)
    },
    'volumes:create': async (...a) => {
      const [ctx, input] = parseArgs('volumes:create', [zCloudContext, zVolumeCreateInput], a)
      return img.createVolume(ctx, input)
    },
  }
}
