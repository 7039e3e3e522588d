/**
 * A: the inspector's refusals and the upload's file binding reach the user in their language through the one error
 * path (describeError over errorReason.UNSAFE_FILE / FORMAT_MISMATCH / FILE.*, worded from preload/rules/inspection.ts),
 * naming what was found and the fixing command; never the English message.
 */
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { messages } from '@/i18n'
import { describeError } from '@/lib/errors'
import { INSPECTION_WORDS } from '@contract/rules/inspection'

const tr = (locale: 'en' | 'zh-CN') => {
  const i18n = createI18n({ legacy: false, locale, fallbackLocale: 'en', messages, missingWarn: false, fallbackWarn: false })
  return (k: string, p?: Record<string, unknown>) => (p ? i18n.global.t(k, p) : i18n.global.t(k))
}

const unsafe = {
  code: 'UNSAFE_FILE',
  message: 'English fallback only',
  details: { reason: 'vmdkExtentFile', params: { file: '"/etc/passwd"', type: 'FLAT' } },
}

describe('inspection refusals worded by the renderer', () => {
  it('an UNSAFE_FILE refusal names the file found, why, and the command, in English and Chinese', () => {
    const en = describeError(unsafe, tr('en')).text
    expect(en).toMatch(/"\/etc\/passwd", type FLAT.*compute host.*qemu-img convert -O vmdk/)
    const zh = describeError(unsafe, tr('zh-CN')).text
    expect(zh).toMatch(/镜像之外的 extent（"\/etc\/passwd"，类型 FLAT）.*qemu-img convert/)
    expect(zh).not.toMatch(/English fallback/)
  })

  it('a format mismatch and a changed file are worded too', () => {
    const mm = {
      code: 'FORMAT_MISMATCH',
      message: 'x',
      details: { reason: 'formatMismatch', params: { detected: 'qcow2', declared: 'raw', proposed: 'qcow2' } },
    }
    expect(describeError(mm, tr('zh-CN')).text).toBe(
      '该文件是 qcow2，不是 raw：按 raw 上传会得到无法启动的镜像（Glance 也会检查）。请选择磁盘格式 qcow2 或 auto。',
    )
    const ch = { code: 'FILE', message: 'x', details: { reason: 'fileChanged', params: { path: '/d/a.raw', field: 'ino', then: 1, now: 2 } } }
    expect(describeError(ch, tr('en')).text).toMatch(/^The file \/d\/a\.raw changed after it was inspected \(ino: 1 then, 2 now\)/)
  })

  it('every inspection reason compiles as a vue-i18n message in both languages (no stray syntax)', () => {
    for (const [reason, words] of Object.entries(INSPECTION_WORDS)) {
      for (const [i, loc] of (['en', 'zh-CN'] as const).entries()) {
        const code = reason === 'fileChanged' ? 'FILE' : reason === 'formatMismatch' ? 'FORMAT_MISMATCH' : 'UNSAFE_FILE'
        const text = describeError({ code, message: 'm', details: { reason, params: {} } }, tr(loc)).text
        // the words up to the first placeholder, as written (a vue-i18n syntax character would have changed them)
        expect(text.startsWith(words[i]!.split('{')[0]!), `${loc} ${reason}: ${text}`).toBe(true)
        expect(text.replace(/\s+/g, '').length, `${loc} ${reason}`).toBe(words[i]!.replace(/\{\w+\}/g, '').replace(/\s+/g, '').length)
      }
    }
  })
})
