/**
 * `glance-desktop image copy` and `image sync` through the built CLI (out/cli/index.js, `npm run build`) against the
 * real two-region loopback cloud, as the issue checks them: an image with console properties and tags copied from
 * RegionOne to RegionTwo arrives byte-identical with equal hashes and properties; a second copy creates no new
 * image; `image sync` without --apply changes nothing, with --apply copies the missing and patches the drift; a copy
 * to another cloud (a clouds.yaml entry for the demo user) refuses a public image unless the downgrade is consented;
 * JSON output and a non-zero exit on any failure.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeCloud, memberCloud } from '../../support/cloud'
import type { CloudClient } from '../../../main/openstack/types'
import { carriedAttributes, tagsOf } from '../../../main/copy/metadata'
import { credsEnv, tmp } from '../transfers/helpers'
import { Clouds, REGION1, REGION2, cleanup, idsByHash, payload } from './helpers'

const CLI = resolve(import.meta.dirname, '../../../out/cli/index.js')
/** Each test spawns the CLI several times (node start-up, a new token, a plan each): minutes on a loaded machine. */
const SLOW = 420_000

interface Run {
  status: number | null
  stdout: string
  stderr: string
  json: () => Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
}

describeCloud('image copy / image sync through the CLI (real two-region cloud)', (cloud) => {
  const member = memberCloud() ?? cloud
  const clouds = new Clouds({ admin: cloud, demo: member })
  let dir: string
  let r1: CloudClient
  let r2: CloudClient
  let d2: CloudClient
  const made: { c: () => CloudClient; id: string }[] = []
  const tag = `cli-copy-${Date.now()}`
  const base = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '',
    HOME: dir,
    ...credsEnv(cloud),
    OS_REGION_NAME: REGION1,
    OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'),
  })

  function cli(args: string[]): Promise<Run> {
    return new Promise((done) => {
      const p = spawn(process.execPath, [CLI, ...args], { env: base() })
      let stdout = ''
      let stderr = ''
      p.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
      p.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
      p.on('close', (status) => done({ status, stdout, stderr, json: () => JSON.parse(stdout) }))
    })
  }

  async function sourceImage(name: string, o: { visibility?: string; extraTag?: string } = {}) {
    const p = payload(2 * 1024 * 1024 + 333)
    const img = await r1.glance.create({
      name,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: o.visibility ?? 'private',
      min_disk: 2,
      min_ram: 1024,
      os_distro: 'centos',
      os_type: 'linux',
      architecture: 'aarch64',
      hw_firmware_type: 'uefi',
      hw_qemu_guest_agent: 'no',
      description: 'CLI 复制',
      team: 'platform',
      tags: [tag, ...(o.extraTag ? [o.extraTag] : [])],
    })
    made.push({ c: () => r1, id: img.id })
    await r1.glance.uploadData(img.id, Readable.from([p.data]), p.data.length)
    return { id: img.id, ...p }
  }

  async function sha512Of(c: CloudClient, id: string): Promise<string> {
    const h = createHash('sha512')
    for await (const b of (await c.glance.downloadData(id)).stream) h.update(b as Buffer)
    return h.digest('hex')
  }

  beforeAll(async () => {
    expect(existsSync(CLI), 'npm run build makes out/cli/index.js').toBe(true)
    dir = tmp('copy-cli-')
    writeFileSync(
      join(dir, 'clouds.yaml'),
      `clouds:\n  demo-cloud:\n    auth:\n      auth_url: ${member.authUrl}\n      username: ${member.username}\n      password: ${member.password}\n      project_name: ${member.projectName}\n      user_domain_name: ${member.userDomainName}\n      project_domain_name: ${member.projectDomainName}\n    region_name: ${REGION2}\n    interface: public\n    identity_api_version: 3\n`,
    )
    r1 = await clouds.client('admin', REGION1)
    r2 = await clouds.client('admin', REGION2)
    d2 = await clouds.client('demo', REGION2)
  })
  afterAll(async () => {
    for (const m of made.reverse()) await cleanup(m.c(), [m.id])
    clouds.close()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const method of ['auto', 'stream'] as const) {
    it(
      `image copy --to-region RegionTwo (${method}): byte-identical, equal hashes and properties; a second copy creates nothing`,
      async () => {
        const s = await sourceImage(`cli-copy-${method}-${tag}`)
        const first = await cli(['image', 'copy', s.id, '--to-region', REGION2, '--method', method, '--json'])
        expect(first.status, first.stderr).toBe(0)
        const sum = first.json().summary
        expect(sum).toMatchObject({ done: 1, skipped: 0, failed: 0 })
        const item = sum.items[0]
        expect(item).toMatchObject({ outcome: 'done', method: method === 'auto' ? 'glance-download' : 'stream', sourceImageId: s.id })
        made.push({ c: () => r2, id: item.targetImageId })
        const t = await r2.glance.get(item.targetImageId)
        expect(t).toMatchObject({ status: 'active', size: s.data.length, checksum: s.md5, os_hash_value: s.sha512 })
        expect(await sha512Of(r2, item.targetImageId)).toBe(s.sha512)
        const src = await r1.glance.get(s.id)
        expect(carriedAttributes(t)).toEqual(carriedAttributes(src))
        expect(tagsOf(t)).toEqual(tagsOf(src))

        const again = await cli(['image', 'copy', s.id, '--to-region', REGION2, '--method', method, '--json'])
        expect(again.status, again.stderr).toBe(0)
        expect(again.json().summary).toMatchObject({
          done: 0,
          skipped: 1,
          failed: 0,
          items: [{ outcome: 'skipped', reason: 'present', targetImageId: item.targetImageId }],
        })
        expect(await idsByHash(r2, s.sha512)).toEqual([item.targetImageId])
      },
      SLOW,
    )
  }

  it(
    'image sync without --apply changes nothing; with --apply it copies the missing and patches the drift; then all present',
    async () => {
      const stag = `${tag}-sync`
      const missing = await sourceImage(`cli-sync-missing-${tag}`, { extraTag: stag })
      const drifted = await sourceImage(`cli-sync-drift-${tag}`, { extraTag: stag })
      // the drifted one is at the target already, with other metadata
      const c = await cli(['image', 'copy', drifted.id, '--to-region', REGION2, '--method', 'stream', '--json'])
      expect(c.status, c.stderr).toBe(0)
      const driftId = c.json().summary.items[0].targetImageId as string
      made.push({ c: () => r2, id: driftId })
      await r2.glance.patch(driftId, [
        { op: 'replace', path: '/min_ram', value: 4096 },
        { op: 'replace', path: '/team', value: 'someone-else' },
        { op: 'add', path: '/stray', value: 'x' },
      ])
      await r2.glance.removeTag(driftId, stag)

      const before = await r2.glance.get(driftId)
      const plan = await cli(['image', 'sync', '--from-region', REGION1, '--to-region', REGION2, '--filter', `tag:${stag}`, '--json'])
      expect(plan.status, plan.stderr).toBe(0)
      const p = plan.json()
      expect(p.applied).toBe(false)
      expect(p.plan.counts).toEqual({ copy: 1, present: 0, drift: 1, refused: 0 })
      const d = p.plan.items.find((i: { sourceImageId: string }) => i.sourceImageId === drifted.id)
      expect(d.action).toBe('drift')
      expect(d.drift.map((x: { key: string }) => x.key).sort()).toEqual(['min_ram', 'stray', 'tags', 'team'])
      // nothing changed: the missing one is still missing, the drifted one as it was
      expect(await idsByHash(r2, missing.sha512)).toEqual([])
      expect(await r2.glance.get(driftId)).toEqual(before)

      const apply = await cli(['image', 'sync', '--from-region', REGION1, '--to-region', REGION2, '--filter', `tag:${stag}`, '--apply', '--json'])
      expect(apply.status, apply.stderr).toBe(0)
      const a = apply.json()
      expect(a.applied).toBe(true)
      expect(a.summary).toMatchObject({ done: 2, failed: 0 })
      const copied = a.summary.items.find((i: { sourceImageId: string }) => i.sourceImageId === missing.id)
      made.push({ c: () => r2, id: copied.targetImageId })
      expect(await idsByHash(r2, missing.sha512)).toEqual([copied.targetImageId])
      // drift fixed by a patch: same image id, no bytes copied, metadata equal to the source's
      expect(a.patched).toEqual([expect.objectContaining({ sourceImageId: drifted.id, targetImageId: driftId })])
      const fixed = await r2.glance.get(driftId)
      expect(carriedAttributes(fixed)).toEqual(carriedAttributes(await r1.glance.get(drifted.id)))
      expect(tagsOf(fixed)).toEqual(tagsOf(await r1.glance.get(drifted.id)))
      expect(await idsByHash(r2, drifted.sha512)).toEqual([driftId])

      const after = await cli(['image', 'sync', '--from-region', REGION1, '--to-region', REGION2, '--filter', `tag:${stag}`, '--json'])
      expect(after.json().plan.counts).toEqual({ copy: 0, present: 2, drift: 0, refused: 0 })
    },
    SLOW,
  )

  it(
    'image copy --to-cloud (the demo user): a public image is refused (exit 1, nothing made) unless the downgrade is consented',
    async () => {
      const s = await sourceImage(`cli-public-${tag}`, { visibility: 'public' })
      const refused = await cli(['image', 'copy', s.id, '--to-region', REGION2, '--to-cloud', 'demo-cloud', '--json'])
      expect(refused.status).toBe(1)
      expect(refused.json().summary).toMatchObject({ done: 0, failed: 1, items: [{ outcome: 'failed', reason: 'visibility' }] })
      expect(await idsByHash(d2, s.sha512)).toEqual([])

      const ok = await cli(['image', 'copy', s.id, '--to-region', REGION2, '--to-cloud', 'demo-cloud', '--allow-visibility-downgrade', 'private', '--json'])
      expect(ok.status, ok.stderr).toBe(0)
      const item = ok.json().summary.items[0]
      expect(item).toMatchObject({ outcome: 'done', method: 'stream' })
      made.push({ c: () => d2, id: item.targetImageId })
      const t = await d2.glance.get(item.targetImageId)
      expect(t).toMatchObject({ visibility: 'private', owner: d2.session.project.id, os_hash_value: s.sha512 })
    },
    SLOW,
  )

  it('bad input: a usage error exits 2; an unknown image exits 1 with the reason in JSON', async () => {
    const u = await cli(['image', 'copy', 'x', '--json'])
    expect(u.status).toBe(2)
    expect(u.stderr).toContain('--to-region')
    const nf = await cli(['image', 'copy', '00000000-0000-4000-8000-000000000000', '--to-region', REGION2, '--json'])
    expect(nf.status).toBe(1)
    expect(nf.json().summary.items[0]).toMatchObject({ outcome: 'failed', reason: 'notFound' })
  })
})
