/**
 * Copy errors between regions (main/copy/*) carry a reason + params; the renderer words them in the UI language,
 * never the English message.
 */
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { messages } from '@/i18n'
import { describeError } from '@/lib/errors'

const tr = (locale: 'en' | 'zh-CN') => {
  const i18n = createI18n({ legacy: false, locale, fallbackLocale: 'en', messages, missingWarn: false, fallbackWarn: false })
  return (k: string, p?: Record<string, unknown>) => (p ? i18n.global.t(k, p) : i18n.global.t(k))
}

describe('copy errors in the UI language', () => {
  const verify = {
    code: 'HASH_MISMATCH',
    message: 'The copy of s-1 to RegionTwo FAILED verification (checksum, md5). The target image t-1 was deleted.',
    details: {
      imageId: 't-1',
      deleted: true,
      reason: 'copyVerifyFailed',
      params: { sourceId: 's-1', region: 'RegionTwo', imageId: 't-1', checks: 'checksum, md5' },
    },
  }
  it('a failed verification names the checks and the deleted image, in Chinese', () => {
    const z = describeError(verify, tr('zh-CN')).text
    expect(z).toBe('镜像 s-1 复制到 RegionTwo 后校验失败（checksum, md5 与源镜像不一致）。未完成的镜像 t-1 已删除。')
    expect(z).not.toMatch(/FAILED verification/)
    expect(describeError(verify, tr('en')).text).toBe(
      'The copy of image s-1 to RegionTwo failed verification (checksum, md5 differ from the source). ' +
        tr('en')('error.unfinishedDeleted', { imageId: 't-1' }),
    )
  })
  it('a pull that went back to queued is worded too', () => {
    const e = {
      code: 'IMPORT_FAILED',
      message: 'RegionTwo did not pull image s-1 from RegionOne (the image went back to queued).',
      details: { reason: 'copyBackToQueued', params: { region: 'RegionTwo', sourceRegion: 'RegionOne', sourceId: 's-1' } },
    }
    expect(describeError(e, tr('zh-CN')).text).toBe('RegionTwo 未能从 RegionOne 拉取镜像 s-1：镜像回到了排队状态，Glance 未给出原因；将再次尝试复制。')
  })
})
