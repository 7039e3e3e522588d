/**
 * Issue 16.4 (cold start): the images view mounts its dialogs and drawers (closed, so nothing of them shows) only
 * once the first rows are painted, or when one of them opens, so that their code does not load and run while the
 * first page is on its way. Two of them are stubbed here to see when they are imported and mounted.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import type { ImagePage, ProfileDTO, Result } from '@contract/api'
import ImagesView from '@/views/ImagesView.vue'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { byTestId, flush, mountWith } from './support/mount'
import { image, installMockApi, ok, type MockApi } from './support/mockApi'

const imported = vi.hoisted(() => [] as string[])
const stub = (name: string) =>
  defineComponent({
    name,
    props: { modelValue: Boolean },
    setup: (props) => () => h('div', { 'data-testid': `stub-${name}`, 'data-open': String(props.modelValue) }),
  })
vi.mock('@/components/ImageCreateDialog.vue', () => {
  imported.push('create')
  return { __esModule: true, default: stub('create') }
})
vi.mock('@/components/SharedWithMeDrawer.vue', () => {
  imported.push('shared')
  return { __esModule: true, default: stub('shared') }
})

function profile(id: string): ProfileDTO {
  return { ...emptyProfile(), id, name: id, authUrl: 'http://k/v3', regions: ['R1'], defaultRegion: 'R1', source: 'saved', secretState: 'stored', order: 0 }
}

const frames = async () => {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => requestAnimationFrame(() => r(null)))
    await flush()
  }
}

let api: MockApi
let answer: (page: ImagePage) => void
beforeEach(() => {
  localStorage.clear()
  api = installMockApi()
  api.profiles.state.mockImplementation(() => ok({ profiles: [profile('p1')], encryptionAvailable: true }))
  api.images.list.mockImplementation(
    () =>
      new Promise<Result<ImagePage>>((r) => {
        answer = (page) => r({ ok: true, value: page })
      }),
  )
})

describe('images view: the dialogs wait for the first rows', () => {
  it('are neither imported nor mounted while the first page is on its way; mounted after the rows are painted', async () => {
    const w = mountWith(ImagesView)
    await useProfilesStore().load()
    await frames()
    expect(api.images.list).toHaveBeenCalledTimes(1)
    expect(imported).not.toContain('create')
    expect(byTestId('stub-create')).toBeNull()
    answer({ images: [image({ name: 'first' })] })
    await frames()
    await vi.waitFor(() => expect(byTestId('stub-create')).not.toBeNull())
    expect(imported).toContain('create')
    expect(byTestId('stub-create')!.dataset.open).toBe('false')
    w.unmount()
  })

  it('one opened before the first page is mounted at once, open', async () => {
    const w = mountWith(ImagesView)
    await useProfilesStore().load()
    await frames()
    expect(byTestId('stub-shared')).toBeNull()
    ;(byTestId('btn-shared-with-me') as HTMLButtonElement).click()
    await vi.waitFor(() => expect(byTestId('stub-shared')).not.toBeNull())
    expect(byTestId('stub-shared')!.dataset.open).toBe('true')
    answer({ images: [] })
    w.unmount()
  })
})
