import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { enableAutoUnmount } from '@vue/test-utils'
import type { InspectionReport } from '@contract/api'
import ImageCreateDialog from '@/components/ImageCreateDialog.vue'
import { byTestId, flush, mountWith } from './support/mount'
import { installMockApi, ok, type MockApi } from './support/mockApi'

const GiB = 1024 ** 3
const ctx = { profileId: 'p1', region: 'R1' }
const report = (over: Partial<InspectionReport> = {}): InspectionReport => ({
  format: 'qcow2',
  proposedDiskFormat: 'qcow2',
  size: GiB,
  virtualSize: 8 * GiB,
  proposedMinDiskGiB: 8,
  details: {},
  unsafe: [],
  warnings: [],
  ...over,
})

// a loaded 2-core machine renders these dialogs slowly: the default 5 s is not enough
vi.setConfig({ testTimeout: 30_000 })

let api: MockApi
enableAutoUnmount(afterEach)
beforeEach(() => {
  document.body.innerHTML = ''
  api = installMockApi()
})
afterEach(() => {
  document.body.innerHTML = ''
})

async function open(props: Record<string, unknown> = {}) {
  const w = mountWith(ImageCreateDialog, {
    props: { modelValue: true, ctx, publicize: { allowed: true }, tagOptions: ['gold'], initialFile: null, ...props },
  })
  await flush()
  await nextTick()
  return w
}
async function type(testid: string, value: string) {
  const found = byTestId(testid)!
  // el-input puts data-testid on the native <input>/<textarea> itself.
  const el = (found.matches('input, textarea') ? found : found.querySelector('input, textarea')) as HTMLInputElement
  el.value = value
  el.dispatchEvent(new Event('input'))
  await nextTick()
}
async function click(testid: string) {
  const el = byTestId(testid)!
  // happy-dom does not forward a click on a <label> to its input; a browser does.
  const target = el.tagName === 'LABEL' ? (el.querySelector('input') ?? el) : el
  target.click()
  if (target instanceof HTMLInputElement && target.type === 'radio') {
    target.checked = true
    target.dispatchEvent(new Event('change'))
  }
  for (let i = 0; i < 6; i++) {
    await flush()
    await nextTick()
  }
}
const text = () => document.body.textContent ?? ''

