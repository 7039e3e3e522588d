/** What the user may do per profile and region, as the main process discovered it. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { AppErrorData, CloudContext } from '@contract/api'
import { api, call, toAppError } from '@/api'
import type { CapsState } from '@/lib/permissions'
import { ctxKey, useProfilesStore } from './profiles'

export const useCapabilitiesStore = defineStore('capabilities', () => {
  const byKey = ref<Record<string, CapsState>>({})
  const errors = ref<Record<string, AppErrorData>>({})
  const profiles = useProfilesStore()

  const current = computed<CapsState | undefined>(() => byKey.value[profiles.key])
  const currentError = computed(() => errors.value[profiles.key])

  async function load(ctx: CloudContext | null = profiles.ctx, force = false): Promise<void> {
    if (!ctx) return
    const k = ctxKey(ctx)
    const existing = byKey.value[k]
    if (!force && existing && existing.state !== 'failed') return
    byKey.value = { ...byKey.value, [k]: { state: 'loading' } }
    try {
      const caps = await call(api.images.capabilities(ctx))
      byKey.value = { ...byKey.value, [k]: { state: 'ready', caps } }
      const { [k]: _gone, ...rest } = errors.value
      errors.value = rest
    } catch (e) {
      byKey.value = { ...byKey.value, [k]: { state: 'failed' } }
      errors.value = { ...errors.value, [k]: toAppError(e).toJSON() }
    }
  }

  return { byKey, errors, current, currentError, load }
})
