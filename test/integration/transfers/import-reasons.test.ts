/**
 * Issue 14.7: a failed URL import (a 404 at the source, real Glance web-download) reaches the Chinese UI in Chinese:
 * the job's error carries reason urlImportFailed + params, worded from the renderer's catalogues; Glance's own
 * words (if any) are the detail.
 */
import { createServer, type Server } from 'node:http'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { describeCloud } from '../../support/cloud'
import type { TransferService } from '../../../main/transfers/service'
import type { CloudClient } from '../../../main/openstack/types'
import { describeError } from '../../../preload/rules/messages'
import en from '../../../renderer/i18n/en'
import zhCN from '../../../renderer/i18n/zh-CN'
import { clientFor, fields, openService, tmp } from './helpers'

describeCloud('transfers: a failed URL import is worded in the UI language', (cloud) => {
  let dir: string
  let svc: TransferService
  let client: CloudClient
  let server: Server
  let port = 0
  const created: string[] = []
  const ctx = { profileId: 'it', region: cloud.region }

  beforeAll(async () => {
    dir = tmp('xfer-reasons-')
    svc = await openService(cloud, join(dir, 'data'))
    svc.start()
    client = await clientFor(cloud)
    server = createServer((_req, res) => {
      res.writeHead(404)
      res.end()
    })
    // one of the ports this Glance's import filtering allows (test/cloud/env.sh), the first one free
    for (const p of [18082, 18081, 18080]) {
      const ok = await new Promise<boolean>((r) => {
        server.once('error', () => r(false))
        server.listen(p, '127.0.0.1', () => r(true))
      })
      if (ok) {
        port = p
        break
      }
    }
  })
  afterAll(async () => {
    server?.close()
    await svc?.stop()
    for (const id of created) await client.glance.delete(id).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })

  it('IMPORT_FAILED/urlImportFailed with the URL and the image, in zh-CN and en', async () => {
    expect(port, 'one of the allowed ports 18080-18082 must be free').toBeGreaterThan(0)
    const url = `http://127.0.0.1:${port}/missing.raw`
    const bad = await svc.waitFor((await svc.enqueueImport(ctx, { name: 'xfer-reasons-404', fields, diskFormat: 'raw', url })).id)
    if (bad.imageId) created.push(bad.imageId)
    expect(bad.state).toBe('failed')
    expect(bad.error?.code).toBe('IMPORT_FAILED')
    expect(bad.error?.details).toMatchObject({ reason: 'urlImportFailed', params: { url } })
    const t = (locale: string) => {
      const g = createI18n({ legacy: false, locale, fallbackLocale: 'en', messages: { en, 'zh-CN': zhCN }, missingWarn: false, fallbackWarn: false }).global
      return (k: string, p?: Record<string, unknown>) => g.t(k, p ?? {})
    }
    const zh = describeError(bad.error, t('zh-CN'))
    expect(zh.text).toMatch(new RegExp(`^Glance 无法将 ${url.replace(/\./g, '\\.')} 导入镜像 ${bad.imageId}`))
    expect(zh.text).not.toMatch(/Check that the URL/)
    expect(describeError(bad.error, t('en')).text).toMatch(/^Glance could not import/)
  })
})
