/** images:* commands: every raw argument validated with zod. See preload/contract/commands/define.ts for the shape of an entry. */
import { z } from 'zod'
import {
  DISK_FORMATS,
  IMAGE_STATUSES,
  OS_TYPES,
  type Capabilities,
  type CloudContext,
  type ExportRequest,
  type ImageCreateInput,
  type ImageCreateResult,
  type ImageDTO,
  type ImagePage,
  type ImageQuery,
  type ImageUpdateInput,
  type MemberDTO,
  type ProjectList,
  type TagEdit,
} from '../../api'
import { command } from './define'
import { FORBIDDEN_KEYS, noControl, zCloudContext, zConsoleFields, zHandle, zId } from './schemas'

export const zImageId = zId
const zProjectId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w-]+$/, 'must be a project id')
/** An image name: what Glance takes (<= 255), without control characters (they break logs, CSV, file names). */
const zName = z.string().min(1).max(255).refine(noControl, 'must not contain control characters')
export const zTag = z
  .string()
  .min(1)
  .max(255)
  .refine((t) => !t.includes('/'), 'a tag cannot contain "/"')
  .refine(noControl, 'must not contain control characters')
const zPropKey = z
  .string()
  .min(1)
  .max(255)
  .refine((k) => !FORBIDDEN_KEYS.has(k), 'is not a usable property key')
const zPropValue = z.string().max(65_535)
const zIso = z
  .string()
  .min(1)
  .max(64)
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO date/time')

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
  memberStatus: z.enum(['pending', 'accepted', 'rejected', 'all']).optional(), // C1
  sort: z
    .array(
      z.strictObject({
        key: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[\w.-]+$/),
        dir: z.enum(['asc', 'desc']),
      }),
    )
    .max(10)
    .optional(),
  limit: z.number().int().min(1).max(1000).optional(),
}) satisfies z.ZodType<ImageQuery>

/** No `user:pass@` in a URL (B1: issue 12.7). */
function noUserinfo(u: string): boolean {
  try {
    const x = new URL(u)
    return x.username === '' && x.password === ''
  } catch {
    return false
  }
}

const zCursor = z
  .string()
  .max(8192)
  .regex(/^\/v2\/images\?/, 'must be a list cursor')

const zSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('file'), fileHandle: zHandle }),
  z.strictObject({
    kind: z.literal('url'),
    url: z
      .string()
      .max(4096)
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
      // B1: credentials in the URL would be stored in the job, the logs and Glance's task: refused
      .refine(noUserinfo, 'must not contain a user name or password (user:pass@); use a pre-signed URL instead'),
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
  visibility: z.enum(['private', 'shared']).optional(), // C1
}) satisfies z.ZodType<ImageCreateInput>

export const zImageUpdateInput = z.strictObject({
  name: zName.optional(),
  fields: zConsoleFields.partial().optional(),
  properties: z.record(zPropKey, zPropValue.nullable()).optional(),
  visibility: z.enum(['private', 'shared']).optional(), // C1
  confirmed: z.boolean().optional(),
}) satisfies z.ZodType<ImageUpdateInput>

export const zExportRequest = z.strictObject({
  format: z.enum(['csv', 'xlsx']),
  scope: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('ids'), ids: z.array(zImageId).max(10_000) }),
    z.strictObject({ kind: z.literal('query'), query: zImageQuery }),
  ]),
  columns: z.array(z.string().min(1).max(255)).max(200),
  locale: z.enum(['zh-CN', 'en']),
  fileHandle: zHandle,
}) satisfies z.ZodType<ExportRequest>

// C1: a project to share with, by id or by name (resolved through Keystone by the image service)
const zProjectRef = z.string().trim().min(1).max(255).refine(noControl, 'must not contain control characters')
const zTagEdit = z.strictObject({ add: z.array(zTag).max(128), remove: z.array(zTag).max(128) }) satisfies z.ZodType<TagEdit>

type Ctx = CloudContext
type MemberStatus = 'accepted' | 'rejected' | 'pending'

export const imageCommands = {
  list: command<[ctx: Ctx, query: ImageQuery, cursor?: string], ImagePage>(zCloudContext, zImageQuery, zCursor.optional()),
  get: command<[ctx: Ctx, id: string], ImageDTO>(zCloudContext, zImageId),
  create: command<[ctx: Ctx, input: ImageCreateInput], ImageCreateResult>(zCloudContext, zImageCreateInput),
  update: command<[ctx: Ctx, id: string, input: ImageUpdateInput], ImageDTO>(zCloudContext, zImageId, zImageUpdateInput),
  delete: command<[ctx: Ctx, id: string, confirmed?: boolean], void>(zCloudContext, zImageId, z.boolean().optional()),
  addTag: command<[ctx: Ctx, id: string, tag: string], void>(zCloudContext, zImageId, zTag),
  removeTag: command<[ctx: Ctx, id: string, tag: string], void>(zCloudContext, zImageId, zTag),
  /** C1: add and remove tags in one JSON patch of /tags (UTF-8 safe); the image as stored. */
  editTags: command<[ctx: Ctx, id: string, change: TagEdit], ImageDTO>(zCloudContext, zImageId, zTagEdit),
  /** C1: the projects the caller may see (all for an admin, else its own): names for the share dialog. */
  projects: command<[ctx: Ctx], ProjectList>(zCloudContext),
  deactivate: command<[ctx: Ctx, id: string, confirmed?: boolean], void>(zCloudContext, zImageId, z.boolean().optional()),
  reactivate: command<[ctx: Ctx, id: string], void>(zCloudContext, zImageId),
  members: command<[ctx: Ctx, id: string], MemberDTO[]>(zCloudContext, zImageId),
  share: command<[ctx: Ctx, id: string, project: string], MemberDTO>(zCloudContext, zImageId, zProjectRef),
  unshare: command<[ctx: Ctx, id: string, projectId: string], void>(zCloudContext, zImageId, zProjectId),
  setMemberStatus: command<[ctx: Ctx, id: string, status: MemberStatus], MemberDTO>(zCloudContext, zImageId, z.enum(['accepted', 'rejected', 'pending'])),
  capabilities: command<[ctx: Ctx], Capabilities>(zCloudContext),
  export: command<[ctx: Ctx, request: ExportRequest], { path: string; rows: number }>(zCloudContext, zExportRequest),
}
