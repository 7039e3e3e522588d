/**
 * Issue 14.7: the volume toast reaches the Chinese UI in Chinese (the volume's status worded), and a refusal from the
 * main process (code + reason + params) is worded in the UI's language.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { enableAutoUnmount } from '@vue/test-utils'
import CreateVolumeDialog from '@/components/CreateVolumeDialog.vue'
import { byTestId, flush, mountWith } from './support/mount'
import { fail, image, installMockApi, ok, type MockApi } from './support/mockApi'

let api: MockApi
enableAutoUnmount(afterEach)
beforeEach(() => {
  document.body.innerHTML = ''
  api = installMockApi()
  api.volumes.types.mockImplementation(() => ok([]))
  api.volumes.zones.mockImplementation(() => ok([]))
})

async function submit(locale: 'zh-CN' | 'en'): Promise<string> {
  mountWith(CreateVolumeDialog, { props: { modelValue: true, ctx: { profileId: 'p1' }, image: image({ name: 'web', virtualSize: 1024 ** 3 }) } }, locale)
  await flush()
  await nextTick()
  byTestId('volume-submit')!.click()
  for (let i = 0; i < 8; i++) {
    await flush()
    await nextTick()
  }
  return document.body.textContent ?? ''
}

describe('CreateVolumeDialog in both languages', () => {
  it('the success toast words the volume status', async () => {
    api.volumes.create.mockImplementation(() => ok({ id: 'v1', name: 'web-volume', status: 'available', size: 1 }))
    const zh = await submit('zh-CN')
    expect(zh).toContain('云硬盘“web-volume”正在创建（可用）。')
    expect(zh).not.toContain('available')
  })
  it('a refusal with a reason is worded, not the English message', async () => {
    api.volumes.create.mockImplementation(() =>
      fail('VALIDATION', 'Image x is queued; only active images can become volumes.', { details: { reason: 'volumeNotActive', params: { status: 'queued' } } }),
    )
    const zh = await submit('zh-CN')
    expect(zh).toContain('仅“可用”状态的镜像可以创建云硬盘（当前为 排队中）。')
    expect(zh).not.toContain('only active images')
  })
})
