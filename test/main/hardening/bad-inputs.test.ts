/**
 * Bad-input rows of test/bad-inputs.md that need no cloud. The others are in test/integration/hardening/bad-inputs.test.ts
 * and in the suites the table names.
 *
 * An unreadable file: as root every file is readable, so when this runs as root the check runs the app's own
 * inspection (the built CLI, `glance-desktop inspect`, which calls the same inspectFile) as the unprivileged user
 * `nobody` (uid 65534) on a root-owned 0600 file; otherwise in-process through the IPC handlers.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { createServices, type Services } from '../../../main/services'
import { dispatch } from '../../../main/ipc/dispatch'
import { createNullLogger } from '../../../main/log'
import { createWebPlatform, type WebPlatform } from '../../../web/platform'
import { onPosix } from '../../support/needs'

const CLI = resolve(import.meta.dirname, '../../../out/cli/index.js')
let dir: string
let platform: WebPlatform
let s: Services

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gd-bad-'))
  chmodSync(dir, 0o755)
  platform = createWebPlatform({ dataDir: join(dir, 'data'), env: {} })
  s = await createServices(platform, { startQueue: false, logger: createNullLogger() })
})
afterAll(async () => {
  await s.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('bad files without a cloud', () => {
  onPosix('an unreadable file: FILE "permission denied", nothing read', async () => {
    const locked = join(dir, 'locked.qcow2')
    writeFileSync(locked, Buffer.alloc(64 * 1024, 7))
    chmodSync(locked, 0o600)
    if (process.getuid?.() === 0) {
      if (!existsSync(CLI)) throw new Error(`run \`npm run build\` first: ${CLI} is needed to inspect as an unprivileged user`)
      const r = spawnSync(process.execPath, [CLI, 'inspect', locked, '--json'], {
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      })
      expect(r.status).not.toBe(0)
      expect(`${r.stdout}${r.stderr}`).toMatch(/permission denied/i)
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/at .*\.js:\d+/) // a message, not a stack trace
    } else {
      chmodSync(locked, 0o000)
      const ref = s.files.register(locked, 'read')
      const r = await dispatch(s.handlers, 'files:inspect', [ref.handle, 'auto'])
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('FILE')
        expect(r.error.message).toMatch(/permission denied/)
      }
    }
  })

  // A FIFO needs mkfifo: skipped on Windows (by platform, with the reason); elsewhere a failing mkfifo fails the test.
  onPosix('a FIFO (never-ending "file"): refused as not a regular file, nothing read', async () => {
    const fifo = join(dir, 'pipe.img')
    const mk = spawnSync('mkfifo', [fifo])
    expect(mk.status, `mkfifo failed: ${String(mk.stderr ?? mk.error)}`).toBe(0)
    platform.dialogs.queue(fifo)
    const r = await dispatch(s.handlers, 'files:pickOpen', ['image'])
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('FILE')
    const d = await dispatch(s.handlers, 'files:dropped', [fifo])
    expect(d.ok).toBe(false)
    if (!d.ok) expect(d.error.message).toMatch(/not a regular file/)
  })
})
