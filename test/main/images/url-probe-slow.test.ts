import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { judgeProbe, probeImageUrl } from '../../../main/images/url-probe'
import { ImageService, type TransferQueue } from '../../../main/images/service'
import { DEFAULT_PROPERTY_KEYS } from '../../../main/openstack/properties'
import { createI18n } from 'vue-i18n'
import en from '../../../renderer/i18n/en'
import zhCN from '../../../renderer/i18n/zh-CN'

// A local HTTP server that answers HEAD and sends the GET's headers of a qcow2 image, then stalls past the probe's
// timeout: the probe saw a status but no bytes, so it could not check the URL; it must not refuse it.
let server: Server
let base = ''
const open = new Set<import('node:http').ServerResponse>()

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.method === 'HEAD' ? 200 : 206, { 'content-type': 'application/octet-stream', 'content-length': '65536' })
    if (req.method === 'HEAD') return void res.end()
    res.flushHeaders()
    open.add(res) // never ends within the test
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  for (const r of open) r.destroy()
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

describe('probeImageUrl: a read that does not finish', () => {
  it('headers then a stalled body: not refused, reported as not checked', async () => {
    const started = Date.now()
    const v = await probeImageUrl(`${base}/disk.qcow2`, 'qcow2', 400)
    expect(v.outcome).toBe('unreachable')
    expect(Date.now() - started).toBeLessThan(10_000)
  })
  it('an inspection that failed is not a refusal (but a web page still is)', () => {
    const head = Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3])
    expect(judgeProbe(`${base}/x`, 'qcow2', { status: 200, head, inspectFailed: true })).toEqual({ outcome: 'unchecked' })
    expect(() => judgeProbe(`${base}/x`, 'qcow2', { status: 200, head: Buffer.from('<html><body>'), inspectFailed: true })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ reason: 'urlWebPage' }) }),
    )
  })
})

describe('ImageService.create from a URL that could not be checked', () => {
  it('goes on (the import is queued) and tells the UI, worded in en and zh-CN', async () => {
    const transfers: TransferQueue = { enqueueUpload: vi.fn(), enqueueImport: vi.fn(async () => ({ id: 'job2', imageId: 'img2' }) as never) }
    const client = {
      profile: { id: 'p', name: 'P', readOnly: false },
      region: 'RegionOne',
      session: { roles: ['member'], project: { id: 'proj' } },
      glance: {},
      cinder: null,
      keys: DEFAULT_PROPERTY_KEYS,
    }
    const log = { debug() {}, info() {}, warn() {}, error() {}, addSecret() {} }
    const svc = new ImageService({
      clouds: { client: async () => client as never },
      files: { resolve: () => '' },
      log,
      transfers,
      probeUrl: (u, f) => probeImageUrl(u, f, 400),
    })
    const url = `${base}/disk.qcow2`
    const r = await svc.create(
      { profileId: 'p' },
      { name: 'n', fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }, diskFormat: 'qcow2', source: { kind: 'url', url } },
    )
    expect(r).toEqual({ jobId: 'job2', imageId: 'img2', urlNotChecked: true })
    expect(transfers.enqueueImport).toHaveBeenCalledTimes(1)
    const t = (locale: string) => createI18n({ legacy: false, locale, fallbackLocale: 'en', messages: { en, 'zh-CN': zhCN }, missingWarn: false }).global.t
    expect(t('en')('create.urlNotChecked', { url })).toContain(url)
    expect(t('en')('create.urlNotChecked', { url })).toMatch(/could not be checked/)
    expect(t('zh-CN')('create.urlNotChecked', { url })).toMatch(/无法从本机检查/)
  })
})
