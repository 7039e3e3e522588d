// F3: accepting an unverified download never replaces what sits at the target name now (review finding d)
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { acceptUnverifiedPart } from '../../../main/transfers/download'
import type { DownloadSpec } from '../../../main/transfers/store'
import { onPosix } from '../../support/needs'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'accept-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function spec(): DownloadSpec {
  const path = join(dir, 'img.raw')
  writeFileSync(`${path}.part`, 'downloaded bytes')
  const st = statSync(`${path}.part`)
  return { kind: 'download', path, part: { path: `${path}.part`, dev: st.dev, ino: st.ino, imageId: 'i1', expected: null } } as DownloadSpec
}

describe('acceptUnverifiedPart', () => {
  it('the own part file gets the final name', async () => {
    const s = spec()
    await acceptUnverifiedPart(s)
    expect(readFileSync(s.path, 'utf8')).toBe('downloaded bytes')
    expect(existsSync(`${s.path}.part`)).toBe(false)
  })

  it('a file that appeared at the target is not replaced: CONFLICT targetExists, both files kept', async () => {
    const s = spec()
    writeFileSync(s.path, 'the user’s file')
    const e = await acceptUnverifiedPart(s).then(
      () => null,
      (x: unknown) => x as { code: string; details?: { reason?: string } },
    )
    expect(e?.code).toBe('CONFLICT')
    expect(e?.details?.reason).toBe('targetExists')
    expect(readFileSync(s.path, 'utf8')).toBe('the user’s file')
    expect(readFileSync(`${s.path}.part`, 'utf8')).toBe('downloaded bytes')
  })

  onPosix('a symlink that appeared at the target is not replaced (nor followed)', async () => {
    const s = spec()
    const elsewhere = join(dir, 'elsewhere')
    writeFileSync(elsewhere, 'keep')
    symlinkSync(elsewhere, s.path)
    await expect(acceptUnverifiedPart(s)).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(readFileSync(elsewhere, 'utf8')).toBe('keep')
    expect(readFileSync(`${s.path}.part`, 'utf8')).toBe('downloaded bytes')
  })
})
