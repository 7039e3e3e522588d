/**
 * Issue 16.4, the warm start's choice of profile (main/profiles/warm.ts) and its file: the profile + region listed
 * last while that profile exists, else the first profile in order; a missing or damaged file is no file; nothing to
 * warm is no error. The sign-in itself is tested against the real cloud (test/integration/profiles/warm-start.test.ts).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CloudContext, ProfileDTO } from '../../../preload/api'
import { createNullLogger } from '../../../main/log'
import { WARM_START_FILE, WarmStart } from '../../../main/profiles/warm'
import type { WarmOutcome } from '../../../main/profiles/connector'
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
})
