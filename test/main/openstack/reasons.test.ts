/**
 * Issue 14.7: Keystone/session and Cinder errors carry a reason code + params, and the renderer's catalogues word them
 * in both languages (describeError over the typed catalogues, as the UI does).
 */
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { AppError } from '../../../preload/api'
import { describeError } from '../../../preload/rules/messages'
import { authBody, identityV3Url, pickEndpoint } from '../../../main/openstack/session'
import { CinderClient } from '../../../main/openstack/cinder'
import en from '../../../renderer/i18n/en'
import zhCN from '../../../renderer/i18n/zh-CN'

const i18n = (locale: string) => {
  const g = createI18n({ legacy: false, locale, fallbackLocale: 'en', messages: { en, 'zh-CN': zhCN }, missingWarn: false, fallbackWarn: false }).global
  return (k: string, p?: Record<string, unknown>) => g.t(k, p ?? {})
}
const zh = i18n('zh-CN')
const enT = i18n('en')

function caught(fn: () => unknown): AppError {
  try {
    fn()
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('did not throw')
}
async function rejected(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('did not reject')
}

describe('session errors have reasons, worded in zh-CN and en', () => {
  it('v2.0 auth URL, missing user, application credential without id/name', () => {
    const v2 = caught(() => identityV3Url('http://k:5000/v2.0'))
    expect(v2.details).toMatchObject({ reason: 'keystoneV2' })
    expect(describeError(v2, zh).text).toBe('不支持 Keystone v2.0，请使用 v3 认证地址（…/v3）。')
    expect(describeError(v2, zh).detail).toBeUndefined()
    const noUser = caught(() => authBody({ type: 'password', password: 'x' } as never))
    expect(describeError(noUser, zh).text).toBe('密码认证需要用户名或用户 ID。')
    const ac = caught(() => authBody({ type: 'applicationCredential', secret: 's' } as never))
    expect(describeError(ac, enT).text).toBe('Application credential authentication needs the credential’s id or name.')
  })
  it('no endpoint in the region names the regions that have one', () => {
    const catalog = [{ type: 'image', endpoints: [{ interface: 'public', region: 'RegionTwo', url: 'http://g' }] }]
    const e = caught(() => pickEndpoint(catalog as never, 'image', 'RegionOne', 'public'))
    expect(e.code).toBe('NO_ENDPOINT')
    expect(describeError(e, zh).text).toBe('服务目录中区域 RegionOne 没有 public 类型的 image 端点（以下区域有：RegionTwo）。')
  })
})

describe('cinder errors have reasons', () => {
  const cinderWith = (status: string) => {
    const session = {
      endpointFor: async () => 'http://cinder/v3/p',
      request: async () => ({ body: { volume: { id: 'v-9', name: 'x', status, size: 1 } } }),
    }
    return new CinderClient(session as never, 'RegionOne')
  }
  it('a volume in error, and one still creating when the wait runs out', async () => {
    const failed = await rejected(cinderWith('error').waitForVolume('v-9', { intervalMs: 1 }))
    expect(failed.details).toMatchObject({ reason: 'volumeFailed', params: { volumeId: 'v-9', status: 'error' } })
    expect(describeError(failed, zh).text).toBe('云硬盘 v-9 创建失败（状态 error）。')
    const slow = await rejected(cinderWith('creating').waitForVolume('v-9', { timeoutMs: 5, intervalMs: 1 }))
    expect(slow.code).toBe('TIMEOUT')
    expect(describeError(slow, zh).text).toMatch(/^云硬盘 v-9 在 0 秒后仍为 creating/)
  })
})
