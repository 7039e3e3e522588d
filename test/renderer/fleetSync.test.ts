/**
 * The sync dialog (renderer/components/SyncDialog.vue, D2, issue 15.4): D1's plan first, nothing applied until the user
 * confirms it; declining the confirmation applies nothing.
 */
import { afterEach, expect, it, vi } from 'vitest'
import type { ProfileDTO } from '@contract/api'
import type { SyncApplyResult, SyncPlan, SyncRequest } from '@contract/contract/copy'
import SyncDialog from '@/components/SyncDialog.vue'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { byTestId, flush, mountWith } from './support/mount'
import { installMockApi, ok } from './support/mockApi'

const p: ProfileDTO = {
  ...emptyProfile(),
  id: 'env',
  name: 'env',
  authUrl: 'http://k/v3',
  regions: [],
  defaultRegion: 'RegionOne',
  source: 'env',
  secretState: 'session',
  order: 0,
}
const columns = [
  { profileId: 'env', region: 'RegionOne', profileName: 'env' },
  { profileId: 'env', region: 'RegionTwo', profileName: 'env' },
]

afterEach(() => {
  document.body.innerHTML = ''
})

/** The newest confirmation box (a closed one may stay in the DOM while its transition runs). */
async function box(seen: number): Promise<HTMLElement> {
  await vi.waitFor(() => expect(document.body.querySelectorAll('.sync-confirm').length).toBeGreaterThan(seen))
  const all = document.body.querySelectorAll('.sync-confirm')
  return all[all.length - 1] as HTMLElement
}

it('shows the plan, and applies it only once the confirmation is accepted', async () => {
  const api = installMockApi()
  api.profiles.state.mockImplementation(() => ok({ profiles: [p], encryptionAvailable: true }))
  const plan: SyncPlan = {
    source: { profileId: 'env', region: 'RegionOne' },
    target: { profileId: 'env', region: 'RegionTwo' },
    filter: { kind: 'all' },
    items: [
      {
        sourceImageId: 'a',
        name: 'ubuntu',
        size: 1,
        hash: { algo: 'sha512', value: 'x' },
        target: { profileId: 'env', region: 'RegionTwo' },
        action: 'copy',
        method: 'glance-download',
      },
      {
        sourceImageId: 'b',
        name: 'debian',
        size: 1,
        hash: { algo: 'sha512', value: 'y' },
        target: { profileId: 'env', region: 'RegionTwo' },
        action: 'drift',
        drift: [{ key: 'min_ram', source: 512, target: 0 }],
      },
    ],
    counts: { copy: 1, present: 0, drift: 1, refused: 0 },
  }
  api.sync.plan.mockImplementation(() => ok(plan))
  const applied: SyncApplyResult = { plan, jobs: [], patched: [{ sourceImageId: 'b', targetImageId: 'b2', ops: 1 }], failed: [] }
  api.sync.apply.mockImplementation(() => ok(applied))
  const w = mountWith(SyncDialog, { props: { modelValue: true, columns } })
  await useProfilesStore().load()
  await flush()

  byTestId('sync-plan-btn')!.click()
  await vi.waitFor(() => expect(byTestId('sync-counts')?.textContent).toContain('1 to copy'))
  const req = api.sync.plan.mock.calls[0]![0] as SyncRequest
  expect(req).toEqual({ source: { profileId: 'env', region: 'RegionOne' }, target: { profileId: 'env', region: 'RegionTwo' }, filter: { kind: 'all' } })
  expect(document.body.querySelectorAll('[data-testid="sync-plan-item"]')).toHaveLength(2)

  // declined: nothing applied
  byTestId('sync-apply')!.click()
  const first = await box(0)
  ;(first.querySelector('.el-message-box__btns button') as HTMLElement).click()
  // the box closes (removed, or hidden once its transition ends), then the answer's handlers run
  await vi.waitFor(() => expect(first.isConnected && getComputedStyle(first.closest('.el-overlay') ?? first).display !== 'none').toBe(false), { timeout: 5000 })
  await flush()
  expect(api.sync.apply).not.toHaveBeenCalled()
  const seen = document.body.querySelectorAll('.sync-confirm').length

  // accepted: applied once, with the same request
  byTestId('sync-apply')!.click()
  const second = await box(first.isConnected ? seen : seen - 1)
  const buttons = second.querySelectorAll('.el-message-box__btns button')
  ;(buttons[buttons.length - 1] as HTMLElement).click()
  await vi.waitFor(() => expect(api.sync.apply).toHaveBeenCalledTimes(1))
  expect(api.sync.apply.mock.calls[0]![0]).toEqual(req)
  await vi.waitFor(() => expect(byTestId('sync-result')?.textContent).toContain('1 patched'))
  w.unmount()
}, 60_000)
