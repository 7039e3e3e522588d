/**
 * Copies on the real two-region loopback cloud (test/cloud): RegionOne -> RegionTwo, once server-side (RegionTwo's
 * Glance pulls with glance-download) and once streamed through this process; byte-exact (hashes of the data we
 * uploaded), every carried attribute equal; a second run creates nothing; a copy to another profile (the demo
 * project: another user and project standing in for another cloud); a member's copy of a public image refused
 * without consent and lowered only with it.
 */
import { rmSync } from 'node:fs'
import { Readable } from 'node:stream'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeCloud, memberCloud } from '../../support/cloud'
import type { CloudClient } from '../../../main/openstack/types'
import { carriedAttributes, tagsOf } from '../../../main/copy/metadata'
import { tmp } from '../transfers/helpers'
import { Clouds, REGION1, REGION2, cleanup, idsByHash, openCopy, payload } from './helpers'

describeCloud('copy between regions and profiles (real cloud)', (cloud) => {
  const member = memberCloud() ?? cloud
  const clouds = new Clouds({ admin: cloud, demo: member })
  const A1 = { profileId: 'admin', region: REGION1 }
  const A2 = { profileId: 'admin', region: REGION2 }
  const D2 = { profileId: 'demo', region: REGION2 }
  let dir: string
  let r1: CloudClient
  let r2: CloudClient
  let d2: CloudClient
  const made: { c: () => CloudClient; id: string }[] = []
  const tag = `copy-${Date.now()}`

  /** An image in RegionOne with console fields, custom properties, tags, min_disk/min_ram, protected, and its bytes. */
  async function sourceImage(name: string, o: { bytes?: number; visibility?: string; protected?: boolean } = {}) {
    const p = payload(o.bytes ?? 3 * 1024 * 1024 + 12345)
    const img = await r1.glance.create({
      name,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: o.visibility ?? 'private',
      min_disk: 3,
      min_ram: 512,
      os_distro: 'ubuntu',
      os_type: 'linux',
      architecture: 'x86_64',
      hypervisor_type: 'qemu',
      hw_qemu_guest_agent: 'yes',
      hw_firmware_type: 'uefi',
      description: '复制 test: 中文 description',
      custom_owner_team: 'storage',
      tags: [tag, 'golden', '标签'],
    })
    made.push({ c: () => r1, id: img.id })
    await r1.glance.uploadData(img.id, Readable.from([p.data]), p.data.length)
    if (o.protected) await r1.glance.patch(img.id, [{ op: 'replace', path: '/protected', value: true }])
    return { id: img.id, ...p }
  }

  beforeAll(async () => {
    dir = tmp('copy-')
    r1 = await clouds.client('admin', REGION1)
    r2 = await clouds.client('admin', REGION2)
    d2 = await clouds.client('demo', REGION2)
  })
  afterAll(async () => {
    for (const m of made.reverse()) await cleanup(m.c(), [m.id])
    clouds.close()
    rmSync(dir, { recursive: true, force: true })
  })

  function expectSameMetadata(src: Record<string, unknown>, dst: Record<string, unknown>, o: { visibility?: string } = {}) {
    const a = carriedAttributes(src)
    const b = carriedAttributes(dst)
    if (o.visibility) a.visibility = o.visibility
    expect(b).toEqual(a)
    expect(tagsOf(dst)).toEqual(tagsOf(src))
  }

  for (const method of ['server', 'stream'] as const) {
    it(`RegionOne -> RegionTwo ${method === 'server' ? 'server-side (glance-download)' : 'streamed through the desk'}: byte-exact, every attribute equal; a second run creates nothing`, async () => {
      const src = await sourceImage(`copy-${method}-${tag}`, { protected: true })
      const { transfers, copy } = await openCopy(clouds, join(dir, method))
      transfers.start()
      try {
        const first = await copy.start({ source: A1, imageIds: [src.id], targets: [A2], method })
        expect(first.plan.counts).toMatchObject({ copy: 1, present: 0, refused: 0 })
        expect(first.plan.items[0]!.method).toBe(method === 'server' ? 'glance-download' : 'stream')
        expect(first.jobs).toHaveLength(1)
        const done = await transfers.waitFor(first.jobs[0]!.id)
        expect(done.error).toBeUndefined()
        expect(done.state).toBe('done')
        expect(done.kind).toBe('copy')
        expect(done.copy).toMatchObject({ source: { ...A1, imageId: src.id }, method: method === 'server' ? 'glance-download' : 'stream' })
        made.push({ c: () => r2, id: done.imageId! })
        // the id is the one the client chose when it queued the job
        expect(done.imageId).toBe(first.jobs[0]!.imageId)

        const s = await r1.glance.get(src.id)
        const t = await r2.glance.get(done.imageId!)
        expect(t.status).toBe('active')
        expect(t.size).toBe(src.data.length)
        expect(t.checksum).toBe(src.md5)
        expect(t.os_hash_value).toBe(src.sha512)
        expect(t.protected).toBe(true)
        expectSameMetadata(s, t)
        // the bytes themselves, read back from RegionTwo
        const dl = await r2.glance.downloadData(done.imageId!)
        const chunks: Buffer[] = []
        for await (const c of dl.stream) chunks.push(c as Buffer)
        expect(Buffer.concat(chunks).equals(src.data)).toBe(true)
        if (method === 'stream') expect(done.result).toMatchObject({ md5: src.md5, sha512: src.sha512, verified: true })

        // run twice: the plan says present, nothing is queued, still one image with these bytes in RegionTwo
        const again = await copy.start({ source: A1, imageIds: [src.id], targets: [A2], method })
        expect(again.plan.counts).toMatchObject({ copy: 0, present: 1 })
        expect(again.plan.items[0]!.targetImageId).toBe(done.imageId)
        expect(again.jobs).toHaveLength(0)
        expect(await idsByHash(r2, src.sha512)).toEqual([done.imageId])
      } finally {
        await transfers.stop()
      }
    })
  }

  it('a copy job whose image is already at the target (found by hash) finishes as present and creates nothing', async () => {
    const src = await sourceImage(`copy-present-${tag}`, { bytes: 512 * 1024 })
    const { transfers, copy } = await openCopy(clouds, join(dir, 'present'))
    transfers.start()
    try {
      const first = await copy.start({ source: A1, imageIds: [src.id], targets: [A2], method: 'stream' })
      const done = await transfers.waitFor(first.jobs[0]!.id)
      made.push({ c: () => r2, id: done.imageId! })
      // a job queued before the first one finished (an old plan) must not make a second image
      const stale = await transfers.enqueueCopy(A2, { spec: { kind: 'copy', source: { ...A1, imageId: src.id }, method: 'stream' }, name: 'stale' })
      const second = await transfers.waitFor(stale.id)
      expect(second.state).toBe('done')
      expect(second.imageId).toBe(done.imageId)
      expect(await idsByHash(r2, src.sha512)).toEqual([done.imageId])
    } finally {
      await transfers.stop()
    }
  })

  describe('to another profile (the demo project)', () => {
    it('admin RegionOne -> demo RegionTwo: streamed (another identity cannot pull server-side), attributes equal, owned by demo', async () => {
      const src = await sourceImage(`copy-profile-${tag}`, { bytes: 1024 * 1024 + 7 })
      const { transfers, copy } = await openCopy(clouds, join(dir, 'profile'))
      transfers.start()
      try {
        const plan = await copy.plan({ source: A1, imageIds: [src.id], targets: [D2] })
        expect(plan.items[0]).toMatchObject({ action: 'copy', method: 'stream' })
        const r = await copy.start({ source: A1, imageIds: [src.id], targets: [D2] })
        const done = await transfers.waitFor(r.jobs[0]!.id)
        expect(done.error).toBeUndefined()
        made.push({ c: () => d2, id: done.imageId! })
        const t = await d2.glance.get(done.imageId!)
        expect(t.owner).toBe(d2.session.project.id)
        expect(t.os_hash_value).toBe(src.sha512)
        expectSameMetadata(await r1.glance.get(src.id), t)
      } finally {
        await transfers.stop()
      }
    })

    it("a member's copy of a public image: refused without consent (nothing created), lowered to private only with it", async () => {
      const src = await sourceImage(`copy-public-${tag}`, { bytes: 256 * 1024, visibility: 'public' })
      const { transfers, copy } = await openCopy(clouds, join(dir, 'public'))
      transfers.start()
      try {
        const refused = await copy.start({ source: A1, imageIds: [src.id], targets: [D2] })
        expect(refused.plan.items[0]).toMatchObject({ action: 'refused', refusal: { reason: 'visibility', params: { visibility: 'public' } } })
        expect(refused.jobs).toHaveLength(0)
        expect(await idsByHash(d2, src.sha512)).toEqual([])

        const consented = await copy.start({ source: A1, imageIds: [src.id], targets: [D2], downgradeVisibilityTo: 'private' })
        expect(consented.plan.items[0]).toMatchObject({ action: 'copy', visibility: { from: 'public', to: 'private' } })
        const done = await transfers.waitFor(consented.jobs[0]!.id)
        expect(done.error).toBeUndefined()
        made.push({ c: () => d2, id: done.imageId! })
        expect(done.copy?.visibility).toEqual({ from: 'public', to: 'private' })
        const t = await d2.glance.get(done.imageId!)
        expect(t.visibility).toBe('private')
        expectSameMetadata(await r1.glance.get(src.id), t, { visibility: 'private' })
      } finally {
        await transfers.stop()
      }
    })

    it('a job that tries to make a public image as a member fails with the visibility reason and leaves nothing', async () => {
      const src = await sourceImage(`copy-public-job-${tag}`, { bytes: 128 * 1024, visibility: 'public' })
      const { transfers } = await openCopy(clouds, join(dir, 'public-job'))
      transfers.start()
      try {
        // a job queued without the plan's check (e.g. the member's role changed since): Glance refuses, we say why
        const job = await transfers.enqueueCopy(D2, { spec: { kind: 'copy', source: { ...A1, imageId: src.id }, method: 'stream' }, name: 'x' })
        const end = await transfers.waitFor(job.id)
        expect(end.state).toBe('failed')
        expect(end.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'visibility', visibility: 'public' } })
        expect(await idsByHash(d2, src.sha512)).toEqual([])
      } finally {
        await transfers.stop()
      }
    })
  })

  it('sync (the app path): the plan changes nothing; apply queues the copy jobs and patches the drift; then all present', async () => {
    const stag = `${tag}-sync`
    const missing = await sourceImage(`sync-missing-${tag}`, { bytes: 200 * 1024 })
    const drifted = await sourceImage(`sync-drift-${tag}`, { bytes: 300 * 1024 })
    for (const id of [missing.id, drifted.id]) await r1.glance.addTag(id, stag)
    const { transfers, copy } = await openCopy(clouds, join(dir, 'sync'))
    transfers.start()
    try {
      const pre = await copy.start({ source: A1, imageIds: [drifted.id], targets: [A2], method: 'stream' })
      const preDone = await transfers.waitFor(pre.jobs[0]!.id)
      made.push({ c: () => r2, id: preDone.imageId! })
      await r2.glance.patch(preDone.imageId!, [{ op: 'replace', path: '/os_distro', value: 'debian' }])
      const req = { source: A1, target: A2, filter: { kind: 'tag' as const, tag: stag } }

      const before = await r2.glance.get(preDone.imageId!)
      const plan = await copy.syncPlan(req)
      expect(plan.counts).toEqual({ copy: 1, present: 0, drift: 1, refused: 0 })
      expect(plan.items.find((i) => i.sourceImageId === drifted.id)?.drift).toEqual([{ key: 'os_distro', source: 'ubuntu', target: 'debian' }])
      expect(await idsByHash(r2, missing.sha512)).toEqual([])
      expect(await r2.glance.get(preDone.imageId!)).toEqual(before)

      const applied = await copy.syncApply(req)
      expect(applied.jobs).toHaveLength(1)
      expect(applied.patched).toEqual([{ sourceImageId: drifted.id, targetImageId: preDone.imageId, ops: 1 }])
      const done = await transfers.waitFor(applied.jobs[0]!.id)
      expect(done.state).toBe('done')
      made.push({ c: () => r2, id: done.imageId! })
      expect((await r2.glance.get(preDone.imageId!)).os_distro).toBe('ubuntu')
      expect((await copy.syncPlan(req)).counts).toEqual({ copy: 0, present: 2, drift: 0, refused: 0 })
    } finally {
      await transfers.stop()
    }
  })

  it('the plan refuses the source region itself and a missing image, and says so per item', async () => {
    const src = await sourceImage(`copy-refuse-${tag}`, { bytes: 64 * 1024 })
    const { copy } = await openCopy(clouds, join(dir, 'refuse'))
    const plan = await copy.plan({ source: A1, imageIds: [src.id, '00000000-0000-4000-8000-000000000000'], targets: [A1, A2], method: 'stream' })
    const by = (id: string, region: string) => plan.items.find((i) => i.sourceImageId === id && i.target.region === region)
    expect(by(src.id, REGION1)?.refusal?.reason).toBe('sameRegion')
    expect(by('00000000-0000-4000-8000-000000000000', REGION2)?.refusal?.reason).toBe('notFound')
    expect(by(src.id, REGION2)?.action).toBe('copy')
    expect(plan.counts).toEqual({ copy: 1, present: 0, drift: 0, refused: 3 })
  })
})
