/**
 * Offline drafts that really are offline (issue 14): with the profile's Keystone unreachable (a closed loopback port),
 * a draft is made through images.create (no network, no authentication; the file is inspected locally) and exported;
 * the manifest names the profile by its NAME. A second app whose profile of that name points at the REAL Keystone
 * imports it (an unknown name is refused, naming it) and runs it: Glance holds the image with the draft's metadata.
 */
import { createServer } from 'node:net'
import { execFileSync } from 'node:child_process'
import { rmSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeCloud } from '../../support/cloud'
import { createServices, type Services } from '../../../main/services'
import { harness } from '../../main/profiles/helpers'
import { profileOf, rejection } from '../profiles/helpers'
import { Cleanup, sessionFor, unique } from '../openstack/helpers'
import { fields } from './helpers'
import { GlanceClient } from '../../../main/openstack/glance'
import type { Session } from '../../../main/openstack/session'

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

describeCloud('offline drafts: made with Keystone unreachable, run against the real cloud', (admin) => {
  const profileName = unique('offline-profile')
  const imageName = unique('offline-draft')
  let far: Services
  let near: Services
  let dir: string
  let disk: string
  let session: Session
  let glance: GlanceClient
  const cleanup = new Cleanup()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gd-offline-drafts-'))
    disk = join(dir, 'offline.qcow2')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', disk, '16M'], { stdio: 'ignore' })
    const port = await closedPort()
    const h1 = harness()
    far = await createServices(h1.platform, { logger: h1.log })
    const p1 = far.profiles.create(profileOf(admin, { name: profileName, authUrl: `http://127.0.0.1:${port}/v3` }))
    far.profiles.setSecret({ profileId: p1.id, secret: admin.password, persist: true })
    const h2 = harness()
    near = await createServices(h2.platform, { logger: h2.log })
    const p2 = near.profiles.create(profileOf(admin, { name: profileName }))
    near.profiles.setSecret({ profileId: p2.id, secret: admin.password, persist: true })
    session = sessionFor(admin)
    await session.authenticate()
    glance = new GlanceClient(session, 'RegionOne')
  })

  afterAll(async () => {
    await cleanup.run()
    session?.close()
    await far?.close()
    await near?.close()
    far?.clouds.close()
    near?.clouds.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('a draft is made and exported with no network; the manifest names the profile; Run uploads it', async () => {
    const p1 = far.profiles.list().find((p) => p.name === profileName)!
    const ref = far.files.register(disk, 'read')
    const r = await far.images.create(
      { profileId: p1.id },
      {
        name: imageName,
        fields: { ...fields, description: 'made offline' },
        diskFormat: 'auto',
        source: { kind: 'file', fileHandle: ref.handle },
        draft: true,
      },
    )
    expect(r.jobId).toBeTruthy()
    const job = far.transfers.get(r.jobId!)
    expect(job.state).toBe('draft')
    expect(job.region).toBe('RegionOne')
    // inspection is local: the qcow2 was recognised
    await expect.poll(() => far.transfers.get(r.jobId!).result?.sha512 ?? '', { timeout: 15_000 }).toMatch(/^[0-9a-f]{128}$/)

    const yaml = far.transfers.exportDrafts([r.jobId!])
    const doc = parse(yaml) as { drafts: Record<string, unknown>[] }
    expect(doc.drafts[0]!.profile).toBe(profileName)
    expect(doc.drafts[0]!).not.toHaveProperty('profileId')
    expect(doc.drafts[0]!.diskFormat).toBe('qcow2')

    // an app without a profile of that name refuses the manifest, naming the profile
    const renamed = yaml.replace(profileName, `${profileName}-gone`)
    const err = await rejection(near.transfers.importDrafts(renamed))
    expect(err.code).toBe('PROFILE_NOT_FOUND')
    expect(err.details?.params).toMatchObject({ profile: `${profileName}-gone` })
    expect(near.transfers.list().filter((j) => j.imageName === imageName)).toEqual([])

    // the app whose profile of that name reaches the real Keystone imports and runs it
    const [imported] = await near.transfers.importDrafts(yaml)
    const p2 = near.profiles.list().find((p) => p.name === profileName)!
    expect(imported!.profileId).toBe(p2.id)
    expect(imported!.state).toBe('draft')
    await near.transfers.runDraft(imported!.id)
    const done = await near.transfers.waitFor(imported!.id, ['done', 'failed', 'cancelled'], 120_000)
    expect(done.state, done.error?.message).toBe('done')
    const img = await glance.get(cleanup.add(glance, done.imageId!))
    expect(img.name).toBe(imageName)
    expect(img.disk_format).toBe('qcow2')
    expect(img.status).toBe('active')
    expect(String(img.description ?? JSON.stringify(img))).toContain('made offline')
  })
})
