/** main/i18n.ts: the main process words from the renderer's typed catalogues, in the UI's locale. */
import { describe, expect, it } from 'vitest'
import { setUiLocale, toUiLocale, translator, uiLocale } from '../../main/i18n'

describe('main-process wording', () => {
  it('words a catalogue key with params in both languages; a missing key comes back as the key', () => {
    expect(translator('en')('volume.created', { name: 'v', status: 'x' })).toBe('Volume “v” is being created (x).')
    expect(translator('zh-CN')('volume.created', { name: 'v', status: 'x' })).toBe('云硬盘“v”正在创建（x）。')
    expect(translator('zh-CN')('no.such.key')).toBe('no.such.key')
  })
  it('the UI locale wins over the system one once the renderer said it', () => {
    expect(toUiLocale('zh-TW')).toBe('zh-CN')
    expect(toUiLocale('de-DE')).toBe('en')
    expect(uiLocale('zh-CN')).toBe('zh-CN')
    setUiLocale('en')
    expect(uiLocale('zh-CN')).toBe('en')
  })
})
