/** Connection profiles: the list from the main process, the current profile and region (per-profile region remembered). */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type {
  CloudContext,
  ConnectionReport,
  ImportPreview,
  ImportRequest,
  ImportSource,
  ProfileDTO,
  ProfileInput,
  ProfilesState,
  ProfileTestDraft,
} from '@contract/api'
import { api, call, toAppError } from '@/api'
import { EVENTS, type AppErrorData } from '@contract/api'

export const SESSION_KEY = 'glance-desktop.current'

interface Remembered {
  currentId?: string
  regionByProfile?: Record<string, string>
}

function readRemembered(): Remembered {
  try {
    const raw = globalThis.localStorage?.getItem(SESSION_KEY)
    const v: unknown = raw ? JSON.parse(raw) : {}
    return v && typeof v === 'object' ? (v as Remembered) : {}
  } catch {
    return {}
  }
}

/**
 * The regions a profile offers in the switcher: those the main process found in its catalog (image endpoints,
 * narrowed by the profile's own list: main/fleet/service.ts offeredRegions) once known, else the profile's own.
 */
export function regionsOf(p: ProfileDTO | undefined, fromCatalog?: readonly string[]): string[] {
  if (!p) return []
  if (fromCatalog?.length) return [...fromCatalog]
  const list = p.regions.length ? [...p.regions] : p.defaultRegion ? [p.defaultRegion] : []
  return list
}

export function ctxKey(ctx: CloudContext | null | undefined): string {
  return ctx ? `${ctx.profileId}|${ctx.region ?? ''}` : ''
}

