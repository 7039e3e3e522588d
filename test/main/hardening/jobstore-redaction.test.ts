/**
 * Issue 12.7: the job store holds no secret. An import URL's query (a pre-signed URL's signature), user info and
 * fragment are redacted in transfers/jobs.json; the running app keeps the full URL in memory. After a restart, an
 * import Glance had not started cannot run with the redacted URL: it fails with VALIDATION/importUrlForgotten and
 * sends nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ConsoleFields } from '../../../preload/api'
import { EventBus } from '../../../main/events'
import { createNullLogger } from '../../../main/log'
import { FileRegistry } from '../../../main/files/registry'
import { TransferService } from '../../../main/transfers/service'
import { makePlatform } from '../profiles/helpers'

const SIG = 'c2lnbmF0dXJlLXNlY3JldC0xMjM0NQ'
const URL_WITH_SIG = `https://s3.example/bucket/disk.qcow2?X-Amz-Credential=AKIA1&X-Amz-Signature=${SIG}`
const fields: ConsoleFields = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }

async function open(dataDir: string, connects: { n: number }): Promise<TransferService> {
  const s = await TransferService.open({
    platform: makePlatform(dataDir),
    events: new EventBus(),
    log: createNullLogger(),
    files: new FileRegistry(),
    connect: async () => {
      connects.n++
      return {} as never // nothing of it may be used: the job must stop before any request
    },
    backoffMs: 10,
    progressMs: 50,
    persistMs: 50,
  })
  return s
}

describe('job store: no URL secrets', () => {
  it('jobs.json holds the import URL redacted; after a restart the unstarted import asks for the URL again', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'gd-jobs-')), 'data')
    const connects = { n: 0 }
    const a = await open(dataDir, connects)
    const job = await a.enqueueImport({ profileId: 'p1', region: 'RegionOne' }, { name: 'img', fields, diskFormat: 'qcow2', url: URL_WITH_SIG })
    expect(a.get(job.id).url).toBe(URL_WITH_SIG) // in memory, for this run
    await a.stop()
    const text = readFileSync(join(dataDir, 'transfers', 'jobs.json'), 'utf8')
    expect(text).not.toContain(SIG)
    expect(text).toContain('https://s3.example/bucket/disk.qcow2?')

    const b = await open(dataDir, connects)
    b.start()
    let state = b.get(job.id)
    for (let i = 0; i < 200 && state.state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 25))
      state = b.get(job.id)
    }
    expect(state.state).toBe('failed')
    expect(state.error).toMatchObject({ code: 'VALIDATION', details: { reason: 'importUrlForgotten' } })
    await b.stop()
  })
})
