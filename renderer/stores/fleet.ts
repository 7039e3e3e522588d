/**
 * The fleet view's state (helper D2, issue 15): the regions of each profile from its catalog, the columns (profile x
 * region) being compared, and the matrix built page by page (preload/rules/fleet-matrix.ts: O(page) per page, rows appear as
 * they come). Copy and sync go through D1's commands (preload/contract/copy.ts). Never calls UI: errors are kept in
 * state or thrown.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, reactive, ref, shallowRef } from 'vue'
import type { AppErrorData, JobDTO } from '@contract/api'
import type { FleetRegions, FleetSource } from '@contract/contract/fleet'
import type { CopyOptions, CopyPlan, CopyRequest, CopyStartResult, SyncApplyResult, SyncPlan, SyncRequest } from '@contract/contract/copy'
import { api, call, toAppError } from '@/api'
import {
  addPage,
  emptyFleetFilters,
  emptyMatrix,
  filterRows,
  markComplete,
  referenceOf,
  stateCounts,
  type FleetFilters,
  type FleetMatrix,
  type FleetRow,
} from '@contract/rules/fleet-matrix'
import { useProfilesStore } from './profiles'

export interface FleetColumn extends FleetSource {
  profileName: string
}

export const columnKey = (c: FleetSource): string => `${c.profileId}|${c.region}`

/** The rows to copy grouped by the column that holds them first (the copy's source), with their image ids there. */
export function copySources(rows: readonly FleetRow[], columns: readonly FleetSource[]): { source: FleetSource; imageIds: string[] }[] {
  const by = new Map<number, string[]>()
  for (const row of rows) {
    const c = row.cells.findIndex((x) => !!x)
    if (c < 0) continue
    const ids = by.get(c) ?? []
    ids.push(row.cells[c]!.id)
    by.set(c, ids)
  }
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([c, imageIds]) => ({ source: { profileId: columns[c]!.profileId, region: columns[c]!.region }, imageIds }))
}

/**
 * The summary of a batch (pure): plan items `present` / `drift` / `refused` are skipped; each `copy` item is one job,
 * done, failed (failed or cancelled) or still running.
 */
export function batchSummary(
  plans: readonly CopyPlan[],
  jobs: readonly Pick<JobDTO, 'state'>[],
): { done: number; skipped: number; failed: number; running: number } {
  let skipped = 0
  for (const p of plans) skipped += p.counts.present + p.counts.drift + p.counts.refused
  let done = 0
  let failed = 0
  let running = 0
  for (const j of jobs) {
    if (j.state === 'done') done++
    else if (j.state === 'failed' || j.state === 'cancelled') failed++
    else running++
  }
  return { done, skipped, failed, running }
}

