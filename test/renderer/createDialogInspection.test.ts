/**
 * [F4] The create dialog words the inspector's findings (report.issues: reason code + params) in the UI's language
 * through preload/rules/inspection.ts, not the English fallback strings of report.unsafe / report.warnings.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { enableAutoUnmount } from '@vue/test-utils'
import type { InspectionReport } from '@contract/api'
import { inspectionText } from '@contract/rules/inspection'
import ImageCreateDialog from '@/components/ImageCreateDialog.vue'
import { inspectionLines, validateCreate, emptyCreateForm } from '@/lib/imageForm'
import { byTestId, flush, mountWith } from './support/mount'
import { installMockApi, ok, type MockApi } from './support/mockApi'

const GiB = 1024 ** 3
const ENGLISH_UNSAFE = 'qcow2 with an external data file (fallback)'
const ENGLISH_WARNING = 'declared other (fallback)'
const dataFile = { reason: 'qcow2DataFile', params: { name: '/etc/shadow' } }
const declared = { reason: 'declaredOther', params: { declared: 'raw', detected: 'iso' } }
const unsafeReport = (): InspectionReport => ({
  format: 'qcow2',
  proposedDiskFormat: 'qcow2',
  size: GiB,
  virtualSize: 8 * GiB,
  proposedMinDiskGiB: 8,
  details: {},
  unsafe: [ENGLISH_UNSAFE],
  warnings: [ENGLISH_WARNING],
  issues: { unsafe: [dataFile], warnings: [declared] },
})

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

async function settle() {
  for (let i = 0; i < 6; i++) {
    await flush()
    await nextTick()
  }
}

async function openWith(locale: 'en' | 'zh-CN') {
  api.files.pickOpen.mockImplementation(() => ok({ handle: 'fh2', name: 'evil.qcow2', path: '/x/evil.qcow2' }))
  api.files.inspect.mockImplementation(() => ok(unsafeReport()))
  mountWith(
    ImageCreateDialog,
    { props: { modelValue: true, ctx: { profileId: 'p1', region: 'R1' }, publicize: { allowed: true }, tagOptions: [], initialFile: null } },
    locale,
  )
  await settle()
  byTestId('create-source-file')!.click()
  await settle()
}

describe('ImageCreateDialog words inspection findings in the UI language', () => {
  for (const [locale, blocked] of [
    ['zh-CN', '该文件不能上传：'],
    ['en', 'This file cannot be uploaded: '],
  ] as const) {
    it(`${locale}: the refusal and the warning are the catalogue sentences naming the finding`, async () => {
      await openWith(locale)
      const sentence = inspectionText(dataFile, locale)
      expect(sentence).toContain('/etc/shadow')
      if (locale === 'zh-CN') expect(sentence).toMatch(/外部数据文件/)
      const unsafe = byTestId('create-unsafe')!.textContent ?? ''
      expect(unsafe).toContain(sentence)
      expect(unsafe).not.toContain(ENGLISH_UNSAFE)
      const warning = byTestId('create-inspection-warning')!.textContent ?? ''
      expect(warning).toContain(inspectionText(declared, locale))
      expect(warning).not.toContain(ENGLISH_WARNING)

      byTestId('create-submit')!.click()
      await settle()
      await vi.waitFor(() => expect(document.body.textContent).toContain(blocked + sentence), { timeout: 5000 })
      expect(document.body.textContent).not.toContain(ENGLISH_UNSAFE)
      expect(api.images.create).not.toHaveBeenCalled()
    })
  }
})

describe('inspectionLines (the table in renderer/lib/imageForm.ts)', () => {
  it('words coded issues per locale, and falls back to the English strings only for a report without them', () => {
    const r = unsafeReport()
    expect(inspectionLines(r, 'unsafe', 'zh-CN')).toEqual([inspectionText(dataFile, 'zh-CN')])
    expect(inspectionLines(r, 'warnings', 'en')).toEqual([inspectionText(declared, 'en')])
    expect(inspectionLines(r, 'unsafe', 'fr')).toEqual([inspectionText(dataFile, 'en')])
    expect(inspectionLines({ ...r, issues: undefined }, 'unsafe', 'zh-CN')).toEqual([ENGLISH_UNSAFE])
    const form = { ...emptyCreateForm(), name: 'x', sourceKind: 'file' as const, file: { handle: 'h', name: 'a', path: '/a' } }
    const err = validateCreate(form, { state: 'done', report: r }, 'zh-CN').errors.source
    expect(err).toEqual([{ key: 'valid.unsafe', params: { reason: inspectionText(dataFile, 'zh-CN') } }])
  })
})
