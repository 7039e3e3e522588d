/**
 * Issue 14.7 (B3): the profile importers' warnings and errors (clouds.yaml, secure.yaml, openrc) are reasons + params,
 * worded by the UI in its language (errorReason.PROFILE_IMPORT.*); the English strings stay as the fallback.
 */
import { describe, expect, it } from 'vitest'
import { parseCloudsYaml } from '../../../main/profiles/cloudsyaml'
import { profileFromOpenrc } from '../../../main/profiles/openrc'
import { translator } from '../../../main/i18n'
import { importNotes } from '../../../preload/rules/import-notes'

const zh = translator('zh-CN')
const en = translator('en')

describe('import candidates worded in the UI language', () => {
  it('an entry that cannot be created: its errors in Chinese, the English strings unchanged', () => {
    const [c] = parseCloudsYaml('clouds:\n  bad:\n    auth_type: token\n    auth:\n      auth_url: ftp://x/v3\n')
    expect(c!.errors).toContain('auth.auth_url "ftp://x/v3" is not an http(s) URL.')
    expect(c!.issues.errors).toContainEqual({ reason: 'authType', params: { authType: 'token' } })
    const lines = importNotes(c!, 'errors', zh)
    expect(lines).toContain('不支持 auth_type “token”（请使用 password 或 v3applicationcredential）。')
    expect(lines).toContain('auth.auth_url “ftp://x/v3” 不是 http(s) 地址。')
    expect(importNotes(c!, 'errors', en)).toContain('auth.auth_url “ftp://x/v3” is not an http(s) URL.')
  })

  it('warnings (verify off, no password, unknown interface, missing user) in Chinese', () => {
    const [c] = parseCloudsYaml('clouds:\n  w:\n    verify: false\n    interface: weird\n    auth:\n      auth_url: https://k/v3\n      project_name: p\n')
    const w = importNotes(c!, 'warnings', zh)
    expect(w).toContain('此云已关闭 TLS 证书校验（verify: false）。')
    expect(w).toContain('未知的接口 “weird”，将使用 public。')
    expect(w).toContain('文件中没有密码：连接前请输入密码。')
    expect(importNotes(c!, 'errors', zh)).toContain('密码认证需要用户名或用户 ID。')
  })

  it('openrc: an unset reference and the password prompt, with file:line, in Chinese', () => {
    const text =
      'export OS_AUTH_URL=https://k/v3\nexport OS_USERNAME=u\nexport OS_PROJECT_NAME=$NOPE\necho "pw?"\nread -sr OS_PASSWORD_INPUT\nexport OS_PASSWORD=$OS_PASSWORD_INPUT\n'
    const c = profileFromOpenrc(text, 'demo-openrc.sh')
    const w = importNotes(c, 'warnings', zh)
    expect(w).toContain('demo-openrc.sh:3：OS_PROJECT_NAME 引用了 $NOPE，但文件中没有设置它，已忽略。')
    expect(w).toContain('该脚本运行时会询问密码：连接前请输入密码。')
    expect(w.some((x) => x.startsWith('文件中没有密码'))).toBe(false)
    expect(c.warnings.length).toBe(c.issues.warnings.length)
  })

  it('a reason the catalogue lacks falls back to the English string', () => {
    const lines = importNotes({ warnings: ['Something new.'], issues: { warnings: [{ reason: 'notInCatalogue' }], errors: [] } }, 'warnings', zh)
    expect(lines).toEqual(['Something new.'])
  })
})
