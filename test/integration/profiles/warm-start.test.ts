/**
 * Issue 16.4, the warm start (main/profiles/warm.ts, CloudConnector.warm) against the REAL loopback Keystone + Glance:
 * the services sign in with the last listed profile as they start, before anyone asks, and reach its Glance once
 * (the first page of the images view's first list, prefetched); the first image list then reuses that session (one
 * token issued, not two), whether it comes while the sign-in is in flight or after it, and gets the prefetched page
 * (no second Glance request) only if it is that very page of that very session, once, before any other image call. A profile without a stored secret, one whose secret was dropped by an identity change, and
 * an unreachable Keystone do not break start-up, send nothing and show nothing.
 * Keystone and Glance are reached through counting pass-through proxies (test/support/fault-proxy.ts; Glance through
 * the profile's endpoint override), so that the tokens issued and the Glance requests can be counted.
 *
 *   npx vitest run --project integration test/integration/profiles/warm-start.test.ts
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ProfileInput } from '../../../preload/api'
import { EVENTS } from '../../../preload/contract/events'
import { createServices, type Services } from '../../../main/services'
import { ProfileService } from '../../../main/profiles/service'
import { identityV3Url, type Session } from '../../../main/openstack/session'
import { PREFETCH_QUERY, WARM_START_FILE } from '../../../main/profiles/warm'
import { describeCloud } from '../../support/cloud'
import { closedPort } from '../../support/forward-proxy'
import { startFaultProxy, type FaultProxy, type RuleHandle } from '../../support/fault-proxy'
import { GlanceClient } from '../../../main/openstack/glance'
import { Cleanup, sessionFor, unique } from '../openstack/helpers'
import { harness, type Harness } from '../../main/profiles/helpers'
import { profileOf, rejection } from './helpers'

/** What the user would have been told (app notices); the warm-up must add none. */
const notices = (h: Harness) => h.emitted.filter((e) => e.event === EVENTS.app.notice)

/** The HTTP exchanges of the services' log (main.log 'http' records): URL, start and end (ms since the epoch). */
function exchanges(h: Harness): { url: string; start: number; end: number }[] {
  const out: { url: string; start: number; end: number }[] = []
  for (const line of readFileSync(join(h.dir, 'logs', 'main.log'), 'utf8').split('\n')) {
    if (!line.includes('"http"')) continue
    const r = JSON.parse(line) as { t: string; url: string; ms: number }
    const end = Date.parse(r.t)
    out.push({ url: r.url, start: end - r.ms, end })
  }
  return out
}

