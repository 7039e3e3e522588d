import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { importFailedError } from '../../../main/transfers/importer'
import { describeError } from '../../../preload/rules/messages'
import en from '../../../renderer/i18n/en'
import zhCN from '../../../renderer/i18n/zh-CN'

const t = (locale: string) => {
  const g = createI18n({ legacy: false, locale, fallbackLocale: 'en', messages: { en, 'zh-CN': zhCN }, missingWarn: false, fallbackWarn: false }).global
  return (k: string, p?: Record<string, unknown>) => g.t(k, p ?? {})
}
const url = 'http://127.0.0.1:18080/disk.qcow2'

describe('importFailedError: why a URL import failed, as a reason the UI words', () => {
  it('back to queued without a word from Glance: its own reason, no English sentence in the params', () => {
    const e = importFailedError(url, 'img-1', 'queued', { backToQueued: true })
    expect(e.code).toBe('IMPORT_FAILED')
    expect(e.details).toMatchObject({ reason: 'urlBackToQueued', params: { url, imageId: 'img-1', status: 'queued' } })
    expect(JSON.stringify(e.details)).not.toMatch(/went back/)
    expect(describeError(e, t('en')).text).toMatch(/^Glance could not import http:\/\/127\.0\.0\.1:18080\/disk\.qcow2 into image img-1: it went back to queued/)
    expect(describeError(e, t('zh-CN')).text).toMatch(/^Glance 无法将 http:\/\/127\.0\.0\.1:18080\/disk\.qcow2 导入镜像 img-1：镜像回到了排队状态/)
  })
  it("Glance's own words stay the server detail of urlImportFailed", () => {
    const e = importFailedError(url, 'img-2', 'queued', { server: 'HTTP 404' })
    expect(e.details).toMatchObject({ reason: 'urlImportFailed', params: { url, imageId: 'img-2', status: 'queued', server: 'HTTP 404' } })
  })
})
