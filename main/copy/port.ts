/**
 * What a copy needs from a cloud, beyond the transfer engine's port (main/transfers/port.ts): the import methods,
 * the glance-download call, lookups by hash and name, JSON patch and tags, and who the user is (roles; whether two
 * clouds share one Keystone identity, which server-side copies need: the target Glance pulls with the caller's token).
 * `copyCloudFromClient()` adapts a CloudClient; tests and the CLI may wrap it.
 */
import type { ImageQuery, Interface, PropertyKeyMap } from '../../preload/api'
import type { CloudClient } from '../openstack/types'
import type { PatchOp } from '../openstack/glance'
import { cloudFromClient } from '../transfers/cloud'
import type { GlancePort, RawImage, TransferCloud } from '../transfers/port'

export interface CopyGlance extends GlancePort {
  /** GET /v2/info/import. */
  importMethods(): Promise<string[]>
  /** POST /v2/images/{id}/import with glance-download: this Glance pulls `imageId` from `region`. */
  glanceDownload(id: string, from: { region: string; imageId: string; interface: Interface }): Promise<void>
  /** Every image matching the query (all pages). */
  list(query: ImageQuery): AsyncIterable<RawImage>
  patch(id: string, ops: PatchOp[]): Promise<RawImage>
  addTag(id: string, tag: string): Promise<void>
  removeTag(id: string, tag: string): Promise<void>
}

export interface CopyCloud extends Omit<TransferCloud, 'glance'> {
  glance: CopyGlance
  keys: PropertyKeyMap
  interface: Interface
  /** The user's roles in the project (after authentication). */
  roles(): Promise<string[]>
  /** Keystone URL + user id + project id: two clouds with the same identity reach the same images with one token. */
  identity(): Promise<string>
  /** The image-service regions of the catalog (for a server-side pull, the target must find the source's). */
  imageRegions(): Promise<string[]>
}

export type CopyConnect = (ctx: { profileId: string; region: string }) => Promise<CopyCloud>

export function copyCloudFromClient(client: CloudClient, profileId: string): CopyCloud {
  const base = cloudFromClient(client, profileId)
  const g = client.glance
  const s = client.session
  return {
    ...base,
    glance: {
      ...base.glance,
      importMethods: () => g.importInfo(),
      glanceDownload: (id, from) =>
        g.importImage(id, { name: 'glance-download', glance_image_id: from.imageId, glance_region: from.region, glance_service_interface: from.interface }),
      list: (q) => g.list(q),
      patch: (id, ops) => g.patch(id, ops),
      addTag: (id, tag) => g.addTag(id, tag),
      removeTag: (id, tag) => g.removeTag(id, tag),
    },
    keys: client.keys,
    interface: client.profile.interface,
    roles: async () => {
      await s.getToken()
      return s.roles
    },
    identity: async () => {
      await s.getToken()
      return `${s.identityUrl}|${s.user.id}|${s.project.id}`
    },
    imageRegions: async () => {
      await s.getToken()
      return [...new Set(s.catalog.filter((e) => e.type === 'image').flatMap((e) => e.endpoints.map((p) => p.region)))]
    },
  }
}
