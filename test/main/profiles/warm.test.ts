/**
 * Issue 16.4, the warm start's choice of profile (main/profiles/warm.ts) and its file: the profile + region listed
 * last while that profile exists, else the first profile in order; a missing or damaged file is no file; nothing to
 * warm is no error. The first page it prefetches is handed out once, to the same session, region and query, while
 * fresh (PREFETCH_MAX_AGE_MS), and no more after another image call. The sign-in itself is tested against the real
 * cloud (test/integration/profiles/warm-start.test.ts).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CloudContext, ProfileDTO } from '../../../preload/api'
import { createNullLogger } from '../../../main/log'
import { PREFETCH_MAX_AGE_MS, PREFETCH_QUERY, WARM_START_FILE, WarmStart } from '../../../main/profiles/warm'
import type { WarmOutcome } from '../../../main/profiles/connector'
import type { CloudClient } from '../../../main/openstack/types'
import type { ImagePageRaw } from '../../../main/openstack/glance'
import { firstPageQuery } from '../../../main/images/service'
import { tempDir } from './helpers'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function setup(ids: { id: string; order: number }[], file?: string) {
  const dir = tempDir('gd-warm-')
  dirs.push(dir)
  if (file !== undefined) writeFileSync(join(dir, WARM_START_FILE), file)
  const warmed: CloudContext[] = []
  const w = new WarmStart({
    dataDir: dir,
    profiles: { list: () => ids.map((p) => ({ ...p }) as unknown as ProfileDTO) },
    clouds: {
      warm: async (ctx: CloudContext): Promise<WarmOutcome> => {
        warmed.push(ctx)
        return 'ok'
      },
    },
    log: createNullLogger(),
  })
  return { dir, w, warmed }
}

describe('WarmStart', () => {
  it('warms the first profile in order when nothing was listed yet; nothing to warm without profiles', async () => {
    const a = setup([
      { id: 'b', order: 1 },
      { id: 'a', order: 0 },
    ])
    expect(await a.w.start()).toBe('ok')
    expect(a.warmed).toEqual([{ profileId: 'a' }])
    expect(await a.w.start()).toBe('ok')
    expect(a.warmed).toHaveLength(1) // once
    const none = setup([])
    expect(await none.w.start()).toBe('noProfile')
    expect(none.warmed).toEqual([])
  })

  it('warms the profile + region listed last, remembered across starts; a profile since removed falls back to the first', async () => {
    const s = setup([
      { id: 'a', order: 0 },
      { id: 'b', order: 1 },
    ])
    s.w.remember({ profileId: 'b', region: 'RegionTwo' })
    await s.w.close()
    expect(JSON.parse(readFileSync(join(s.dir, WARM_START_FILE), 'utf8'))).toEqual({ profileId: 'b', region: 'RegionTwo' })
    const again = setup(
      [
        { id: 'a', order: 0 },
        { id: 'b', order: 1 },
      ],
      readFileSync(join(s.dir, WARM_START_FILE), 'utf8'),
    )
    expect(again.w.target()).toEqual({ profileId: 'b', region: 'RegionTwo' })
    const gone = setup([{ id: 'a', order: 0 }], '{"profileId":"b","region":"RegionTwo"}')
    expect(gone.w.target()).toEqual({ profileId: 'a' })
  })

  it('a damaged or foreign file is no file', () => {
    for (const text of ['', '{', 'null', '[]', '{"profileId":42}', `{"profileId":"${'x'.repeat(300)}"}`]) {
      expect(setup([{ id: 'a', order: 0 }], text).w.target()).toEqual({ profileId: 'a' })
    }
  })

  describe('the prefetched first page (issue 16.4)', () => {
    const PAGE: ImagePageRaw = { images: [{ id: 'i1', name: 'one', status: 'active' } as never], next: '/v2/images?marker=i1&limit=50' }
    /** A client of profile `id` + region over `session`, whose Glance answers the list with PAGE. */
    function client(id: string, region: string, session: object, lists: string[]): CloudClient {
      return {
        profile: { id },
        region,
        session,
        glance: {
          listPage: async (q: unknown, cursor: unknown) => {
            lists.push(JSON.stringify([q, cursor]))
            return PAGE
          },
        },
      } as unknown as CloudClient
    }
    function prefetching(c: CloudClient) {
      const dir = tempDir('gd-warm-')
      dirs.push(dir)
      let t = 1000
      const w = new WarmStart({
        dataDir: dir,
        profiles: { list: () => [{ id: 'a', order: 0 } as unknown as ProfileDTO] },
        clouds: {
          warm: async (_ctx, signal, probe): Promise<WarmOutcome> => {
            await probe!(c, signal ?? new AbortController().signal)
            return 'ok'
          },
        },
        log: createNullLogger(),
        now: () => t,
      })
      return { w, advance: (ms: number) => (t += ms) }
    }

    it("is the first page of the images view's first list (test/renderer/imagesStore.test.ts: what its store sends)", () => {
      expect(firstPageQuery({ limit: 1000, sort: [{ key: 'created_at', dir: 'desc' }] })).toEqual(PREFETCH_QUERY)
      expect(PREFETCH_QUERY).toEqual({ limit: 50, sort: [{ key: 'created_at', dir: 'desc' }] })
    })

    it('is listed by the warm-up and handed out once, to the same session, region and query', async () => {
      const lists: string[] = []
      const session = {}
      const c = client('a', 'RegionOne', session, lists)
      const { w } = prefetching(c)
      expect(await w.start()).toBe('ok')
      expect(lists).toEqual([JSON.stringify([PREFETCH_QUERY, undefined])])
      expect(w.take(client('a', 'RegionTwo', session, []), PREFETCH_QUERY)).toBeNull() // another region
      expect(w.take(client('b', 'RegionOne', session, []), PREFETCH_QUERY)).toBeNull() // another profile
      expect(w.take(client('a', 'RegionOne', {}, []), PREFETCH_QUERY)).toBeNull() // another session (profile edited, signed in again)
      expect(w.take(c, { ...PREFETCH_QUERY, name: 'x' })).toBeNull() // another query
      expect(w.take(c, { ...PREFETCH_QUERY, limit: 10 })).toBeNull()
      expect(w.take(c, { ...PREFETCH_QUERY, sort: [{ key: 'name', dir: 'asc' }] })).toBeNull()
      expect(w.take(c, { ...PREFETCH_QUERY })).toBe(PAGE)
      expect(w.take(c, PREFETCH_QUERY)).toBeNull() // once
    })

    it(`is not handed out more than ${PREFETCH_MAX_AGE_MS} ms after its request, after another image call, or after close`, async () => {
      const c = client('a', 'RegionOne', {}, [])
      const old = prefetching(c)
      await old.w.start()
      old.advance(PREFETCH_MAX_AGE_MS + 1)
      expect(old.w.take(c, PREFETCH_QUERY)).toBeNull()
      const fresh = prefetching(c)
      await fresh.w.start()
      fresh.advance(PREFETCH_MAX_AGE_MS)
      expect(fresh.w.take(c, PREFETCH_QUERY)).toBe(PAGE)
      const dropped = prefetching(c)
      await dropped.w.start()
      dropped.w.drop()
      expect(dropped.w.take(c, PREFETCH_QUERY)).toBeNull()
      const closed = prefetching(c)
      await closed.w.start()
      await closed.w.close()
      expect(closed.w.take(c, PREFETCH_QUERY)).toBeNull()
    })
  })
})