describeCloud('the warm start against the real cloud', (admin) => {
  let ks: FaultProxy
  let tokens: RuleHandle
  let authUrl: string
  const glance: Record<string, { proxy: FaultProxy; info: RuleHandle; list: RuleHandle }> = {}
  let regions: string[] = []
  let admin0: Session
  const open: Services[] = []
  const cleanup = new Cleanup()
  /** Images this file creates in the first region, so that its first page is never empty (CI's clouds are fresh). */
  const seeded: string[] = []

  /** A profile over the counting proxies (Keystone; each region's Glance through an endpoint override). */
  const profile = (o: Partial<ProfileInput> = {}): ProfileInput =>
    profileOf(admin, {
      name: `it-warm-${Math.random().toString(36).slice(2, 8)}`,
      authUrl,
      regions,
      defaultRegion: regions[0]!,
      endpointOverrides: Object.fromEntries(regions.map((r) => [`${r}/image`, glance[r]!.proxy.url])),
      ...o,
    })

  /** A data dir holding `input` (with the admin's secret stored unless `secret` is false); its profile id. */
  async function dataDirWith(h: Harness, input: ProfileInput, secret = true): Promise<string> {
    const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    const p = profiles.create(input)
    if (secret) profiles.setSecret({ profileId: p.id, secret: admin.password, persist: true })
    return p.id
  }

  const start = async (h: Harness): Promise<Services> => {
    const s = await createServices(h.platform, { logger: h.log, startQueue: false, warmStart: true })
    open.push(s)
    return s
  }
  /** The images view's first list (renderer/stores/images.ts: no filter, newest first, pages of 1000). */
  const FIRST = { limit: 1000, sort: [{ key: 'created_at', dir: 'desc' as const }] }
  const ids = (p: { images: { id: string }[] }) => p.images.map((i) => i.id)
  /** Tokens issued; per region, Glance's GET /v2/info/import (the warm-up before issue 16.4's prefetch) and list requests. */
  const counts = (): { tokens: number; glance: Record<string, { info: number; list: number }> } => ({
    tokens: tokens.matched,
    glance: Object.fromEntries(regions.map((r) => [r, { info: glance[r]!.info.matched, list: glance[r]!.list.matched }])),
  })

  beforeAll(async () => {
    const u = new URL(identityV3Url(admin.authUrl))
    ks = await startFaultProxy({ target: u.origin })
    tokens = ks.addRule({ name: 'tokens', method: 'POST', path: /^\/v3\/auth\/tokens/, action: { kind: 'pass' } })
    authUrl = `${ks.url}${u.pathname.replace(/\/+$/, '')}`
    admin0 = sessionFor(admin)
    await admin0.authenticate()
    regions = admin0.serviceRegions('image').slice(0, 2)
    for (const r of regions) {
      const proxy = await startFaultProxy({ target: new URL(admin0.endpoint('image', r)).origin })
      glance[r] = {
        proxy,
        info: proxy.addRule({ name: 'info', method: 'GET', path: '/v2/info/import', action: { kind: 'pass' } }),
        list: proxy.addRule({ name: 'list', method: 'GET', path: /^\/v2\/images\?/, action: { kind: 'pass' } }),
      }
    }
    const g = new GlanceClient(admin0, regions[0]!)
    for (let i = 0; i < 2; i++) {
      const img = await g.create({ name: unique('warm'), disk_format: 'raw', container_format: 'bare' })
      seeded.push(cleanup.add(g, img.id))
    }
  })
  afterEach(async () => {
    for (const s of open.splice(0)) {
      await s.close()
      s.clouds.close()
    }
  })
  afterAll(async () => {
    await cleanup.run()
    admin0?.close()
    await ks?.close()
    for (const g of Object.values(glance)) await g.proxy.close()
  })

  it('signs in at start-up and lists the first page once; the first list of that page, sent during the sign-in, gets it: one token, one Glance request', async () => {
    const h = harness()
    const id = await dataDirWith(h, profile())
    const before = counts()
    const s = await start(h)
    // The renderer's first list, at once (the sign-in started by createServices is still in flight).
    const page = await s.images.list({ profileId: id }, FIRST)
    expect(await s.warmStart.start()).toBe('ok')
    const after = counts()
    expect(after.tokens).toBe(before.tokens + 1)
    const r1 = regions[0]!
    expect(after.glance[r1]).toEqual({ info: before.glance[r1]!.info, list: before.glance[r1]!.list + 1 })
    const http = exchanges(h).filter((r) => r.url.includes('/v2/images?'))
    expect(http.map((r) => new URL(r.url).search)).toEqual([`?${new URLSearchParams({ limit: '50', sort: 'created_at:desc' }).toString()}`])
    // The same page the next identical list gets, which asks Glance itself (the prefetched page is handed out once).
    expect(ids(page)).toEqual(expect.arrayContaining(seeded))
    expect(page.images.length).toBeLessThanOrEqual(PREFETCH_QUERY.limit!)
    const again = await s.images.list({ profileId: id }, FIRST)
    expect(counts().glance[r1]!.list).toBe(before.glance[r1]!.list + 2)
    // The same images in the same order (newest first); other test files may create images meanwhile, which come
    // first in `again` and push the oldest out of the page.
    const inPage = new Set(ids(page))
    const common = ids(again).filter((i) => inPage.has(i))
    expect(common).toEqual(ids(page).slice(0, common.length))
    expect(common).toEqual(expect.arrayContaining(seeded))
    // Its cursor leads on as any first page's does.
    if (page.next) expect((await s.images.list({ profileId: id }, FIRST, page.next)).images.length).toBeGreaterThan(0)
  })

  it('a list of another page during the sign-in waits for the prefetch (Glance validates the new token once) and asks Glance itself', async () => {
    const h = harness()
    const id = await dataDirWith(h, profile())
    const before = counts()
    const s = await start(h)
    const page = await s.images.list({ profileId: id }, { limit: 5 })
    expect(page.images.length).toBeLessThanOrEqual(5)
    expect(await s.warmStart.start()).toBe('ok')
    const r1 = regions[0]!
    expect(counts().tokens).toBe(before.tokens + 1)
    expect(counts().glance[r1]).toEqual({ info: before.glance[r1]!.info, list: before.glance[r1]!.list + 2 })
    const [warm, list] = exchanges(h).filter((r) => r.url.includes('/v2/images?'))
    expect(new URL(list!.url).searchParams.get('limit')).toBe('5')
    expect(list!.start).toBeGreaterThanOrEqual(warm!.end - 2) // ms-rounded log times
  })

  it('the prefetched page is not handed out after another image call, nor to a profile edited since (another session)', async () => {
    const r1 = regions[0]!
    // another image call first
    let h = harness()
    let id = await dataDirWith(h, profile())
    let s = await start(h)
    expect(await s.warmStart.start()).toBe('ok')
    let l0 = glance[r1]!.list.matched
    await s.images.capabilities({ profileId: id })
    await s.images.list({ profileId: id }, FIRST)
    expect(glance[r1]!.list.matched).toBe(l0 + 1)

    // the profile's connection edited after the prefetch: a new session (signed in again), its own list
    h = harness()
    id = await dataDirWith(h, profile())
    s = await start(h)
    expect(await s.warmStart.start()).toBe('ok')
    const t0 = tokens.matched
    l0 = glance[r1]!.list.matched
    const p = s.profiles.get(id)
    s.profiles.update(id, { ...profile({ name: p.name }), insecure: true }, { trustConfirmed: true })
    const page = await s.images.list({ profileId: id }, FIRST)
    expect(tokens.matched).toBe(t0 + 1)
    expect(glance[r1]!.list.matched).toBe(l0 + 1)
    expect(ids(page)).toEqual(expect.arrayContaining(seeded))
  })

  it('after the sign-in: the list sends no second token request; the next start warms the profile + region listed last', async () => {
    const h = harness()
    const id = await dataDirWith(h, profile())
    let s = await start(h)
    expect(await s.warmStart.start()).toBe('ok')
    const t0 = tokens.matched
    const last = regions[regions.length - 1]!
    await s.images.list({ profileId: id, region: last }, { limit: 5 })
    expect(tokens.matched).toBe(t0)
    await s.close()
    s.clouds.close()
    open.splice(open.indexOf(s), 1)
    expect(JSON.parse(readFileSync(join(h.dir, WARM_START_FILE), 'utf8'))).toEqual({ profileId: id, region: last })

    // A new start over the same data: the remembered region's Glance is warmed, with one new token; that region's
    // first list gets the page prefetched there (no other Glance request).
    const listBefore = glance[last]!.list.matched
    s = await start(h)
    expect(await s.warmStart.start()).toBe('ok')
    expect(tokens.matched).toBe(t0 + 1)
    expect(glance[last]!.list.matched).toBe(listBefore + 1)
    await s.images.list({ profileId: id, region: last }, FIRST)
    expect(tokens.matched).toBe(t0 + 1)
    expect(glance[last]!.list.matched).toBe(listBefore + 1)
    if (regions.length > 1) {
      // ...and the other region's asks its own Glance
      const other = glance[regions[0]!]!.list.matched
      await s.images.list({ profileId: id, region: regions[0]! }, FIRST)
      expect(glance[regions[0]!]!.list.matched).toBe(other + 1)
    }
  })

  describe('never in the way', () => {
    it('a profile without a stored secret: start-up works, nothing is sent, nothing is shown; the list still asks for the secret', async () => {
      const h = harness()
      const id = await dataDirWith(h, profile(), false)
      const before = counts()
      const s = await start(h)
      expect(await s.warmStart.start()).toBe('noSecret')
      expect(counts()).toEqual(before)
      expect(notices(h)).toEqual([])
      expect((await rejection(s.images.list({ profileId: id }, { limit: 5 }))).code).toBe('NO_SECRET')
    })

    it('a secret dropped by an identity change is not sent to the new auth URL', async () => {
      const other = await startFaultProxy({ target: new URL(identityV3Url(admin.authUrl)).origin })
      try {
        const h = harness()
        const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
        const p = profiles.create(profile())
        profiles.setSecret({ profileId: p.id, secret: admin.password, persist: true })
        profiles.update(p.id, { ...profile({ name: p.name }), authUrl: `${other.url}/v3` }, { trustConfirmed: true })
        const s = await start(h)
        expect(await s.warmStart.start()).toBe('noSecret')
        expect(other.stats.requests).toBe(0)
      } finally {
        await other.close()
      }
    })

    it('an unreachable Keystone: start-up works, the warm-up fails quietly (a debug line without the secret), nothing is shown', async () => {
      const h = harness()
      const id = await dataDirWith(h, profile({ authUrl: `http://127.0.0.1:${await closedPort()}/v3` }))
      const t0 = Date.now()
      const s = await start(h)
      expect(Date.now() - t0).toBeLessThan(5000)
      // The first list, during the warm-up, gets the sign-in's own explained error (the renderer words it), at once.
      const [listError, outcome] = await Promise.all([rejection(s.images.list({ profileId: id }, { limit: 5 })), s.warmStart.start()])
      expect(outcome).toBe('failed')
      expect(listError.code).toBe('NETWORK')
      expect(Date.now() - t0).toBeLessThan(10_000)
      expect(notices(h)).toEqual([])
      await s.close()
      const log = readFileSync(join(h.dir, 'logs', 'main.log'), 'utf8')
      expect(log).toContain('warm-up skipped')
      expect(log).not.toContain(admin.password)
    })
  })
})
