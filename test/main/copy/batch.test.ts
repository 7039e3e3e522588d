import { describe, expect, it } from 'vitest'
import { AppError } from '../../../preload/api'
import type { CopyPlanItem } from '../../../preload/contract/copy'
import { runCopies } from '../../../main/copy/batch'

// A login that fails for one target profile is that item's failure: the batch still ends with a summary.
describe('runCopies', () => {
  it('returns a summary when one target profile cannot log in', async () => {
    const item = (profileId: string): CopyPlanItem => ({
      sourceImageId: 'img-1',
      name: 'debian',
      size: 1,
      hash: null,
      target: { profileId, region: 'RegionTwo' },
      action: 'copy',
      method: 'stream',
    })
    const items = [item('unreachable'), item('also-unreachable'), { ...item('p'), action: 'present' as const, targetImageId: 't-1' }]
    const summary = await runCopies(items, {
      source: { profileId: 'p', region: 'RegionOne' },
      signal: new AbortController().signal,
      maxAttempts: 1,
      connect: async (ctx) => {
        throw new AppError({ code: 'AUTH_FAILED', message: `cannot log in to ${ctx.profileId}` })
      },
    })
    expect(summary.failed).toBe(2)
    expect(summary.skipped).toBe(1)
    expect(summary.items[0]).toMatchObject({ outcome: 'failed', reason: 'AUTH_FAILED', error: { code: 'AUTH_FAILED' } })
    expect(summary.items[1]).toMatchObject({ outcome: 'failed', reason: 'AUTH_FAILED' })
  })
})
