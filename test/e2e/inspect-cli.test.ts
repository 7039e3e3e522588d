/**
 * The external check of issue 13 through the BUILT CLI (`node out/cli/index.js inspect FILE`, after `npm run build`):
 * over the corpus generated at test time (test/support/inspect-corpus.ts), safe images exit 0 with their format,
 * unsafe or mismatching ones exit non-zero naming the reason, in English, and in Chinese under LANG=zh_CN.UTF-8.
 */
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCorpus, type CorpusEntry } from '../support/inspect-corpus'

const CLI = resolve(import.meta.dirname, '../../out/cli/index.js')
let dir: string
let corpus: CorpusEntry[] = []

function inspect(e: CorpusEntry, env: NodeJS.ProcessEnv = {}, json = false): { status: number | null; out: string } {
  const args = [CLI, 'inspect', e.path, ...(e.declared ? ['--disk-format', e.declared] : []), ...(json ? ['--json'] : [])]
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

/** The same, asynchronously (the corpus is inspected 6 files at a time). */
function inspectAsync(e: CorpusEntry, env: NodeJS.ProcessEnv): Promise<{ status: number | null; out: string }> {
  const args = [CLI, 'inspect', e.path, ...(e.declared ? ['--disk-format', e.declared] : [])]
  return new Promise((res) => {
    execFile(process.execPath, args, { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } }, (err, stdout, stderr) => {
      res({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: `${stdout}${stderr}` })
    })
  })
}

beforeAll(() => {
  expect(existsSync(CLI), 'npm run build makes out/cli/index.js').toBe(true)
  dir = mkdtempSync(join(tmpdir(), 'inspect-cli-'))
  corpus = buildCorpus(dir)
}, 120_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('glance-desktop inspect (built CLI) over the corpus', () => {
  it('accepts every safe image with its format and refuses every unsafe one, non-zero, naming the reason', async () => {
    const got: string[] = []
    const want: string[] = []
    const results: { status: number | null; out: string }[] = []
    for (let i = 0; i < corpus.length; i += 6) results.push(...(await Promise.all(corpus.slice(i, i + 6).map((e) => inspectAsync(e, { LANG: 'C.UTF-8' })))))
    for (const [i, e] of corpus.entries()) {
      const r = results[i]!
      if ('format' in e.expect) {
        want.push(`${e.name}: exit 0, format ${e.expect.format}`)
        const fmt = /^format:\s+(\S+)/m.exec(r.out)?.[1]
        got.push(`${e.name}: exit ${r.status}, format ${fmt}${/REFUSED/.test(r.out) ? ' REFUSED' : ''}`)
      } else {
        const reason = 'refused' in e.expect ? e.expect.refused : 'formatMismatch'
        want.push(`${e.name}: non-zero, REFUSED [${reason}]`)
        got.push(`${e.name}: ${r.status !== 0 ? 'non-zero' : 'exit 0'}, ${r.out.includes(`REFUSED [${reason}]`) ? `REFUSED [${reason}]` : r.out.slice(0, 200)}`)
      }
    }
    expect(got).toEqual(want)
  }, 120_000)

  it('words the reason: what was found, why, and the fixing command; in Chinese under LANG=zh_CN.UTF-8; --json has the codes', () => {
    const e = corpus.find((x) => x.name === 'comment-first.vmdk')!
    const en = inspect(e, { LANG: 'en_US.UTF-8' })
    expect(en.status).toBe(3)
    expect(en.out).toMatch(/REFUSED \[vmdkExtentFile\]: .*"\/etc\/passwd".*qemu-img convert/)
    const zh = inspect(e, { LANG: 'zh_CN.UTF-8' })
    expect(zh.status).toBe(3)
    expect(zh.out).toMatch(/REFUSED \[vmdkDescriptorFile\]: 这是 VMDK 描述文件.*qemu-img convert/)
    const mismatch = inspect(corpus.find((x) => x.name === 'declared-raw.qcow2')!, { LANG: 'zh_CN.UTF-8' })
    expect(mismatch.status).toBe(3)
    expect(mismatch.out).toMatch(/REFUSED \[formatMismatch\]: 该文件是 qcow2，不是 raw/)
    const j = inspect(corpus.find((x) => x.name === 'disk.qed')!, {}, true)
    expect(j.status).toBe(3)
    const report = JSON.parse(j.out) as { format: string; issues: { unsafe: { reason: string }[] } }
    expect(report.format).toBe('qed')
    expect(report.issues.unsafe.map((i) => i.reason)).toEqual(['qed'])
  })
})
