/**
 * Non-ASCII tags against the real Glance. This Glance decodes the tag in `PUT /v2/images/{id}/tags/{tag}` as
 * Latin-1 (生产 was stored as "ç\x94\x9fäº§" and could then not be removed: 404), while a JSON patch of `/tags` keeps
 * UTF-8. Tags are written through the patch and read back; the image service's add/remove go the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../preload/api'
import { adminCloud, describeCloud, memberCloud } from '../../support/cloud'
import { GlanceClient } from '../../../main/openstack/glance'
import type { Session } from '../../../main/openstack/session'
import { Cleanup, sessionFor, unique } from './helpers'

// emoji of the Basic Multilingual Plane (3 UTF-8 bytes); Glance refuses 4-byte characters (tested below)
const TAGS = ['生产', 'café-été', 'naïve Ünïcode', '☁ ☀️ ✓', 'plain-ascii']

describeCloud('tags with non-ASCII characters (real Glance)', () => {
  describe.each([
    ['admin', adminCloud()!],
    ['member', memberCloud()!],
  ] as const)('as %s', (_who, creds) => {
    let session: Session
    let glance: GlanceClient
    const cleanup = new Cleanup()
    beforeAll(async () => {
      session = sessionFor(creds)
      await session.authenticate()
      glance = new GlanceClient(session, 'RegionOne')
    })
    afterAll(async () => {
      await cleanup.run()
      session?.close()
    })

    it('adds Chinese, accented and emoji tags one by one: Glance stores exactly those characters', async () => {
      const img = await glance.create({ name: unique('tags'), disk_format: 'raw', container_format: 'bare', visibility: 'private' })
      cleanup.add(glance, img.id)
      for (const tag of TAGS) await glance.addTag(img.id, tag)
      const got = await glance.get(img.id)
      expect([...(got.tags as string[])].sort()).toEqual([...TAGS].sort())
      // and they can be removed again (the garbled PUT tag gave 404 here)
      for (const tag of TAGS) await glance.removeTag(img.id, tag)
      expect((await glance.get(img.id)).tags).toEqual([])
    })

    it('edits in one patch (add and remove together) and returns what Glance stored', async () => {
      const img = await glance.create({ name: unique('tags'), disk_format: 'raw', container_format: 'bare', visibility: 'private', tags: ['keep', '旧'] })
      cleanup.add(glance, img.id)
      const after = await glance.editTags(img.id, { add: ['生产', '☁', 'keep'], remove: ['旧'] })
      expect([...after.tags].sort()).toEqual(['keep', '生产', '☁'].sort())
      expect([...((await glance.get(img.id)).tags as string[])].sort()).toEqual(['keep', '生产', '☁'].sort())
      const cleared = await glance.editTags(img.id, { add: [], remove: ['生产', '☁', 'keep'] })
      expect(cleared.tags).toEqual([])
    })

    it('a 4-byte character (🚀): Glance refuses it ("Param values can\'t contain 4 byte unicode"), so the client says so first', async () => {
      const img = await glance.create({ name: unique('tags'), disk_format: 'raw', container_format: 'bare', visibility: 'private', tags: ['生产'] })
      cleanup.add(glance, img.id)
      // what the real Glance does with it, sent as a patch by hand
      const raw = await glance.patch(img.id, [{ op: 'replace', path: '/tags', value: ['生产', '🚀'] }]).catch((x: unknown) => x)
      expect(AppError.is(raw) && raw.status).toBe(400)
      const e = await glance.editTags(img.id, { add: ['🚀 launch'], remove: [] }).catch((x: unknown) => x)
      expect(AppError.is(e, 'VALIDATION')).toBe(true)
      expect((e as AppError).details).toMatchObject({ reason: 'tagFourByte', params: { tag: '🚀 launch' } })
      expect((await glance.get(img.id)).tags).toEqual(['生产'])
    })

    it('removing a tag the image does not have is NOT_FOUND (nothing changes)', async () => {
      const img = await glance.create({ name: unique('tags'), disk_format: 'raw', container_format: 'bare', visibility: 'private', tags: ['生产'] })
      cleanup.add(glance, img.id)
      const e = await glance.removeTag(img.id, '测试').catch((x: unknown) => x)
      expect(AppError.is(e, 'NOT_FOUND')).toBe(true)
      expect((await glance.get(img.id)).tags).toEqual(['生产'])
    })
  })
})
