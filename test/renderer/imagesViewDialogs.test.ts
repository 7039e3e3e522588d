// Issue 16.4 (cold start): the images view's dialogs and drawers (lazy chunks) mount after the list's first page,
// not with the view, so their scripts do not run while the list is asked for and painted; one opened before that
// still opens, with its form set up.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { enableAutoUnmount } from '@vue/test-utils'
import type { ProfileDTO, Result } from '@contract/api'
import ImagesView from '@/views/ImagesView.vue'
import { useProfilesStore } from '@/stores/profiles'
import { emptyProfile } from '@/lib/profileForm'
import { byTestId, flush, mountWith } from './support/mount'
import { image, installMockApi, ok, type MockApi } from './support/mockApi'

vi.setConfig({ testTimeout: 30_000 })

const profile: ProfileDTO = {
  ...emptyProfile(),
  id: 'p1',
  name: 'p1',
  authUrl: 'http://k/v3',
  regions: ['R1'],
  defaultRegion: 'R1',
  source: 'saved',
  secretState: 'stored',
  order: 0,
}

let api: MockApi
let answerList: (r: Result<unknown>) => void
enableAutoUnmount(afterEach)
beforeEach(() => {
  document.body.innerHTML = ''
  localStorage.clear()
  api = installMockApi()
  api.profiles.state.mockImplementation(() => ok({ profiles: [profile], encryptionAvailable: true }))
  // the list's first page answers when the test says so
  api.images.list.mockImplementation(() => new Promise((r) => (answerList = r)))
  const yes = { allowed: true }
  const can = { create: yes, edit: yes, delete: yes, download: yes, publicize: yes }
  api.images.capabilities.mockImplementation(() =>
    ok({ projectId: 'proj', roles: ['member'], isAdmin: false, can, importMethods: [], stores: [], volumeService: false }),
  )
})
afterEach(() => {
  document.body.innerHTML = ''
})

async function settle(n = 8): Promise<void> {
  for (let i = 0; i < n; i++) {
    await flush()
    await nextTick()
  }
}

async function mountView() {
  const w = mountWith(ImagesView, { global: { stubs: { ImageFilterBar: true } } })
  await useProfilesStore().load()
  await settle()
  expect(api.images.list).toHaveBeenCalled()
  return w
}

const dialogNames = [
  'ImageCreateDialog',
  'ImageEditDialog',
  'TagsDialog',
  'CreateVolumeDialog',
  'ShareDialog',
  'ExportDialog',
  'SharedWithMeDrawer',
  'ImageDetailDrawer',
]
const mounted = (w: Awaited<ReturnType<typeof mountView>>) => dialogNames.filter((n) => w.findComponent({ name: n }).exists())
/** defineAsyncComponent's wrappers in the tree: one mounted starts its chunk's import (resolved or not yet). */
const asyncWrappers = (w: Awaited<ReturnType<typeof mountView>>) => w.findAllComponents({ name: 'AsyncComponentWrapper' }).length

describe('the images view at a cold start', () => {
  it('mounts no dialog while the first page is awaited, and all of them once it is painted', async () => {
    const w = await mountView()
    expect(asyncWrappers(w)).toBe(0)
    expect(mounted(w)).toEqual([])
    answerList({ ok: true, value: { images: [image({ name: 'first' })] } })
    await vi.waitFor(
      async () => {
        await settle(2)
        expect(mounted(w)).toEqual(dialogNames)
      },
      { timeout: 10_000, interval: 50 },
    )
    expect(document.body.textContent).toContain('first')
  })

  it('opens the export dialog asked for before the first page, with its form', async () => {
    const w = await mountView()
    expect(asyncWrappers(w)).toBe(0)
    expect(mounted(w)).toEqual([])
    ;(byTestId('btn-export') as HTMLElement).click()
    await vi.waitFor(
      async () => {
        await settle(2)
        expect(byTestId('export-dialog')).not.toBeNull()
        expect(byTestId('export-format-csv')).not.toBeNull()
      },
      { timeout: 10_000, interval: 50 },
    )
    expect(mounted(w)).toContain('ExportDialog')
  })
})
