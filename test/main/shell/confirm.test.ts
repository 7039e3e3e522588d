/** The main process's confirmations as native message boxes: worded in the UI's language, "Cancel" by default. */
import { describe, expect, it } from 'vitest'
import { confirmBoxOptions } from '../../../main/electron/confirm'

describe('confirmation message boxes', () => {
  it('en and zh, the profile named, the subjects listed, Cancel the default and the Escape answer', () => {
    const req = { purpose: 'endpointOverride' as const, name: 'prod', subjects: ['image = http://127.0.0.1:1/x'] }
    const en = confirmBoxOptions(req, 'en-US')
    expect(en.message).toContain('“prod”')
    expect(en.message).toMatch(/token/)
    expect(en.detail).toBe('image = http://127.0.0.1:1/x')
    expect(en.buttons).toEqual(['Cancel', 'Continue'])
    expect(en.defaultId).toBe(0)
    expect(en.cancelId).toBe(0)
    const zh = confirmBoxOptions(req, 'zh-CN')
    expect(zh.message).toContain('令牌')
    expect(zh.buttons).toEqual(['取消', '继续'])
    for (const purpose of ['insecureTls', 'caFile', 'plainHttp', 'publicImage', 'manifestFile'] as const) {
      expect(confirmBoxOptions({ purpose, name: 'x', subjects: [] }, 'en').message.length).toBeGreaterThan(10)
      expect(confirmBoxOptions({ purpose, name: 'x', subjects: [] }, 'zh-CN').message).not.toMatch(/[a-z]{6}/)
    }
  })
})
