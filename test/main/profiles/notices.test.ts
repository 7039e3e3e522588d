/**
 * Issue 14.7 (B3): the "recovered" notices (a corrupt settings or secrets file kept aside) carry a reason + params,
 * worded in the UI's language (notice.<reason>); the English message stays the fallback.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { ProfileService } from '../../../main/profiles/service'
import { describeNotice } from '../../../preload/rules/messages'
import { translator } from '../../../main/i18n'
import { harness } from './helpers'

it('a corrupt settings file: the notice is worded in Chinese and in English', async () => {
  const h = harness()
  writeFileSync(join(h.dir, 'settings.json'), '{"version": 2, "profiles": [ {"name": "half')
  const svc = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
  const r = svc.state().recovered!
  expect(r.reason).toBe('settingsKeptAside')
  const backup = r.backupPath.split('/').pop()!
  expect(r.params?.backup).toBe(backup)
  const notice = { message: r.message, ...(r.reason ? { reason: r.reason } : {}), ...(r.params ? { params: r.params } : {}) }
  const zh = describeNotice(notice, translator('zh-CN'))
  expect(zh).toContain(`已将其保留为 ${backup}，应用以空的连接配置启动。`)
  expect(describeNotice(notice, translator('en'))).toBe(r.message)
})
