/**
 * Issue 14.7: native notifications reach the user in the UI's language (the renderer reports it with app:setLocale;
 * main/i18n.ts words them from the renderer's catalogues, the error through the same describeError).
 */
import { describe, expect, it } from 'vitest'
import { notifyEnded } from '../../../main/transfers/notifications'
import { setUiLocale } from '../../../main/i18n'
import { appHandlers } from '../../../main/ipc/handlers/app'

function shell() {
  const sent: [string, string][] = []
  return { sent, notify: (t: string, b: string) => void sent.push([t, b]), openExternal: async () => {}, setProgress: () => {} }
}
const failed = {
  id: 'j1',
  kind: 'upload',
  state: 'failed',
  imageName: 'web-01',
  error: { code: 'NETWORK', message: 'Network error talking to g:9292: connect ECONNREFUSED', details: { reason: 'transport', params: { host: 'g:9292' } } },
} as never
const done = { id: 'j2', kind: 'download', state: 'done', imageName: 'web-02', result: { verified: true, seconds: 3600 } } as never

describe('native notifications in the UI language', () => {
  it('zh-CN and en, the error worded from its reason (no English sentence in Chinese)', () => {
    const s = shell()
    notifyEnded(s, failed, 'zh-CN')
    notifyEnded(s, done, 'zh-CN')
    notifyEnded(s, failed, 'en')
    expect(s.sent).toEqual([
      ['上传失败', 'web-01: 无法连接 g:9292：请检查地址和网络。'],
      ['下载已完成', 'web-02'],
      ['Upload failed', 'web-01: Cannot reach g:9292: check the address and your network.'],
    ])
  })

  it('the locale the renderer reports through app:setLocale is the one used', async () => {
    const handlers = appHandlers({} as never) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>
    const setLocale = handlers['app:setLocale']
    expect(setLocale, 'app:setLocale is bound').toBeTypeOf('function')
    await setLocale!('zh-CN')
    const s = shell()
    notifyEnded(s, failed)
    expect(s.sent[0]![0]).toBe('上传失败')
    setUiLocale('en')
  })
})
