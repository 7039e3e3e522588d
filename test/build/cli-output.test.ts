/**
 * The built CLI's output reaches a pipe whole: node writes to pipes asynchronously, and an exit right after a large
 * write cut it at the pipe's 64 KiB (`image list --json | jq` with a few hundred images). Checked with the usage
 * error of a long unknown command (no cloud needed), read through a real pipe by a reader that starts late.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const CLI = resolve(import.meta.dirname, '../../out/cli/index.js')

describe('the built CLI and a pipe', () => {
  it('writes all of a message larger than the pipe buffer before it exits', () => {
    expect(existsSync(CLI), 'npm run build makes out/cli/index.js').toBe(true)
    const name = `x${'é'.repeat(60_000)}` // 120 kB of UTF-8, non-ASCII
    // the reader sleeps first: the pipe is full when the CLI is done
    const r = spawnSync('bash', ['-c', '"$NODE" "$CLI" "$NAME" 2>&1 | { sleep 1; cat; }'], {
      env: { PATH: process.env.PATH ?? '', NODE: process.execPath, CLI, NAME: name },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
    })
    expect(r.stdout).toContain(`unknown command: ${name}`)
    expect(r.stdout).toMatch(/Usage: glance-desktop/)
    expect(Buffer.byteLength(r.stdout)).toBeGreaterThan(120_000)
  })
})
