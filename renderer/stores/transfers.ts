/** Transfer jobs and their live progress, from the main process's queue. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { EVENTS, type AppErrorData, type CloudContext, type JobDTO, type ProgressEvent } from '@contract/api'
import { api, call, toAppError } from '@/api'

export const useTransfersStore = defineStore('transfers', () => {
  const jobs = ref<JobDTO[]>([])
  const progress = ref<Record<string, ProgressEvent>>({})
  const error = ref<AppErrorData | null>(null)
  const loaded = ref(false)
  /** Jobs that just finished (for notifications); the UI drains it. */
  const finished = ref<JobDTO[]>([])

  const sorted = computed(() => [...jobs.value].sort((a, b) => b.createdAt.localeCompare(a.createdAt)))
  const active = computed(() => jobs.value.filter((j) => j.state === 'running' || j.state === 'queued' || j.state === 'paused'))

  function upsert(j: JobDTO): void {
    const i = jobs.value.findIndex((x) => x.id === j.id)
    const before = i >= 0 ? jobs.value[i] : undefined
    if (i >= 0) jobs.value.splice(i, 1, j)
    else jobs.value.push(j)
    const ended = j.state === 'done' || j.state === 'failed'
    if (ended && before && before.state !== j.state) finished.value.push(j)
    if (j.state !== 'running') {
      const { [j.id]: _p, ...rest } = progress.value
      progress.value = rest
    }
  }

  function onProgress(events: ProgressEvent[]): void {
    const next = { ...progress.value }
    for (const ev of events) next[ev.jobId] = ev
    progress.value = next
  }

  function onRemoved(jobId: string): void {
    jobs.value = jobs.value.filter((j) => j.id !== jobId)
  }

  async function load(): Promise<void> {
    try {
      jobs.value = await call(api.transfers.list())
      error.value = null
    } catch (e) {
      error.value = toAppError(e).toJSON()
    } finally {
      loaded.value = true
    }
  }

  const unsubs: (() => void)[] = []
  function subscribe(): void {
    if (unsubs.length) return
    try {
      unsubs.push(api.on(EVENTS.transfers.progress, onProgress))
      unsubs.push(api.on(EVENTS.transfers.changed, upsert))
      unsubs.push(api.on(EVENTS.transfers.removed, (p) => onRemoved(p.jobId)))
    } catch {
      /* no event bridge (tests) */
    }
  }

  /** A job command; `acceptUnverified` keeps a download Glance has no checksum for (the main process asks to confirm). */
  async function act(kind: 'pause' | 'resume' | 'cancel' | 'retry' | 'runDraft' | 'acceptUnverified', jobId: string): Promise<JobDTO> {
    const j = await call(api.transfers[kind](jobId))
    upsert(j)
    return j
  }
  async function remove(jobId: string): Promise<void> {
    await call(api.transfers.remove(jobId))
    onRemoved(jobId)
  }
  async function download(ctx: CloudContext, imageId: string, fileHandle: string): Promise<JobDTO> {
    const j = await call(api.transfers.download(ctx, { imageId, fileHandle }))
    upsert(j)
    return j
  }
  const drafts = computed(() => jobs.value.filter((j) => j.state === 'draft'))
  /** Write the drafts (all by default) as a YAML manifest to a file chosen with pickSave. */
  async function exportDrafts(fileHandle: string, ids: string[] = drafts.value.map((j) => j.id)): Promise<string> {
    const r = await call(api.transfers.exportDrafts(ids, fileHandle))
    return r.path
  }
  /** Read a YAML manifest of drafts (a file chosen with pickOpen) into the queue, as drafts. */
  async function importDrafts(fileHandle: string): Promise<JobDTO[]> {
    const added = await call(api.transfers.importDrafts(fileHandle))
    for (const j of added) upsert(j)
    return added
  }
  function drainFinished(): JobDTO[] {
    const out = finished.value
    finished.value = []
    return out
  }

  return {
    jobs,
    progress,
    error,
    loaded,
    sorted,
    active,
    finished,
    drafts,
    upsert,
    onProgress,
    onRemoved,
    load,
    subscribe,
    act,
    remove,
    download,
    exportDrafts,
    importDrafts,
    drainFinished,
  }
})