export const useProfilesStore = defineStore('profiles', () => {
  const profiles = ref<ProfileDTO[]>([])
  const encryptionAvailable = ref(true)
  const recovered = ref<ProfilesState['recovered']>()
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref<AppErrorData | null>(null)
  const remembered = readRemembered()
  const currentId = ref<string | null>(remembered.currentId ?? null)
  const regionByProfile = ref<Record<string, string>>({ ...(remembered.regionByProfile ?? {}) })
  const reports = ref<Record<string, ConnectionReport>>({})
  /** D2: per profile, the regions its catalog offers (set by the fleet store from `fleet:regions`). */
  const catalogRegions = ref<Record<string, string[]>>({})

  const sorted = computed(() => [...profiles.value].sort((a, b) => a.order - b.order))
  const current = computed(() => profiles.value.find((p) => p.id === currentId.value))
  const regions = computed(() => regionsOf(current.value, current.value ? catalogRegions.value[current.value.id] : undefined))
  const currentRegion = computed(() => {
    const p = current.value
    if (!p) return undefined
    const r = regionByProfile.value[p.id]
    const list = regions.value
    if (r && list.includes(r)) return r
    return p.defaultRegion || list[0] || undefined
  })
  const ctx = computed<CloudContext | null>(() => {
    const p = current.value
    if (!p) return null
    const c: CloudContext = { profileId: p.id }
    if (currentRegion.value) c.region = currentRegion.value
    return c
  })
  const key = computed(() => ctxKey(ctx.value))

  function remember(): void {
    try {
      globalThis.localStorage?.setItem(SESSION_KEY, JSON.stringify({ currentId: currentId.value ?? undefined, regionByProfile: regionByProfile.value }))
    } catch {
      /* ignore */
    }
  }

  function apply(state: ProfilesState): void {
    profiles.value = state.profiles
    encryptionAvailable.value = state.encryptionAvailable
    recovered.value = state.recovered
    loaded.value = true
    if (!profiles.value.some((p) => p.id === currentId.value)) {
      currentId.value = sorted.value[0]?.id ?? null
      remember()
    }
  }

  async function load(): Promise<void> {
    loading.value = true
    try {
      apply(await call(api.profiles.state()))
      error.value = null
    } catch (e) {
      error.value = toAppError(e).toJSON()
      throw e
    } finally {
      loading.value = false
    }
  }

  let unsubscribe: (() => void) | null = null
  function subscribe(): void {
    if (unsubscribe) return
    try {
      unsubscribe = api.on(EVENTS.profiles.changed, (s) => apply(s))
    } catch {
      unsubscribe = null
    }
  }

  function select(id: string): void {
    if (!profiles.value.some((p) => p.id === id)) return
    currentId.value = id
    remember()
  }
  /** D2: the regions a profile's catalog offers (an empty list forgets them). */
  function setCatalogRegions(profileId: string, list: readonly string[]): void {
    catalogRegions.value = { ...catalogRegions.value, [profileId]: [...list] }
  }
  function selectRegion(region: string): void {
    const p = current.value
    if (!p) return
    regionByProfile.value = { ...regionByProfile.value, [p.id]: region }
    remember()
  }

  function upsert(p: ProfileDTO): ProfileDTO {
    const i = profiles.value.findIndex((x) => x.id === p.id)
    if (i >= 0) profiles.value.splice(i, 1, p)
    else profiles.value.push(p)
    if (!currentId.value) select(p.id)
    return p
  }

  async function create(input: ProfileInput): Promise<ProfileDTO> {
    return upsert(await call(api.profiles.create(input)))
  }
  async function update(id: string, input: ProfileInput): Promise<ProfileDTO> {
    return upsert(await call(api.profiles.update(id, input)))
  }
  async function duplicate(id: string): Promise<ProfileDTO> {
    return upsert(await call(api.profiles.duplicate(id)))
  }
  async function remove(id: string): Promise<void> {
    await call(api.profiles.remove(id))
    profiles.value = profiles.value.filter((p) => p.id !== id)
    if (currentId.value === id) {
      currentId.value = sorted.value[0]?.id ?? null
      remember()
    }
  }
  async function reorder(ids: string[]): Promise<void> {
    const before = profiles.value
    profiles.value = profiles.value.map((p) => ({ ...p, order: ids.indexOf(p.id) >= 0 ? ids.indexOf(p.id) : p.order }))
    try {
      await call(api.profiles.reorder(ids))
    } catch (e) {
      profiles.value = before
      throw e
    }
  }
  async function setSecret(profileId: string, secret: string, persist: boolean): Promise<ProfileDTO> {
    return upsert(await call(api.profiles.setSecret({ profileId, secret, persist })))
  }
  async function clearSecret(id: string): Promise<ProfileDTO> {
    return upsert(await call(api.profiles.clearSecret(id)))
  }
  async function test(c: CloudContext): Promise<ConnectionReport> {
    const r = await call(api.profiles.test(c))
    reports.value = { ...reports.value, [c.profileId]: r }
    return r
  }
  async function testDraft(draft: ProfileTestDraft): Promise<ConnectionReport> {
    return call(api.profiles.testDraft(draft))
  }
  async function importPreview(source: ImportSource): Promise<ImportPreview> {
    return call(api.profiles.importPreview(source))
  }
  async function importApply(req: ImportRequest): Promise<ProfileDTO[]> {
    const created = await call(api.profiles.importApply(req))
    for (const p of created) upsert(p)
    return created
  }
  async function saveEnv(id: string): Promise<ProfileDTO> {
    const saved = await call(api.profiles.save(id))
    const wasCurrent = currentId.value === id
    profiles.value = profiles.value.filter((p) => p.id !== id)
    upsert(saved)
    if (wasCurrent) select(saved.id)
    return saved
  }
  async function exportYaml(ids: string[], fileHandle: string): Promise<{ path: string }> {
    return call(api.profiles.exportCloudsYaml(ids, fileHandle))
  }
  // C4: one profile's openrc (no secret)
  async function exportOpenrc(id: string, fileHandle: string): Promise<{ path: string }> {
    return call(api.profiles.exportOpenrc(id, fileHandle))
  }

  return {
    profiles,
    sorted,
    encryptionAvailable,
    recovered,
    loaded,
    loading,
    error,
    currentId,
    current,
    regions,
    currentRegion,
    ctx,
    key,
    reports,
    catalogRegions,
    setCatalogRegions,
    apply,
    load,
    subscribe,
    select,
    selectRegion,
    create,
    update,
    duplicate,
    remove,
    reorder,
    setSecret,
    clearSecret,
    test,
    testDraft,
    importPreview,
    importApply,
    saveEnv,
    exportYaml,
    exportOpenrc,
  }
})
