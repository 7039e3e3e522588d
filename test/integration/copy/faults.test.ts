/**
 * A streamed copy under faults, on the disposable `faults` cloud (test/cloud/profiles/faults.env: own ports, image
 * size cap 1 MiB, tokens of 30 s; its services may be killed). The upload is slowed down so that the fault lands
 * mid-copy: RegionTwo's Glance killed (SIGKILL, as a crash) and started again; the app stopped and opened again on
 * the same queue file. Each time the job completes with one verified image at the target and no duplicate.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { cloudService, describeFaultCloud, profileStateDir } from '../../support/cloud'
import type { CloudClient } from '../../../main/openstack/types'
import type { CopyCloud } from '../../../main/copy/port'
import { tmp } from '../transfers/helpers'
import { Clouds, REGION1, REGION2, cleanup, idsByHash, idsByName, openCopy, payload } from './helpers'

const STATE = profileStateDir('faults')

/** The target's upload paced at `bytesPerSec` (a slow link), so that faults land mid-copy. */
function throttled(bytesPerSec: number): (c: CopyCloud) => CopyCloud {
  return (c) => ({
    ...c,
    glance: {
      ...c.glance,
      uploadData: (id, body, size, o) => {
        const t0 = Date.now()
        let sent = 0
        const slow = new Transform({
          highWaterMark: 16 * 1024,
          transform(chunk: Buffer, _e, cb) {
            let off = 0
            const step = (): void => {
              if (off >= chunk.length) return cb()
              const part = chunk.subarray(off, off + 16 * 1024)
              off += part.length
              sent += part.length
              this.push(part)
              setTimeout(step, Math.max(0, (sent / bytesPerSec) * 1000 - (Date.now() - t0)))
            }
            step()
          },
        })
        body.on('error', (e) => slow.destroy(e))
        return c.glance.uploadData(id, body.pipe(slow), size, o)
      },
    },
  })
}

async function waitFor(cond: () => boolean, ms = 60_000, what: () => unknown = () => ''): Promise<void> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`condition not reached: ${JSON.stringify(what())}`)
    await sleep(50)
  }
}

describeFaultCloud('copy under faults (disposable faults cloud)', (cloud) => {
  const clouds = new Clouds({ admin: cloud })
  const A1 = { profileId: 'admin', region: REGION1 }
  const A2 = { profileId: 'admin', region: REGION2 }
  let dir: string
  let r1: CloudClient
  let r2: CloudClient
  const src: string[] = []
  const dst: string[] = []

  async function sourceImage(name: string) {
    // under the faults cloud's 1 MiB cap
    const p = payload(900 * 1024 + 17)
    const img = await r1.glance.create({ name, disk_format: 'raw', container_format: 'bare', visibility: 'private', custom_k: 'v', tags: ['fault'] })
    src.push(img.id)
    await r1.glance.uploadData(img.id, Readable.from([p.data]), p.data.length)
    return { id: img.id, ...p }
  }

  beforeAll(async () => {
    dir = tmp('copy-faults-')
    r1 = await clouds.client('admin', REGION1)
    r2 = await clouds.client('admin', REGION2)
  })
  afterAll(async () => {
    const st = await cloudService(STATE, 'status', 'glance2').catch(() => '')
    if (!st.includes('running')) await cloudService(STATE, 'start', 'glance2').catch(() => {})
    await cleanup(r2, dst)
    await cleanup(r1, src)
    clouds.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("RegionTwo's Glance killed mid-copy and started again: the job completes with one verified image, no duplicate", async () => {
    const s = await sourceImage(`copy-kill-${Date.now()}`)
    const { transfers, copy } = await openCopy(clouds, join(dir, 'kill'), { wrap: throttled(96 * 1024), backoffMs: 1000, maxAttempts: 15 })
    transfers.start()
    try {
      const r = await copy.start({ source: A1, imageIds: [s.id], targets: [A2], method: 'stream' })
      const jobId = r.jobs[0]!.id
      await waitFor(
        () => transfers.get(jobId).phase === 'uploading' && transfers.get(jobId).bytes > 200 * 1024,
        60_000,
        () => transfers.get(jobId),
      )
      const firstId = transfers.get(jobId).imageId!
      dst.push(firstId)
      await cloudService(STATE, 'kill', 'glance2')
      await sleep(1500)
      await cloudService(STATE, 'start', 'glance2')
      const done = await transfers.waitFor(jobId, undefined, 360_000)
      dst.push(done.imageId!)
      expect(done.error).toBeUndefined()
      expect(done.state).toBe('done')
      expect(done.attempts).toBeGreaterThan(1)
      const t = await r2.glance.get(done.imageId!)
      expect(t).toMatchObject({ status: 'active', checksum: s.md5, os_hash_value: s.sha512, custom_k: 'v' })
      // one image with these bytes, and none left half-made under the copy's name
      expect(await idsByHash(r2, s.sha512)).toEqual([done.imageId])
      expect((await idsByName(r2, (await r1.glance.get(s.id)).name as string)).sort()).toEqual([done.imageId])
      if (done.imageId !== firstId) await expect(r2.glance.get(firstId)).rejects.toMatchObject({ status: 404 })
    } finally {
      await transfers.stop()
    }
  }, 420_000)

  it('the app stopped mid-copy and opened again on the same queue: the copy is recovered and completes once', async () => {
    const s = await sourceImage(`copy-restart-${Date.now()}`)
    const data = join(dir, 'restart')
    const first = await openCopy(clouds, data, { wrap: throttled(96 * 1024) })
    first.transfers.start()
    const r = await first.copy.start({ source: A1, imageIds: [s.id], targets: [A2], method: 'stream' })
    const jobId = r.jobs[0]!.id
    await waitFor(
      () => first.transfers.get(jobId).phase === 'uploading' && first.transfers.get(jobId).bytes > 200 * 1024,
      60_000,
      () => first.transfers.get(jobId),
    )
    dst.push(first.transfers.get(jobId).imageId!)
    await first.transfers.stop()

    const second = await openCopy(clouds, data)
    second.transfers.start()
    try {
      const done = await second.transfers.waitFor(jobId, undefined, 360_000)
      dst.push(done.imageId!)
      expect(done.error).toBeUndefined()
      expect(done.state).toBe('done')
      expect(await idsByHash(r2, s.sha512)).toEqual([done.imageId])
      expect((await r2.glance.get(done.imageId!)).checksum).toBe(s.md5)
    } finally {
      await second.transfers.stop()
    }
  }, 420_000)
})
