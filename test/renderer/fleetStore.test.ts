/**
 * The fleet store (renderer/stores/fleet.ts) over a mocked window.api: regions from the catalog reach the region
 * switcher, columns are listed page by page with rows appearing as they come, copies go one request per source
 * column, and the batch summary.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { ImageDTO, ProfileDTO, Result } from '@contract/api'
import type { FleetPage, FleetRegions, FleetSource } from '@contract/contract/fleet'
import type { CopyPlan, CopyRequest, CopyStartResult } from '@contract/contract/copy'
import { batchSummary, copySources, useFleetStore } from '@/stores/fleet'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { fleetRecordOf } from '@contract/rules/fleet-matrix'
import { image, installMockApi, ok } from './support/mockApi'

function profile(id: string, over: Partial<ProfileDTO> = {}): ProfileDTO {
  return {
    ...emptyProfile(),
    id,
    name: id,
    authUrl: 'http://k/v3',
    regions: ['RegionOne'],
    defaultRegion: 'RegionOne',
    source: 'env',
    secretState: 'session',
    order: 0,
    ...over,
  }
}
const hashed = (name: string, hash: string, over: Partial<ImageDTO> = {}): ImageDTO =>
  image({ name, hashAlgo: 'sha512', hashValue: hash, checksum: `m${hash}`, ...over })

interface FleetMock {
  regions: ReturnType<typeof vi.fn<(id: string) => Promise<Result<FleetRegions>>>>
  page: ReturnType<typeof vi.fn<(s: FleetSource, cursor?: string) => Promise<Result<FleetPage>>>>
}
let fleetApi: FleetMock
let copyApi: { plan: ReturnType<typeof vi.fn>; start: ReturnType<typeof vi.fn> }

beforeEach(async () => {
  localStorage.clear()
  setActivePinia(createPinia())
  const api = installMockApi()
  fleetApi = { regions: vi.fn(), page: vi.fn() }
  copyApi = { plan: vi.fn(), start: vi.fn() }
  Object.assign(api as object, { fleet: fleetApi, copy: copyApi })
  api.profiles.state.mockImplementation(() => ok({ profiles: [profile('env'), profile('other', { source: 'saved' })], encryptionAvailable: true }))
  await useProfilesStore().load()
})

describe('fleet store: regions from the catalog', () => {
  it('an OS_* profile (regions = [its OS_REGION_NAME]) offers the catalog regions in the switcher', async () => {
    const profiles = useProfilesStore()
    expect(profiles.regions).toEqual(['RegionOne'])
    fleetApi.regions.mockImplementation(() => ok({ regions: ['RegionOne', 'RegionTwo'], catalog: ['RegionOne', 'RegionTwo'] }))
    await useFleetStore().loadRegions('env')
    expect(profiles.regions).toEqual(['RegionOne', 'RegionTwo'])
    profiles.selectRegion('RegionTwo')
    expect(profiles.ctx).toEqual({ profileId: 'env', region: 'RegionTwo' })
  })

  it('a profile that cannot connect keeps its own list and the error', async () => {
    fleetApi.regions.mockImplementation(() => Promise.resolve({ ok: false, error: { code: 'NO_SECRET', message: 'x' } }))
    const fleet = useFleetStore()
    expect(await fleet.loadRegions('other')).toBeNull()
    expect(fleet.regionErrors.other).toMatchObject({ code: 'NO_SECRET' })
    expect(fleet.sourcesOf(['other'])).toEqual([{ profileId: 'other', region: 'RegionOne', profileName: 'other' }])
  })
})

describe('fleet store: loading', () => {
  it('lists each column page by page; rows appear as pages come; present / missing once complete', async () => {
    const a = hashed('ubuntu', 'aa')
    const b = hashed('debian', 'bb')
    let releaseSecond!: () => void
    fleetApi.page.mockImplementation((src, cursor) => {
      if (src.region === 'RegionOne') {
        if (!cursor) return ok({ records: [fleetRecordOf(a)], next: '/v2/images?marker=1' })
        return new Promise((r) => (releaseSecond = () => r({ ok: true, value: { records: [fleetRecordOf(b)] } })))
      }
      return ok({ records: [fleetRecordOf({ ...a, id: 'copy-of-a' })] })
    })
    const fleet = useFleetStore()
    const done = fleet.load([
      { profileId: 'env', region: 'RegionOne', profileName: 'env' },
      { profileId: 'env', region: 'RegionTwo', profileName: 'env' },
    ])
    await vi.waitFor(() => expect(fleet.total).toBe(1))
    expect(fleet.loading).toBe(true)
    expect(fleet.rows.map((r) => r.name)).toEqual(['ubuntu'])
    // RegionOne is still listing: debian is not known yet, and ubuntu is present in both.
    expect(fleet.counts).toMatchObject({ present: 2, missing: 0 })
    releaseSecond()
    await done
    expect(fleet.loading).toBe(false)
    expect(fleet.rows.map((r) => r.name)).toEqual(['debian', 'ubuntu'])
    expect(fleet.counts).toMatchObject({ present: 3, missing: 1 })
    fleet.setFilters({ missing: true })
    expect(fleet.rows.map((r) => r.name)).toEqual(['debian'])
  })

  it('a failing column keeps its error; the others load', async () => {
    fleetApi.page.mockImplementation((src) =>
      src.region === 'RegionTwo'
        ? Promise.resolve({ ok: false, error: { code: 'NO_ENDPOINT', message: 'x' } })
        : ok({ records: [fleetRecordOf(hashed('x', '1'))] }),
    )
    const fleet = useFleetStore()
    await fleet.load([
      { profileId: 'env', region: 'RegionOne', profileName: 'env' },
      { profileId: 'env', region: 'RegionTwo', profileName: 'env' },
    ])
    expect(fleet.columnErrors[0]).toBeNull()
    expect(fleet.columnErrors[1]).toMatchObject({ code: 'NO_ENDPOINT' })
    expect(fleet.total).toBe(1)
  })
})

describe('fleet store: copy', () => {
  it('one request per source column (the first column holding the row), the source never a target', async () => {
    const a = hashed('a', '1')
    const b = hashed('b', '2')
    fleetApi.page.mockImplementation((src) => ok({ records: src.region === 'RegionOne' ? [fleetRecordOf(a)] : [fleetRecordOf(b)] }))
    const fleet = useFleetStore()
    const cols = [
      { profileId: 'env', region: 'RegionOne', profileName: 'env' },
      { profileId: 'env', region: 'RegionTwo', profileName: 'env' },
    ]
    await fleet.load(cols)
    expect(copySources(fleet.rows, cols)).toEqual([
      { source: { profileId: 'env', region: 'RegionOne' }, imageIds: [a.id] },
      { source: { profileId: 'env', region: 'RegionTwo' }, imageIds: [b.id] },
    ])
    const plan: CopyPlan = { items: [], counts: { copy: 1, present: 0, drift: 0, refused: 0 } }
    copyApi.start.mockImplementation(() => ok<CopyStartResult>({ plan, jobs: [] }))
    const target = { profileId: 'other', region: 'RegionOne' }
    await fleet.startCopy(fleet.rows, [...cols, target], { method: 'stream' })
    const reqs = copyApi.start.mock.calls.map((c) => c[0] as CopyRequest)
    expect(reqs).toEqual([
      { method: 'stream', source: { profileId: 'env', region: 'RegionOne' }, imageIds: [a.id], targets: [{ profileId: 'env', region: 'RegionTwo' }, target] },
      { method: 'stream', source: { profileId: 'env', region: 'RegionTwo' }, imageIds: [b.id], targets: [{ profileId: 'env', region: 'RegionOne' }, target] },
    ])
  })

  it('the summary: present, drift and refused are skipped; jobs done, failed or cancelled, or running', () => {
    const plans: CopyPlan[] = [
      { items: [], counts: { copy: 3, present: 1, drift: 1, refused: 0 } },
      { items: [], counts: { copy: 0, present: 0, drift: 0, refused: 2 } },
    ]
    expect(batchSummary(plans, [{ state: 'done' }, { state: 'failed' }, { state: 'running' }])).toEqual({ done: 1, skipped: 4, failed: 1, running: 1 })
    expect(batchSummary(plans, [{ state: 'done' }, { state: 'cancelled' }, { state: 'done' }])).toEqual({ done: 2, skipped: 4, failed: 1, running: 0 })
  })
})
