/**
 * The headless CLI (`out/cli/index.js`, built by `npm run build`) against the real loopback cloud, as a script would
 * use it: OS_* variables, `--json` output, exit codes; and a token issued beforehand (OS_AUTH_TYPE=v3token).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeCloud } from '../../support/cloud'
import { acquireQueueLock } from '../../../main/transfers/queue-lock'
import type { CloudClient } from '../../../main/openstack/types'
import { clientFor, credsEnv, fields, openService, qcow2File, randomFile, sha512File, tmp } from './helpers'

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

  // Issue 11.5: --profile reads the app's settings.json; a file of settings v2 (flat credentials) is read as migrated
  // and never rewritten by the CLI; the secret comes from the variable of the profile's kind
  it('--profile NAME: a settings v2 profile (flat credentials) lists images; the file is left as it was', () => {
    const data = join(dir, 'v2-settings')
    mkdirSync(data, { recursive: true })
    const flat = {
      id: 'p-old',
      name: 'old-flat',
      color: '#409eff',
      group: '',
      authUrl: cloud.authUrl,
      authType: 'password',
      username: cloud.username,
      userId: '',
      userDomainName: cloud.userDomainName,
      projectName: cloud.projectName,
      projectId: '',
      projectDomainName: cloud.projectDomainName,
      appCredentialId: '',
      appCredentialName: '',
      regions: [cloud.region],
      defaultRegion: cloud.region,
      interface: cloud.interface,
      caFile: cloud.cacert ?? '',
      insecure: cloud.insecure ?? false,
      endpointOverrides: {},
      propertyKeys: { virtualization: 'hypervisor_type', onlineResize: 'hw_online_resize', encryptedPassword: 'hw_passwd_encrypted' },
      readOnly: false,
      notes: '',
    }
    const appCred = { ...flat, id: 'p-ac', name: 'old-appcred', authType: 'applicationCredential', username: '', projectName: '', appCredentialId: 'ac-x' }
    const text = JSON.stringify({ version: 2, profiles: [flat, appCred] })
    writeFileSync(join(data, 'settings.json'), text)
    const env = { PATH: process.env.PATH ?? '', HOME: dir }
    const list = cli(['image', 'list', '--profile', 'old-flat', '--data-dir', data, '--json'], { ...env, OS_PASSWORD: cloud.password })
    expect(list.status, list.stderr).toBe(0)
    expect(Array.isArray(JSON.parse(list.stdout))).toBe(true)
    const noSecret = cli(['image', 'list', '--profile', 'old-flat', '--data-dir', data], env)
    expect(noSecret.status).not.toBe(0)
    expect(noSecret.stderr).toMatch(/Profile old-flat: set OS_PASSWORD/)
    const ac = cli(['image', 'list', '--profile', 'old-appcred', '--data-dir', data], { ...env, OS_PASSWORD: cloud.password })
    expect(ac.status).not.toBe(0)
    expect(ac.stderr).toMatch(/Profile old-appcred: set OS_APPLICATION_CREDENTIAL_SECRET/)
    expect(readFileSync(join(data, 'settings.json'), 'utf8')).toBe(text)
  })

  // F3 (review f): a usage error of `queue upload` is found before the login and the lock: no lock is left behind
  it('queue upload without --name: a usage error, exit 2, the queue not locked nor touched', () => {
    const data = join(dir, 'usage')
    const f = join(dir, 'usage.raw')
    randomFile(f, 1024)
    const r = cli(['queue', 'upload', f, '--data-dir', data, '--json'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--name NAME is required/)
    expect(existsSync(join(data, 'transfers', 'cli-jobs.json.lock'))).toBe(false)
    expect(existsSync(join(data, 'transfers', 'cli-jobs.json'))).toBe(false)
  })

  // B2 (issue 12.2): one owner per queue, and every job only against its own login's cloud
  it('the CLI and the app engine on one data dir at once: separate queues, one owner each, no job sent for another login', async () => {
    const data = join(dir, 'shared')
    const appFile = join(dir, 'app-upload.raw')
    randomFile(appFile, 8 * 1024 * 1024 + 1)
    const cliFile = join(dir, 'cli-upload.raw')
    randomFile(cliFile, 4 * 1024 * 1024 + 3)
    const foreignFile = join(dir, 'foreign-login.raw')
    randomFile(foreignFile, 1024 * 1024)
    const stamp = `${process.pid}-${Date.now()}`
    const names = { app: `cli-it-app-${stamp}`, cli: `cli-it-cli-${stamp}`, foreign: `cli-it-foreign-${stamp}` }

    // the app engine runs on the data dir (its own queue file, locked by this test process)
    const app = await openService(cloud, data)
    app.start()
    const appJob = await app.enqueueUpload(
      { profileId: 'app-profile', region: cloud.region },
      { name: names.app, fields, diskFormat: 'raw', filePath: appFile },
    )

    // meanwhile the CLI queues and runs its own job
    const q = cli(['queue', 'upload', cliFile, '--name', names.cli, '--disk-format', 'raw', '--data-dir', data, '--json'])
    expect(q.status, q.stderr).toBe(0)
    const cliJob = q.json() as { id: string; profileId: string }
    expect(cliJob.profileId).toMatch(/^cli:[0-9a-f]{24}$/)
    // a job of another login in the CLI's queue (e.g. queued with another OS_USERNAME): must never be sent anywhere
    const cliQueue = join(data, 'transfers', 'cli-jobs.json')
    const doc = JSON.parse(readFileSync(cliQueue, 'utf8')) as { jobs: Record<string, unknown>[] }
    const mine = doc.jobs[0]!
    doc.jobs.push({
      ...mine,
      id: 'job_foreign-login',
      profileId: 'cli:000000000000000000000000',
      imageName: names.foreign,
      imageId: '0b0b0b0b-0000-4000-8000-000000000001',
      spec: { ...(mine.spec as object), name: names.foreign, filePath: foreignFile, size: 1024 * 1024 },
    })
    writeFileSync(cliQueue, JSON.stringify(doc))

    // while another process (this one) holds the CLI's queue, `queue run` says so and runs nothing
    const held = await acquireQueueLock(cliQueue)
    expect(held.held).toBe(true)
    const refused = cli(['queue', 'run', '--data-dir', data, '--json'])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(new RegExp(`CONFLICT.*in use by another process \\(pid ${process.pid}`))
    if (held.held) await held.release()

    // now the CLI runs, at the same time as the app's upload
    const run = await new Promise<Run>((resolveRun) => {
      const child = spawn(process.execPath, [CLI, 'queue', 'run', '--data-dir', data, '--json'], { env: base() })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      child.on('exit', (status) => resolveRun({ status, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> }))
    })
    const appDone = await app.waitFor(appJob.id)
    await app.stop()
    expect(run.status, run.stderr).toBe(0)
    const jobs = JSON.parse(run.stdout) as { id: string; state: string; imageId?: string; profileId: string }[]
    for (const j of jobs) if (j.imageId && j.state === 'done') created.push(j.imageId)
    if (appDone.imageId) created.push(appDone.imageId)
    expect(jobs.find((j) => j.id === cliJob.id)?.state).toBe('done')
    expect(jobs.find((j) => j.id === 'job_foreign-login')?.state).toBe('queued')
    expect(run.stderr).toMatch(/1 job\(s\) of other logins/)
    expect(appDone.state).toBe('done')
    // each queue holds only its own jobs
    const appQueue = JSON.parse(readFileSync(join(data, 'transfers', 'jobs.json'), 'utf8')) as { jobs: { id: string }[] }
    expect(appQueue.jobs.map((j) => j.id)).toEqual([appJob.id])
    // Glance: the app's and the CLI's images, once each; nothing for the other login
    const named = async (n: string) => {
      const out: string[] = []
      for await (const img of client.glance.list({ name: n })) out.push(img.id)
      return out
    }
    expect(await named(names.app)).toHaveLength(1)
    expect(await named(names.cli)).toHaveLength(1)
    expect(await named(names.foreign)).toHaveLength(0)
    expect(await client.glance.get('0b0b0b0b-0000-4000-8000-000000000001').catch((e: { status?: number }) => e.status)).toBe(404)
    expect(existsSync(`${cliQueue}.lock`)).toBe(false)
  }, 240_000)
})
