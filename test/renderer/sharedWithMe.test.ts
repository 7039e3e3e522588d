/** The consumer side of sharing (issue 14.4): images shared with my project by my answer, with Accept and Reject. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount } from '@vue/test-utils'
import type { ImageDTO } from '@contract/api'
import SharedWithMeDrawer from '@/components/SharedWithMeDrawer.vue'
import { byTestId, flush, mountWith } from './support/mount'
import { installMockApi, ok, type MockApi } from './support/mockApi'

vi.setConfig({ testTimeout: 30_000 })
const ctx = { profileId: 'p1', region: 'R1' }
const image = (id: string, owner: string): ImageDTO =>
  ({
    id,
    name: `img-${id}`,
    owner,
    status: 'active',
    visibility: 'shared',
    size: 100 * 1024 * 1024,
    tags: [],
    fields: {},
    properties: {},
  }) as unknown as ImageDTO

let api: MockApi
enableAutoUnmount(afterEach)
beforeEach(() => {
  document.body.innerHTML = ''
  api = installMockApi()
})

async function settle(): Promise<void> {
  for (let i = 0; i < 6; i++) await flush()
}

describe('SharedWithMeDrawer', () => {
  it('lists pending images of other projects (member_status filter), accepts one, switches to rejected', async () => {
    api.images.list.mockImplementation(() => ok({ images: [image('a', 'other'), image('mine', 'me')] }))
    api.images.setMemberStatus.mockImplementation(() => ok({ imageId: 'a', memberId: 'me', status: 'accepted', createdAt: '', updatedAt: '' }))
    mountWith(SharedWithMeDrawer, { props: { modelValue: true, ctx, projectId: 'me' } })
    await settle()
    expect(api.images.list).toHaveBeenCalledWith(ctx, { visibility: 'shared', memberStatus: 'pending', limit: 1000 })
    expect(byTestId('shared-row-a')).not.toBeNull()
    expect(byTestId('shared-row-mine')).toBeNull()
    expect(byTestId('shared-list')!.textContent).toContain('100 MiB')
    byTestId('shared-accept-a')!.click()
    await settle()
    expect(api.images.setMemberStatus).toHaveBeenCalledWith(ctx, 'a', 'accepted')
    const rejected = byTestId('shared-answer-rejected')!
    ;(rejected.querySelector('input') ?? rejected).click()
    await settle()
    expect(api.images.list).toHaveBeenLastCalledWith(ctx, { visibility: 'shared', memberStatus: 'rejected', limit: 1000 })
    expect(byTestId('shared-reject-a')).toBeNull()
    byTestId('shared-accept-a')!.click()
    await settle()
    expect(api.images.setMemberStatus).toHaveBeenLastCalledWith(ctx, 'a', 'accepted')
  })
})
