/**
 * The fleet service against the REAL two-region loopback cloud: a profile built from OS_* variables (as `source
 * admin-openrc.sh` gives it, OS_REGION_NAME=RegionOne) is offered both regions from the catalog, and an image made in
 * RegionOne only is present there and missing in RegionTwo once both listings are matched by content.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeCloud } from '../../support/cloud'
import { cloudEnv } from '../../e2e/support/harness'
import { createServices, type Services } from '../../../main/services'
import { FleetService } from '../../../main/fleet/service'
import { addPage, cellState, emptyMatrix, markComplete } from '../../../main/fleet/matrix'
import { GlanceClient } from '../../../main/openstack/glance'
import { harness } from '../../main/profiles/helpers'
import { Cleanup, bytes, sessionFor, streamOf, unique } from '../openstack/helpers'
import type { Session } from '../../../main/openstack/session'

describeCloud('fleet against the real two-region cloud', (admin) => {
  let s: Services
  let fleet: FleetService
  let session: Session
  let glance: GlanceClient
  const cleanup = new Cleanup()
  const name = unique('fleet')
  let imageId = ''

  beforeAll(async () => {
    const h = harness({ env: cloudEnv(admin) })
    s = await createServices(h.platform, { logger: h.log, startQueue: false })
    fleet = new FleetService({ clouds: s.clouds, profiles: s.profiles, images: s.images })
    session = sessionFor(admin)
    await session.authenticate()
    glance = new GlanceClient(session, 'RegionOne')
    const img = await glance.create({ name, disk_format: 'raw', container_format: 'bare', visibility: 'private', tags: ['fleet-it'] })
    imageId = cleanup.add(glance, img.id)
    const data = bytes(4096, 7)
    await glance.uploadData(img.id, streamOf(data), data.length)
  })
  afterAll(async () => {
    await cleanup.run()
    session?.close()
    await s?.close()
    s?.clouds.close()
  })

  it('an OS_* profile (OS_REGION_NAME=RegionOne) is offered RegionOne and RegionTwo from the catalog', async () => {
    const env = s.profiles.list().find((p) => p.source === 'env')!
    expect(env.defaultRegion).toBe('RegionOne')
    const r = await fleet.regions(env.id)
    expect(r.catalog).toEqual(['RegionOne', 'RegionTwo'])
    expect(r.regions).toEqual(['RegionOne', 'RegionTwo'])
  })

  it('lists both regions page by page and matches them: present in RegionOne, missing in RegionTwo', async () => {
    const env = s.profiles.list().find((p) => p.source === 'env')!
    const regions = ['RegionOne', 'RegionTwo']
    const m = emptyMatrix(regions.length)
    for (const [c, region] of regions.entries()) {
      let cursor: string | undefined
      do {
        const page = await fleet.page({ profileId: env.id, region }, cursor)
        addPage(m, c, page.records)
        cursor = page.next
      } while (cursor)
      markComplete(m, c)
    }
    const row = [...m.rows.values()].find((r) => r.cells[0]?.id === imageId)
    expect(row, 'the image made in RegionOne').toBeDefined()
    expect(row!.key).toMatch(/^sha512:[0-9a-f]{128}$/)
    expect(row!.cells[0]!.tags).toEqual(['fleet-it'])
    expect(cellState(m, row!, 0)).toBe('present')
    expect(cellState(m, row!, 1)).toBe('missing')
    // only the compared fields cross the IPC
    expect(Object.keys(row!.cells[0]!).sort()).toEqual(['id', 'key', 'meta', 'name', 'size', 'status', 'tags'])
  })
})
