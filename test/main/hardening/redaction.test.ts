/**
 * Issue 12.7: nothing secret in files meant to hold none. URL query values and user info, JWS and UUID-shaped
 * tokens are redacted in log records; the diagnostics export re-redacts old log lines with today's secrets and
 * redacts the job list; a URL import with `user:pass@` is refused by the command's schema.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFileLogger, redact, redactUrl } from '../../../main/log'
import { exportDiagnostics } from '../../../main/diagnostics'
import { imageCommands } from '../../../preload/contract/commands/images'
import { makePlatform } from '../profiles/helpers'

const SIG = 'c2lnbmF0dXJlLXZhbHVlLTk5'
const JWS = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MX0.MEUCIQDk3vJ4mX0sYw2Q8xk1'
const UUID_TOKEN = '3f2a9c7e5b1d4e6fa8c0b2d4e6f8a0c2'
const IMAGE_ID = '6a1f0c2e-9b3d-4c5e-8f7a-1b2c3d4e5f60'
const MD5 = 'd41d8cd98f00b204e9800998ecf8427e'

describe('log redaction', () => {
  it('redacts query values (but Glance paging keys), user info and fragments of every URL in a record', () => {
    expect(redactUrl(`https://s3.example/b/k.qcow2?X-Amz-Signature=${SIG}&X-Amz-Expires=60`)).toBe(
      'https://s3.example/b/k.qcow2?X-Amz-Signature=[REDACTED]&X-Amz-Expires=[REDACTED]',
    )
    expect(redactUrl('https://bob:hunter22@mirror.example/x.img#frag')).toBe('https://[REDACTED]@mirror.example/x.img#[REDACTED]')
    expect(redactUrl('http://127.0.0.1:9292/v2/images?limit=25&marker=abc&sort=name:asc')).toBe(
      'http://127.0.0.1:9292/v2/images?limit=25&marker=abc&sort=name:asc',
    )
    const out = JSON.stringify(
      redact({ msg: 'import', url: `https://s3.example/k?sig=${SIG}`, error: `GET https://s3.example/k?token=${SIG} failed`, list: [`wss://h/?t=${SIG}`] }),
    )
    expect(out).not.toContain(SIG)
    expect(out).toContain('https://s3.example/k?sig=[REDACTED]')
  })

  it('redacts JWS and 32-hex (UUID) token shapes; keeps image ids and checksum/id fields', () => {
    const out = redact({
      message: `token ${JWS} and ${UUID_TOKEN} for image ${IMAGE_ID}`,
      md5: MD5,
      projectId: UUID_TOKEN,
      imageId: IMAGE_ID,
    }) as Record<string, string>
    expect(out.message).not.toContain(JWS)
    expect(out.message).not.toContain(UUID_TOKEN)
    expect(out.message).toContain(IMAGE_ID)
    expect(out.md5).toBe(MD5)
    expect(out.projectId).toBe(UUID_TOKEN)
    expect(out.imageId).toBe(IMAGE_ID)
  })

  it('the file logger writes none of them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-redact-'))
    const log = createFileLogger({ file: join(dir, 'main.log') })
    log.warn('http', { url: `https://s3.example/k?X-Amz-Signature=${SIG}`, error: `Keystone said ${JWS}` })
    const text = readFileSync(join(dir, 'main.log'), 'utf8')
    expect(text).not.toContain(SIG)
    expect(text).not.toContain(JWS)
  })
})

describe('diagnostics export', () => {
  it('re-redacts old log lines with the secrets learned since, and redacts the jobs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-diag-'))
    mkdirSync(join(dir, 'logs'))
    const late = 'learned-later-secret-4711'
    // Written before the secret was known (an older version, another process, a rotated file).
    writeFileSync(join(dir, 'logs', 'main.log.1'), `${JSON.stringify({ t: 'x', level: 'info', msg: `auth with ${late}` })}\nplain text line ${late}\n`)
    const log = createFileLogger({ file: join(dir, 'logs', 'main.log') })
    log.info('started')
    log.addSecret(late)
    const target = join(dir, 'bundle.json')
    await exportDiagnostics(
      {
        platform: makePlatform(dir),
        profiles: { state: () => ({ profiles: [], encryptionAvailable: true }) },
        transfers: { list: () => [{ id: 'j1', kind: 'import', url: `https://s3.example/k?X-Amz-Signature=${SIG}` }] as never },
        log,
      },
      target,
    )
    const bundle = readFileSync(target, 'utf8')
    expect(bundle).toContain('main.log.1')
    expect(bundle).not.toContain(late)
    expect(bundle).not.toContain(SIG)
  })
})

describe('URL import: no user info', () => {
  it('images:create refuses https://user:pass@host/... in the schema (and accepts the same URL without)', () => {
    const schema = imageCommands.create.schemas[1]!
    const urlIssues = (url: string): string[] => {
      const r = schema.safeParse({ name: 'u', fields: {}, diskFormat: 'qcow2', source: { kind: 'url', url } })
      return (r.error?.issues ?? []).filter((i) => i.path.includes('url')).map((i) => i.message)
    }
    expect(urlIssues('https://bob:hunter22@mirror.example/x.qcow2').join(' ')).toMatch(/user name or password/)
    expect(urlIssues('https://bob@mirror.example/x.qcow2')).not.toEqual([])
    expect(urlIssues('https://mirror.example/x.qcow2')).toEqual([])
  })
})
