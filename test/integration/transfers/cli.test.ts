/**
 * The headless CLI (`out/cli/index.js`, built by `npm run build`) against the real loopback cloud, as a script would
 * use it: OS_* variables, `--json` output, exit codes; and a token issued beforehand (OS_AUTH_TYPE=v3token).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeCloud } from '../../support/cloud'
import type { CloudClient } from '../../../main/openstack/types'
import { clientFor, credsEnv, qcow2File, randomFile, sha512File, tmp } from './helpers'

const CLI = resolve(import.meta.dirname, '../../../out/cli/index.js')

interface Run {
  status: number | null
  stdout: string
  stderr: string
  json: () => Record<string, unknown>
}

describeCloud('the glance-desktop CLI against the real cloud', (cloud) => {
  let dir: string
  let client: CloudClient
  const created: string[] = []
  const base = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', HOME: dir, ...credsEnv(cloud) })

  function cli(args: string[], env: NodeJS.ProcessEnv = base()): Run {
    const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 120_000 })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) as Record<string, unknown> }
  }

  beforeAll(async () => {
    expect(existsSync(CLI), 'npm run build makes out/cli/index.js').toBe(true)
    dir = tmp('xfer-cli-')
    client = await clientFor(cloud)
  })
  afterAll(async () => {
    for (const id of created) await client.glance.delete(id).catch(() => {})
    client?.session.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('inspect, upload (auto format, properties), list, download: ids, sizes and hashes in --json, files equal', async () => {
    const q = qcow2File(dir, 3)
    const ins = cli(['inspect', q, '--json'])
    expect(ins.status, ins.stderr).toBe(0)
    expect(ins.json()).toMatchObject({ format: 'qcow2' })

    const up = cli(['image', 'upload', q, '--name', 'cli-it-qcow2', '--disk-format', 'auto', '--property', 'os_distro=cirros', '--json'])
    expect(up.status, up.stderr).toBe(0)
    const u = up.json()
    created.push(u.id as string)
    expect(u).toMatchObject({ name: 'cli-it-qcow2', diskFormat: 'qcow2', size: statSync(q).size, verified: true, status: 'active' })
    expect(u.sha512).toBe(await sha512File(q))
    expect(u.transferSeconds).toBeGreaterThan(0)
    expect(u.transferSeconds).toBeLessThanOrEqual(u.seconds as number)
    const img = await client.glance.get(u.id as string)
    expect(img.os_hash_value).toBe(u.sha512)
    expect(img.os_distro).toBe('cirros')

    const list = cli(['image', 'list', '--json'])
    expect(list.status, list.stderr).toBe(0)
    const rows = JSON.parse(list.stdout) as { id: string }[]
    expect(rows.map((r) => r.id)).toContain(u.id)

    const target = join(dir, 'back.qcow2')
    const dl = cli(['image', 'download', u.id as string, '--file', target, '--json'])
    expect(dl.status, dl.stderr).toBe(0)
    expect(dl.json()).toMatchObject({ id: u.id, size: statSync(q).size, verified: true, sha512: u.sha512 })
    expect(readFileSync(target).equals(readFileSync(q))).toBe(true)
    expect(existsSync(`${target}.part`)).toBe(false)
  })

  it('a token issued beforehand (OS_AUTH_TYPE=v3token + OS_TOKEN) works without a password; a bad one fails clearly', async () => {
    const token = await client.session.getToken()
    const p = join(dir, 'tok.raw')
    randomFile(p, 1024 * 1024 + 3)
    const env: NodeJS.ProcessEnv = { ...base(), OS_AUTH_TYPE: 'v3token', OS_TOKEN: token }
    delete env.OS_PASSWORD
    delete env.OS_USERNAME
    const up = cli(['image', 'upload', p, '--name', 'cli-it-token', '--disk-format', 'raw', '--json'], env)
    expect(up.status, up.stderr).toBe(0)
    const u = up.json()
    created.push(u.id as string)
    expect(u).toMatchObject({ verified: true, size: 1024 * 1024 + 3 })
    // the image belongs to the token's project
    expect((await client.glance.get(u.id as string)).owner).toBe(client.session.project.id)

    const bad = cli(['image', 'list'], { ...env, OS_TOKEN: 'gAAAAA-not-a-token' })
    expect(bad.status).not.toBe(0)
    expect(bad.stderr).toMatch(/\[AUTH_FAILED\].*OS_TOKEN.*openstack token issue/)
    const none = cli(['image', 'list'], { ...env, OS_TOKEN: '' })
    expect(none.status).not.toBe(0)
    expect(none.stderr).toMatch(/needs OS_TOKEN/)
  })

  it('failures exit non-zero with a message: unknown image, missing file, no cloud given', () => {
    const missing = cli(['image', 'download', '00000000-0000-4000-8000-000000000000', '--file', join(dir, 'x'), '--json'])
    expect(missing.status).not.toBe(0)
    expect(missing.stderr).toMatch(/not found|NOT_FOUND/i)
    expect(existsSync(join(dir, 'x'))).toBe(false)
    const nofile = cli(['image', 'upload', join(dir, 'absent.raw'), '--name', 'x', '--json'])
    expect(nofile.status).not.toBe(0)
    expect(nofile.stderr).toMatch(/absent\.raw/)
    const nocloud = cli(['image', 'list'], { PATH: process.env.PATH ?? '', HOME: dir })
    expect(nocloud.status).not.toBe(0)
    expect(nocloud.stderr).toMatch(/No cloud given/)
  })
})
