/**
 * The images:* commands (declared, with their argument schemas, in preload/contract/commands/images.ts): one ImageService
 * call each, over arguments the table's schemas already validated.
 */
import type { ImageService } from './service'
import { bindDomain } from '../ipc/bind'

// The argument schemas moved to the contract with the command table; re-exported for existing importers.
export { zExportRequest, zImageCreateInput, zImageQuery, zImageUpdateInput } from '../../preload/contract/commands/images'
export { zVolumeCreateInput } from '../../preload/contract/commands/volumes'

/** What the images:* commands use. */
export interface ImageHandlerDeps {
  images: ImageService
}

export function imageHandlers(s: ImageHandlerDeps) {
  return bindDomain('images', {
    list: (ctx, query, cursor) => s.images.list(ctx, query, cursor),
    get: (ctx, id) => s.images.get(ctx, id),
    create: (ctx, input) => s.images.create(ctx, input),
    update: (ctx, id, input) => s.images.update(ctx, id, input),
    delete: (ctx, id, confirmed) => s.images.delete(ctx, id, confirmed),
    addTag: (ctx, id, tag) => s.images.addTag(ctx, id, tag),
    removeTag: (ctx, id, tag) => s.images.removeTag(ctx, id, tag),
    editTags: (ctx, id, change) => s.images.editTags(ctx, id, change),
    projects: (ctx) => s.images.projects(ctx),
    deactivate: (ctx, id, confirmed) => s.images.deactivate(ctx, id, confirmed),
    reactivate: (ctx, id) => s.images.reactivate(ctx, id),
    members: (ctx, id) => s.images.members(ctx, id),
    share: (ctx, id, project) => s.images.share(ctx, id, project),
    unshare: (ctx, id, project) => s.images.unshare(ctx, id, project),
    setMemberStatus: (ctx, id, status) => s.images.setMemberStatus(ctx, id, status),
    capabilities: (ctx) => s.images.capabilities(ctx),
    export: (ctx, req) => s.images.export(ctx, req),
  })
}
