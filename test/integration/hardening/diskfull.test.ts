/**
 * The disk filling up during a download, on a real small filesystem: an 8 MiB tmpfs mounted for the test (needs root
 * and mount permission: under REQUIRE_CLOUD=1 a failed mount FAILS the suite, elsewhere it is skipped with the reason;
 * test/support/needs.ts). Two cases:
 *  - not enough room from the start: DISK_FULL before a byte is written, with what is needed and what is free;
 *  - room at the start, taken by something else mid-download (the proxy trickles the body so the filler lands
 *    mid-transfer): ENOSPC mid-write becomes DISK_FULL; the final file never appears; the .part is either removed or
 *    kept for a resume (then it is a prefix of the image), and after space is freed a retry completes and verifies.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeCloud } from '../../support/cloud'
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy'
import { sessionFor } from '../openstack/helpers'
import { Direct, download, openApp, randomFile, rmrf, sha512, upload, type App } from './helpers'
import { describeNeeds } from '../../support/needs'

const MiB = 1024 * 1024
const PREFIX = `gd-hard-disk-${process.pid}-`

function tryMount(dir: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' })
    return null
  } catch (e) {
    return `cannot mount a tmpfs (${(e as Error).message.split('\n')[0]}); run as root with mount permission`
  }
}

// Probe once (mount and unmount at once), so that nothing stays mounted when the suite is skipped for lack of a cloud.
const mnt = mkdtempSync(join(tmpdir(), 'gd-diskfull-'))
const mountProblem = tryMount(mnt)
if (!mountProblem) execFileSync('umount', [mnt])
if (mountProblem) {
  rmSync(mnt, { recursive: true, force: true })
  // Never a bare skip: REQUIRE_CLOUD=1 turns a filesystem we cannot mount into a failure.
  describeNeeds('disk full during a download (8 MiB tmpfs)', mountProblem, () => {
    it('needs a small filesystem it can fill', () => {})
  })
}

;(mountProblem ? (): void => {} : describeCloud)('disk full during a download (8 MiB tmpfs)', (cloud) => {
  let proxy: FaultProxy
  let app: App
  let direct: Direct
  const images: Record<string, { id: string; sha512: string }> = {}

  beforeAll(async () => {
    const problem = tryMount(mnt)
    if (problem) throw new Error(problem)
    const glanceUrl = (await sessionFor(cloud).endpointFor('image', cloud.region)).replace(/\/v2\/?$/, '')
    proxy = await startFaultProxy({ target: glanceUrl })
    app = await openApp(cloud, { imageUrl: proxy.url })
    direct = new Direct(cloud, PREFIX)
    for (const [key, size] of [
      ['big', 12 * MiB],
      ['six', 6 * MiB],
    ] as const) {
      const file = join(app.userDir, `${key}.raw`)
      randomFile(file, size)
      const job = await app.s.transfers.waitFor((await upload(app, file, `${PREFIX}${key}`)).id)
      expect(job.state).toBe('done')
      images[key] = { id: job.imageId!, sha512: await sha512(file) }
    }
  })
  afterAll(async () => {
    await direct?.cleanup()
    await app?.close()
    await proxy?.close()
    try {
      execFileSync('umount', [mnt])
    } catch {
      /* not mounted */
    }
    rmSync(mnt, { recursive: true, force: true })
    if (app) rmrf(app.root)
  })

  it('a 12 MiB image into 8 MiB: DISK_FULL up front, saying what is needed; no file, no .part', async () => {
    const path = join(mnt, 'big.raw')
    const job = await app.s.transfers.waitFor((await download(app, images.big!.id, path)).id)
    expect(job.state).toBe('failed')
    expect(job.error?.code).toBe('DISK_FULL')
    expect(job.error?.message).toMatch(/Not enough free space/)
    expect(job.error?.retryable).not.toBe(true)
    expect(readdirSync(mnt)).toEqual([])
  })

  it('space taken mid-download: DISK_FULL, no final file, .part absent or a clean prefix; a retry after freeing space verifies', async () => {
    const path = join(mnt, 'six.raw')
    // 6 MiB image, 8 MiB disk: fits at the start. The body trickles after 1 MiB; meanwhile a 5 MiB file appears.
    proxy.addRule({
      method: 'GET',
      path: /\/file$/,
      times: 1,
      action: { kind: 'trickle', direction: 'response', bytesPerSecond: 2 * MiB, afterBytes: 1 * MiB },
    })
    const started = await download(app, images.six!.id, path)
    for (let i = 0; i < 200 && !existsSync(`${path}.part`); i++) await sleep(25)
    await sleep(300)
    const filler = join(mnt, 'filler.bin')
    try {
      writeFileSync(filler, Buffer.alloc(5 * MiB, 1))
    } catch {
      /* the tmpfs may be fuller already: what got written stays */
    }
    const job = await app.s.transfers.waitFor(started.id, undefined, 120_000)
    expect(job.state).toBe('failed')
    expect(job.error?.code).toBe('DISK_FULL')
    expect(job.error?.message).toBeTruthy()
    expect(existsSync(path)).toBe(false)
    const left = readdirSync(mnt).filter((n) => n !== 'filler.bin')
    expect(left.every((n) => n === 'six.raw.part')).toBe(true)
    if (left.length) {
      // kept for a resume: it must be a prefix of the real image
      const part = readFileSync(`${path}.part`)
      const source = readFileSync(join(app.userDir, 'six.raw'))
      expect(part.length).toBeLessThan(source.length)
      expect(part.equals(source.subarray(0, part.length))).toBe(true)
    }
    // Free the space; the user retries; the file is complete and verified.
    rmSync(filler, { force: true })
    await app.ok('transfers:retry', job.id)
    const again = await app.s.transfers.waitFor(job.id, undefined, 120_000)
    expect(again.state).toBe('done')
    expect(await sha512(path)).toBe(images.six!.sha512)
    expect(readdirSync(mnt)).toEqual(['six.raw'])
  })
})
