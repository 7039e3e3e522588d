/**
 * Fault injection between the app and the REAL loopback Glance: test/support/fault-proxy.ts sits in front of Glance
 * (the profile's endpointOverrides {image: proxy.url}; Keystone is reached directly). For each fault the real transfer
 * engine (TransferService from createServices, driven through the IPC handlers) either recovers or fails clearly, and
 *  - Glance holds no half-made image the job does not name (checked directly, without the proxy);
 *  - no local file is corrupted: a download's final file is absent or verified; the uploaded source is unchanged.
 *
 * Glance killed and restarted mid-upload / mid-download, a token expiring mid-transfer and the engine killed
 * mid-transfer are in test/integration/transfers/faults.test.ts (a disposable cloud, XFER_CLOUD_DIR).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { describeCloud } from '../../support/cloud'
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy'
import type { JobDTO } from '../../../preload/api'
import { sessionFor } from '../openstack/helpers'
import { assertDownloadOutcome, assertUploadOutcome, Direct, download, openApp, randomFile, rmrf, sha512, upload, type App } from './helpers'

const MiB = 1024 * 1024
const PREFIX = `gd-hard-fault-${process.pid}-`

describeCloud('fault injection between the app and the real Glance', (cloud) => {
  let proxy: FaultProxy
  let app: App
  let direct: Direct
  let source: { id: string; sha512: string; bytes: Buffer }
  let n = 0
  const name = (what: string): string => `${PREFIX}${what}-${++n}`

  beforeAll(async () => {
    const glanceUrl = (await sessionFor(cloud).endpointFor('image', cloud.region)).replace(/\/v2\/?$/, '')
    proxy = await startFaultProxy({ target: glanceUrl })
    app = await openApp(cloud, { imageUrl: proxy.url })
    direct = new Direct(cloud, PREFIX)
    // The image downloads are made from: uploaded through the proxy with no fault (the baseline).
    const file = join(app.userDir, 'source.raw')
    const bytes = randomFile(file, 6 * MiB)
    const job = await app.s.transfers.waitFor((await upload(app, file, name('source'))).id)
    expect(job.state).toBe('done')
    source = { id: job.imageId!, sha512: await sha512(file), bytes }
  })
  afterEach(() => {
    proxy.clearRules()
    proxy.releaseStalls()
  })
  afterAll(async () => {
    await direct?.cleanup()
    await app?.close()
    await proxy?.close()
    if (app) rmrf(app.root)
  })

  async function uploadWith(what: string, setup: () => void, size = 6 * MiB): Promise<{ job: JobDTO; name: string; bytes: Buffer; file: string }> {
    const file = join(app.userDir, `${what}.raw`)
    const bytes = randomFile(file, size)
    const nm = name(what)
    setup()
    const job = await app.s.transfers.waitFor((await upload(app, file, nm)).id, undefined, 150_000)
    expect(readFileSync(file).equals(bytes), 'the source file is unchanged').toBe(true)
    await assertUploadOutcome(direct, job, nm, bytes)
    return { job, name: nm, bytes, file }
  }

  async function downloadWith(what: string, setup: () => void): Promise<{ job: JobDTO; path: string }> {
    const path = join(app.userDir, `dl-${what}`, 'image.raw')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(path, '..'), { recursive: true })
    setup()
    const job = await app.s.transfers.waitFor((await download(app, source.id, path)).id, undefined, 150_000)
    await assertDownloadOutcome(job, path, source.sha512)
    return { job, path }
  }

  it('a connection reset mid-upload: the job retries and ends with one verified image', async () => {
    const rule = { current: proxy.addRule({ method: 'PUT', path: /\/file$/, times: 1, action: { kind: 'reset', direction: 'request', afterBytes: 1 * MiB } }) }
    const { job } = await uploadWith('reset-up', () => {})
    expect(rule.current.applied).toBe(1)
    expect(job.state).toBe('done')
    expect(job.attempts).toBeGreaterThanOrEqual(1)
  })

  it('a connection reset mid-download: the download resumes and verifies', async () => {
    const r = proxy.addRule({ method: 'GET', path: /\/file$/, times: 1, action: { kind: 'reset', direction: 'response', afterBytes: 2 * MiB } })
    const { job } = await downloadWith('reset-down', () => {})
    expect(r.applied).toBe(1)
    expect(job.state).toBe('done')
  })

  it('a 5 s stall mid-download: the transfer waits and completes', async () => {
    const r = proxy.addRule({ method: 'GET', path: /\/file$/, times: 1, action: { kind: 'stall', direction: 'response', afterBytes: 1 * MiB, ms: 5000 } })
    const { job } = await downloadWith('stall-down', () => {})
    expect(r.applied).toBe(1)
    expect(job.state).toBe('done')
  })

  it('an endless stall mid-upload: the user cancels; the half-made image is deleted and the job says cancelled', async () => {
    const file = join(app.userDir, 'stall-up.raw')
    const bytes = randomFile(file, 6 * MiB)
    const nm = name('stall-up')
    const r = proxy.addRule({ method: 'PUT', path: /\/file$/, times: 1, action: { kind: 'stall', direction: 'request', afterBytes: 1 * MiB } })
    const started = await upload(app, file, nm)
    for (let i = 0; i < 200 && r.applied === 0; i++) await sleep(50)
    expect(r.applied).toBe(1)
    await sleep(500)
    await app.ok('transfers:cancel', started.id)
    proxy.releaseStalls()
    const job = await app.s.transfers.waitFor(started.id)
    expect(job.state).toBe('cancelled')
    // The cancel cleanup runs after the state change: give it a moment, then Glance must hold nothing unnamed.
    for (let i = 0; i < 40 && (await direct.mine()).some((x) => x.name === nm); i++) await sleep(250)
    await assertUploadOutcome(direct, job, nm, bytes)
    expect(readFileSync(file).equals(bytes)).toBe(true)
  })

  it('a trickle (1 MiB/s) on the download: slow, but complete and verified', async () => {
    const r = proxy.addRule({
      method: 'GET',
      path: /\/file$/,
      times: 1,
      action: { kind: 'trickle', direction: 'response', bytesPerSecond: 1 * MiB, afterBytes: 3 * MiB },
    })
    const t0 = Date.now()
    const { job } = await downloadWith('trickle-down', () => {})
    expect(r.applied).toBe(1)
    expect(job.state).toBe('done')
    expect(Date.now() - t0).toBeGreaterThan(2000)
  })

  it('a trickle (2 MiB/s) on the upload: complete and verified', async () => {
    const r = { h: undefined as ReturnType<FaultProxy['addRule']> | undefined }
    const { job } = await uploadWith(
      'trickle-up',
      () => {
        r.h = proxy.addRule({ method: 'PUT', path: /\/file$/, times: 1, action: { kind: 'trickle', direction: 'request', bytesPerSecond: 2 * MiB } })
      },
      4 * MiB,
    )
    expect(r.h?.applied).toBe(1)
    expect(job.state).toBe('done')
  })

  it('503 bursts on the create and 500 bursts on the data upload: retried, one verified image', async () => {
    const hs: ReturnType<FaultProxy['addRule']>[] = []
    const { job } = await uploadWith('burst-up', () => {
      hs.push(proxy.addRule({ method: 'POST', path: /^\/v2\/images$/, times: 2, action: { kind: 'status', status: 503, retryAfter: 1 } }))
      hs.push(proxy.addRule({ method: 'PUT', path: /\/file$/, times: 2, action: { kind: 'status', status: 500 } }))
    })
    expect(hs.map((h) => h.applied)).toEqual([2, 2])
    expect(job.state).toBe('done')
  })

  it('a 503 burst and an HTML 502 page on the download: retried and verified', async () => {
    const hs: ReturnType<FaultProxy['addRule']>[] = []
    const { job } = await downloadWith('burst-down', () => {
      hs.push(proxy.addRule({ method: 'GET', path: /\/file$/, times: 1, action: { kind: 'status', status: 503 } }))
      hs.push(proxy.addRule({ method: 'GET', path: /\/file$/, times: 1, action: { kind: 'html', status: 502 } }))
    })
    expect(hs.map((h) => h.applied)).toEqual([1, 1])
    expect(job.state).toBe('done')
  })

  it('a persistent 503 on listing: a SERVER error, retryable, with status and URL (no crash, no HTML)', async () => {
    proxy.addRule({ method: 'GET', path: /^\/v2\/images(\?|$)/, action: { kind: 'status', status: 503 } })
    const r = await app.call('images:list', { profileId: app.profileId }, {})
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('SERVER')
      expect(r.error.status).toBe(503)
      expect(r.error.retryable).toBe(true)
      expect(r.error.url).toContain('/v2/images')
    }
  })

  it('an HTML error page instead of JSON: a clear error without the HTML', async () => {
    proxy.addRule({ method: 'GET', path: /^\/v2\/images(\?|$)/, action: { kind: 'html', status: 502 } })
    const r = await app.call('images:list', { profileId: app.profileId }, {})
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('SERVER')
      expect(r.error.message).not.toMatch(/<html|<body|<!doctype/i)
      expect(r.error.message.length).toBeLessThan(600)
    }
  })

  it('truncated JSON and invalid JSON on listing: BAD_RESPONSE, never INTERNAL', async () => {
    for (const action of [{ kind: 'truncateJson' as const }, { kind: 'invalidJson' as const }]) {
      proxy.clearRules()
      proxy.addRule({ method: 'GET', path: /^\/v2\/images(\?|$)/, action })
      const r = await app.call('images:list', { profileId: app.profileId }, {})
      expect(r.ok, action.kind).toBe(false)
      if (!r.ok) expect(r.error.code, action.kind).toBe('BAD_RESPONSE')
    }
  })

  it('truncated JSON in answer to the create (the image WAS made): one verified image, or the job names the one it left', async () => {
    const h = { r: undefined as ReturnType<FaultProxy['addRule']> | undefined }
    await uploadWith('trunc-create', () => {
      h.r = proxy.addRule({ method: 'POST', path: /^\/v2\/images$/, times: 1, action: { kind: 'truncateJson' } })
    })
    expect(h.r?.applied).toBe(1)
  })

  it('invalid JSON in answer to the create: one verified image, or the job names the one it left', async () => {
    const h = { r: undefined as ReturnType<FaultProxy['addRule']> | undefined }
    await uploadWith('invalid-create', () => {
      h.r = proxy.addRule({ method: 'POST', path: /^\/v2\/images$/, times: 1, action: { kind: 'invalidJson' } })
    })
    expect(h.r?.applied).toBe(1)
  })

  it('a Content-Length larger than the body on the download (truncated): resumed, verified, never a short file', async () => {
    const r = proxy.addRule({ method: 'GET', path: /\/file$/, times: 1, action: { kind: 'lieLength', delta: 1 * MiB } })
    const { job } = await downloadWith('lie-more', () => {})
    expect(r.applied).toBe(1)
    expect(job.state).toBe('done')
  })

  it('a Content-Length smaller than the body on the download: never a wrong file', async () => {
    const r = proxy.addRule({ method: 'GET', path: /\/file$/, times: 1, action: { kind: 'lieLength', delta: -1 * MiB } })
    await downloadWith('lie-less', () => {})
    expect(r.applied).toBe(1)
  })
})
