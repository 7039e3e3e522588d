/**
 * Issue 14.7: main-process errors carry a code, a reason and parameters; the renderer words them in the UI's language
 * (both typed catalogues); English stays the fallback for an unknown code.
 */
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { messages } from '@/i18n'
import { describeError, errorLine } from '@/lib/errors'

const tr = (locale: 'en' | 'zh-CN') => {
  const i18n = createI18n({ legacy: false, locale, fallbackLocale: 'en', messages, missingWarn: false, fallbackWarn: false })
  return (k: string, p?: Record<string, unknown>) => (p ? i18n.global.t(k, p) : i18n.global.t(k))
}
const en = tr('en')
const zh = tr('zh-CN')
const CJK = /[\u4e00-\u9fff]/

const volumeFailed = {
  code: 'SERVER',
  message: 'Volume v-1 failed: status error.',
  details: { volumeId: 'v-1', status: 'error', reason: 'volumeFailed', params: { volumeId: 'v-1', status: 'error' } },
}

describe('describeError: code + reason + params in the UI language', () => {
  it('words a reason with its parameters in Chinese and in English, without the English message', () => {
    const z = describeError(volumeFailed, zh)
    expect(z.text).toBe('云硬盘 v-1 创建失败（状态 error）。')
    expect(z.detail).toBeUndefined()
    expect(errorLine(volumeFailed, zh)).not.toMatch(/failed: status/)
    expect(describeError(volumeFailed, en).text).toBe('The volume v-1 could not be created (status error).')
  })

  it('a text a server wrote (params.server) is the detail, as is', () => {
    const e = {
      code: 'IMPORT_FAILED',
      message: 'The import of image i-1 failed: 404 Not Found',
      details: { reason: 'taskFailed', params: { imageId: 'i-1', server: '404 Not Found' } },
    }
    const z = describeError(e, zh)
    expect(z.text).toBe('云平台导入镜像 i-1 失败。')
    expect(z.detail).toBe('404 Not Found')
  })

  it('coded parameters (status, visibility, kind) are worded too', () => {
    const e = {
      code: 'VALIDATION',
      message: 'Image x is queued; only active images can become volumes.',
      details: { reason: 'volumeNotActive', params: { status: 'queued' } },
    }
    expect(describeError(e, zh).text).toBe(`仅“可用”状态的镜像可以创建云硬盘（当前为 ${zh('status.queued')}）。`)
    expect(describeError(e, zh).text).not.toMatch(/queued/)
    expect(describeError(e, en).text).toBe('Only active images can become volumes (this one is Queued).')
  })

  it('an unknown reason falls back to the code; an unknown code to the English message', () => {
    const unknownReason = { code: 'TIMEOUT', message: 'Slow.', details: { reason: 'somethingNew', params: {} } }
    expect(describeError(unknownReason, zh).text).toBe(zh('error.TIMEOUT'))
    const unknownCode = { code: 'BRAND_NEW', message: 'A brand new failure.' }
    expect(describeError(unknownCode, zh).text).toBe('A brand new failure.')
  })

  it('every reason in the English catalogue has a Chinese wording with the same placeholders', () => {
    const enR = messages.en.errorReason as Record<string, Record<string, string>>
    const zhR = messages['zh-CN'].errorReason as Record<string, Record<string, string>>
    const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const [code, reasons] of Object.entries(enR)) {
      for (const [reason, text] of Object.entries(reasons)) {
        const z = zhR[code]?.[reason]
        expect(z, `${code}.${reason}`).toMatch(CJK)
        expect(ph(z!), `${code}.${reason}`).toEqual(ph(text))
      }
    }
  })

  it('a failed job says what became of its unfinished image', () => {
    const e = {
      code: 'NETWORK',
      message: 'Network error… The unfinished image i-7 was deleted.',
      details: { reason: 'transport', params: { host: 'g:9292' }, imageId: 'i-7', deleted: true },
    }
    expect(describeError(e, zh).text).toBe('无法连接 g:9292：请检查地址和网络。未完成的镜像 i-7 已删除。')
    expect(describeError({ ...e, details: { ...e.details, deleted: false } }, en).text).toMatch(/i-7 may be left over; delete it\.$/)
  })
})