export const useFleetStore = defineStore('fleet', () => {
  const profiles = useProfilesStore()
  const regionsByProfile = ref<Record<string, FleetRegions>>({})
  const regionErrors = ref<Record<string, AppErrorData>>({})
  const columns = ref<FleetColumn[]>([])
  const matrix = shallowRef<FleetMatrix>(markRaw(emptyMatrix(0)))
  /** Bumped after every page: the computeds below depend on it (the matrix itself is not reactive). */
  const version = ref(0)
  const loading = ref(false)
  const columnErrors = ref<(AppErrorData | null)[]>([])
  const filters = reactive<FleetFilters>(emptyFleetFilters())
  let generation = 0

  const rows = computed<FleetRow[]>(() => {
    void version.value
    return filterRows(matrix.value, { ...filters })
  })
  const counts = computed(() => {
    void version.value
    return stateCounts(matrix.value)
  })
  const total = computed(() => {
    void version.value
    return matrix.value.rows.size
  })
  const listed = computed(() => {
    void version.value
    return [...matrix.value.counts]
  })
  const tagOptions = computed(() => {
    void version.value
    const set = new Set<string>()
    for (const row of matrix.value.rows.values()) for (const c of row.cells) for (const t of c?.tags ?? []) set.add(t)
    return [...set].sort()
  })

  /** The regions of a profile from its catalog; also offered by the region switcher. Null when it cannot connect. */
  async function loadRegions(profileId: string): Promise<FleetRegions | null> {
    try {
      const r = await call(api.fleet.regions(profileId))
      regionsByProfile.value = { ...regionsByProfile.value, [profileId]: r }
      const { [profileId]: _gone, ...rest } = regionErrors.value
      void _gone
      regionErrors.value = rest
      profiles.setCatalogRegions(profileId, r.regions)
      return r
    } catch (e) {
      regionErrors.value = { ...regionErrors.value, [profileId]: toAppError(e).toJSON() }
      return null
    }
  }

  /** Every profile x region known: the catalog's when loaded, else the profile's own list. */
  function sourcesOf(profileIds: readonly string[]): FleetColumn[] {
    const out: FleetColumn[] = []
    for (const id of profileIds) {
      const p = profiles.profiles.find((x) => x.id === id)
      if (!p) continue
      const list = regionsByProfile.value[id]?.regions ?? (p.regions.length ? p.regions : p.defaultRegion ? [p.defaultRegion] : [])
      for (const region of list) out.push({ profileId: id, region, profileName: p.name })
    }
    return out
  }

  /** Lists every column page by page (columns in parallel) into a new matrix. A newer load supersedes it. */
  async function load(cols: readonly FleetColumn[] = columns.value): Promise<void> {
    const gen = ++generation
    columns.value = cols.map((c) => ({ ...c }))
    const m = markRaw(emptyMatrix(cols.length))
    matrix.value = m
    columnErrors.value = cols.map(() => null)
    version.value++
    loading.value = true
    try {
      await Promise.all(
        cols.map(async (col, c) => {
          let cursor: string | undefined
          try {
            do {
              const page = await call(api.fleet.page({ profileId: col.profileId, region: col.region }, cursor))
              if (gen !== generation) return
              addPage(m, c, page.records)
              version.value++
              cursor = page.next
            } while (cursor)
            markComplete(m, c)
          } catch (e) {
            if (gen !== generation) return
            const errs = [...columnErrors.value]
            errs[c] = toAppError(e).toJSON()
            columnErrors.value = errs
          }
          version.value++
        }),
      )
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  function cancel(): void {
    generation++
    loading.value = false
  }

  function setFilters(f: Partial<FleetFilters>): void {
    Object.assign(filters, f)
  }

  /** The plan of copying rows to targets (one request per source column). Nothing changes. */
  async function planCopy(selected: readonly FleetRow[], targets: readonly FleetSource[], options: CopyOptions = {}): Promise<CopyPlan[]> {
    return Promise.all(copyRequests(selected, targets, options).map((req) => call(api.copy.plan(req))))
  }

  /** Queues the copies (one request per source column); the jobs appear in the transfers panel. */
  async function startCopy(selected: readonly FleetRow[], targets: readonly FleetSource[], options: CopyOptions = {}): Promise<CopyStartResult[]> {
    const out: CopyStartResult[] = []
    for (const req of copyRequests(selected, targets, options)) out.push(await call(api.copy.start(req)))
    return out
  }

  function copyRequests(selected: readonly FleetRow[], targets: readonly FleetSource[], options: CopyOptions): CopyRequest[] {
    return copySources(selected, columns.value)
      .map(({ source, imageIds }) => ({
        ...options,
        source,
        imageIds,
        targets: targets.filter((t) => columnKey(t) !== columnKey(source)).map((t) => ({ profileId: t.profileId, region: t.region })),
      }))
      .filter((r) => r.targets.length > 0)
  }

  async function planSync(req: SyncRequest): Promise<SyncPlan> {
    return call(api.sync.plan(req))
  }
  async function applySync(req: SyncRequest): Promise<SyncApplyResult> {
    return call(api.sync.apply(req))
  }

  return {
    regionsByProfile,
    regionErrors,
    columns,
    matrix,
    version,
    loading,
    columnErrors,
    filters,
    rows,
    counts,
    total,
    listed,
    tagOptions,
    loadRegions,
    sourcesOf,
    load,
    cancel,
    setFilters,
    planCopy,
    startCopy,
    planSync,
    applySync,
    referenceOf,
  }
})