describe('ImageCreateDialog', () => {
  it('shows every console field', async () => {
    await open()
    for (const id of [
      'create-name',
      'create-source-file',
      'create-os-type',
      'create-arch-arm',
      'create-arch-x86',
      'create-virt-qemu',
      'create-virt-baremetal',
      'create-min-disk',
      'create-min-ram',
      'create-public',
      'create-protected',
      'create-online-resize',
      'create-agent',
      'create-multiqueue',
      'create-encrypted-password',
      'create-description',
      'create-submit',
      'create-draft',
    ])
      expect(byTestId(id), id).not.toBeNull()
    expect(byTestId('create-boot-mode')).toBeNull()
    await click('create-virt-baremetal')
    expect(byTestId('create-boot-mode')).not.toBeNull()
  })

  it('does not submit an empty form and says why', async () => {
    await open()
    await click('create-submit')
    await vi.waitFor(() => expect(text()).toContain('Image name is required.'), { timeout: 5000 })
    expect(text()).toContain('Choose a local file.')
    expect(api.images.create).not.toHaveBeenCalled()
  })

  it('inspects the chosen file, fills disk format and min disk, and queues the job', async () => {
    api.files.pickOpen.mockImplementation(() => ok({ handle: 'fh1', name: 'ubuntu.qcow2', path: '/data/ubuntu.qcow2', size: GiB }))
    api.files.inspect.mockImplementation(() => ok(report()))
    api.images.create.mockImplementation(() => ok({ jobId: 'job-1' }))
    api.transfers.list.mockImplementation(() => ok([]))
    const w = await open()
    await click('create-source-file')
    await flush()
    expect(api.files.inspect).toHaveBeenCalledWith('fh1', 'auto')
    expect(byTestId('create-inspection')!.textContent).toContain('8 GiB')
    await click('create-submit')
    expect(api.images.create).toHaveBeenCalledTimes(1)
    const [c, input] = api.images.create.mock.calls[0]!
    expect(c).toEqual(ctx)
    expect(input).toMatchObject({ name: 'ubuntu', diskFormat: 'qcow2', source: { kind: 'file', fileHandle: 'fh1' }, fields: { minDiskGiB: 8 } })
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([false])
  })

  it('blocks an unsafe file with the reason', async () => {
    api.files.pickOpen.mockImplementation(() => ok({ handle: 'fh2', name: 'evil.qcow2', path: '/x/evil.qcow2' }))
    api.files.inspect.mockImplementation(() => ok(report({ unsafe: ['qcow2 with an external data file'] })))
    await open()
    await click('create-source-file')
    await flush()
    expect(byTestId('create-unsafe')!.textContent).toContain('external data file')
    await click('create-submit')
    await vi.waitFor(() => expect(text()).toContain('This file cannot be uploaded: qcow2 with an external data file'), { timeout: 5000 })
    expect(api.images.create).not.toHaveBeenCalled()
  })

  it('warns (Arm + BIOS) before submitting, then lets the user go on; drafts pass draft=true', async () => {
    api.images.create.mockImplementation(() => ok({ jobId: 'j' }))
    await open()
    await type('create-name', 'arm-bm')
    await click('create-source-kind-url')
    await vi.waitFor(() => expect(byTestId('create-source-url')).not.toBeNull(), { timeout: 5000 })
    await type('create-source-url', 'https://example.com/a.raw')
    await click('create-format-raw')
    await click('create-arch-arm')
    await click('create-virt-baremetal')
    await click('create-boot-bios')
    await click('create-draft')
    expect(byTestId('create-warnings')!.textContent).toContain('Arm (aarch64) machines boot with UEFI')
    expect(api.images.create).not.toHaveBeenCalled()
    expect(byTestId('create-submit')!.textContent).toContain('Create anyway')
    await click('create-draft')
    expect(api.images.create).toHaveBeenCalledTimes(1)
    expect(api.images.create.mock.calls[0]![1]).toMatchObject({
      draft: true,
      source: { kind: 'url', url: 'https://example.com/a.raw' },
      fields: { architecture: 'arm', virtualization: 'baremetal', bootMode: 'bios' },
    })
  })

  it('a URL needs a chosen format: no "Detect from file", no hidden qcow2, the reason on the field (issue 14.3)', async () => {
    api.images.create.mockImplementation(() => ok({ jobId: 'j' }))
    await open()
    await type('create-name', 'from-url')
    await click('create-source-kind-url')
    await vi.waitFor(() => expect(byTestId('create-source-url')).not.toBeNull(), { timeout: 5000 })
    await type('create-source-url', 'https://example.com/a.img')
    expect(text()).not.toContain('Detect from file')
    await click('create-submit')
    expect(api.images.create).not.toHaveBeenCalled()
    expect(byTestId('create-format-error')!.textContent).toContain('Choose the disk format')
    await click('create-format-vmdk')
    expect(byTestId('create-format-error')).toBeNull()
    await click('create-submit')
    expect(api.images.create).toHaveBeenCalledTimes(1)
    expect(api.images.create.mock.calls[0]![1]).toMatchObject({ diskFormat: 'vmdk', source: { kind: 'url', url: 'https://example.com/a.img' } })
  })

  it('a format that contradicts the inspected file is flagged on the field at once, before Create (issue 14.8)', async () => {
    api.files.pickOpen.mockImplementation(() => ok({ handle: 'h', name: 'disk.qcow2', path: '/x/disk.qcow2', size: GiB }))
    api.files.inspect.mockImplementation(() => ok(report()))
    await open()
    await click('create-source-file')
    await vi.waitFor(() => expect(byTestId('create-inspection')).not.toBeNull(), { timeout: 5000 })
    expect(byTestId('create-format-error')).toBeNull()
    await click('create-format-raw')
    expect(byTestId('create-format-error')!.textContent).toContain('The file is qcow2, not raw')
    expect(api.images.create).not.toHaveBeenCalled()
  })

  it('visibility shared is offered and sent (issue 14.4)', async () => {
    api.images.create.mockImplementation(() => ok({ imageId: 'i1' }))
    await open()
    await type('create-name', 'shared-one')
    await click('create-source-kind-none')
    await click('create-format-raw')
    await click('create-visibility-shared')
    await click('create-submit')
    expect(api.images.create.mock.calls[0]![1]).toMatchObject({ visibility: 'shared', fields: { public: false } })
  })

  it('public is disabled with the reason when the user may not publicize', async () => {
    await open({ publicize: { allowed: false, reason: { key: 'perm.adminOnly' } } })
    const sw = byTestId('create-public')!
    expect(sw.className).toContain('is-disabled')
  })

  it('renders in Chinese with the console’s words', async () => {
    document.body.innerHTML = ''
    mountWith(ImageCreateDialog, { props: { modelValue: true, ctx, publicize: { allowed: true }, tagOptions: [], initialFile: null } }, 'zh-CN')
    await flush()
    expect(text()).toContain('创建镜像')
    expect(text()).toContain('最小系统盘(GiB)')
    expect(text()).toContain('启用网卡多队列')
  })
})
