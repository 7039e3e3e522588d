/**
 * Issue 12.1: a stored secret belongs to the identity it was saved for (auth URL origin, user, application
 * credential), and widening where it or its token may go needs a main-process confirmation. A loopback listener
 * stands for a foreign host: it records every request, and must never see the stored secret.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloudConnector } from '../../../main/profiles/connector'
import { ProfileService } from '../../../main/profiles/service'
import type { ConfirmRequest } from '../../../main/platform'
import { appCredentialAuth } from '../../../preload/api'
import { harness, sampleAuth, sampleProfile, tempDir } from './helpers'

const SECRET = 'stored-pw-bound-8817'

let listener: Server
let foreign = ''
const seen: string[] = []

beforeAll(async () => {
  listener = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body}`)
      res.writeHead(500).end()
    })
  })
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r))
  foreign = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => listener.close(() => r())))

/** A service whose confirmations answer from `answers` (then "no"), recording each question. */
async function setup(answers: boolean[] = []) {
  const h = harness()
  const asked: ConfirmRequest[] = []
  h.platform.dialogs.confirm = async (req) => {
    asked.push(req)
    return answers.shift() ?? false
  }
  const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log, fromEnvironment: false })
  const clouds = new CloudConnector({ profiles, log: h.log })
  // The saved cloud: a closed loopback port (nothing listens), so nothing real is reached either way.
  const saved = profiles.create(sampleProfile({ authUrl: 'http://127.0.0.1:9/v3' }))
  profiles.setSecret({ profileId: saved.id, secret: SECRET, persist: true })
  return { h, profiles, clouds, saved, asked }
}

const leaked = (): boolean => seen.some((r) => r.includes(SECRET))

describe('testDraft: the stored secret only for its own identity', () => {
  it('a draft with another auth URL origin gets NO_SECRET/identityChanged; the foreign host sees nothing', async () => {
    const { profiles, clouds, saved } = await setup([true, true, true])
    const before = seen.length
    const draft = { ...profiles.get(saved.id), authUrl: `${foreign}/v3` }
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = draft
    await expect(clouds.testDraft(input, undefined, saved.id)).rejects.toMatchObject({ code: 'NO_SECRET', details: { reason: 'identityChanged' } })
    expect(seen.length).toBe(before)
    expect(leaked()).toBe(false)
  })

  it.each([
    ['user name', { auth: sampleAuth({ username: 'mallory' }) }],
    ['user id', { auth: sampleAuth({ userId: 'u-other' }) }],
    ['user domain', { auth: sampleAuth({ userDomainName: 'Other' }) }],
    ['auth type', { auth: appCredentialAuth({ appCredentialId: 'ac-x', username: 'alice' }) }],
  ])('a draft with another %s needs the secret typed again', async (_what, change) => {
    const { profiles, clouds, saved } = await setup([true, true, true])
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = profiles.get(saved.id)
    await expect(clouds.testDraft({ ...input, ...change }, undefined, saved.id)).rejects.toMatchObject({ code: 'NO_SECRET' })
  })

  it('same identity, but an endpoint override to a foreign host / insecure / another CA: asked in main; "no" sends nothing', async () => {
    const { profiles, clouds, saved, asked } = await setup([])
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = profiles.get(saved.id)
    const before = seen.length
    await expect(clouds.testDraft({ ...input, endpointOverrides: { image: `${foreign}/image` } }, undefined, saved.id)).rejects.toMatchObject({
      code: 'CANCELLED',
      details: { reason: 'notConfirmed', params: { confirm: 'endpointOverride' } },
    })
    await expect(clouds.testDraft({ ...input, insecure: true }, undefined, saved.id)).rejects.toMatchObject({ details: { params: { confirm: 'insecureTls' } } })
    await expect(clouds.testDraft({ ...input, caFile: '/tmp/other-ca.pem' }, undefined, saved.id)).rejects.toMatchObject({
      details: { params: { confirm: 'caFile' } },
    })
    expect(asked.map((a) => a.purpose)).toEqual(['endpointOverride', 'insecureTls', 'caFile'])
    expect(asked[0]!.subjects).toEqual([`image = ${foreign}/image`])
    expect(seen.length).toBe(before)
  })

  it('a typed secret over http:// to a non-loopback host needs a confirmation too', async () => {
    const { profiles, clouds, saved, asked } = await setup([])
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = profiles.get(saved.id)
    await expect(clouds.testDraft({ ...input, authUrl: 'http://keystone.example.com:5000/v3' }, 'typed-pw', saved.id)).rejects.toMatchObject({
      code: 'CANCELLED',
      details: { params: { confirm: 'plainHttp' } },
    })
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({ purpose: 'plainHttp', subjects: ['http://keystone.example.com:5000/v3'] })
  })
})

describe('update: the secret follows its identity', () => {
  it('changing the auth URL origin drops the stored secret (and it is never sent after)', async () => {
    const { profiles, clouds, saved } = await setup()
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = profiles.get(saved.id)
    const u = profiles.update(saved.id, { ...input, authUrl: `${foreign}/v3` })
    expect(u.secretState).toBe('none')
    expect(profiles.secret(saved.id)).toBeUndefined()
    const before = seen.length
    await expect(clouds.test({ profileId: saved.id })).rejects.toMatchObject({ code: 'NO_SECRET' })
    expect(seen.length).toBe(before)
  })

  it('changing the user drops it; renaming or changing regions keeps it', async () => {
    const { profiles, saved } = await setup()
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = profiles.get(saved.id)
    expect(profiles.update(saved.id, { ...input, name: 'Renamed', notes: 'n' }).secretState).toBe('stored')
    expect(profiles.secret(saved.id)).toBe(SECRET)
    expect(profiles.update(saved.id, { ...input, name: 'Renamed', auth: sampleAuth({ username: 'bob' }) }).secretState).toBe('none')
  })

  it('insecure, a new CA file or an endpoint override on a profile with a secret: refused unless confirmed in main', async () => {
    const { profiles, saved, asked } = await setup([false, true, true, true])
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = profiles.get(saved.id)
    expect(() => profiles.update(saved.id, { ...input, insecure: true })).toThrow(expect.objectContaining({ code: 'CANCELLED' }))
    await expect(profiles.updateConfirmed(saved.id, { ...input, insecure: true })).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(profiles.get(saved.id).insecure).toBe(false)
    expect((await profiles.updateConfirmed(saved.id, { ...input, insecure: true })).insecure).toBe(true)
    const ca = join(tempDir(), 'other-ca.pem')
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n')
    const next = { ...input, insecure: true, caFile: ca, endpointOverrides: { image: `${foreign}/i` } }
    const u = await profiles.updateConfirmed(saved.id, next)
    expect(u.endpointOverrides).toEqual({ image: `${foreign}/i` })
    expect(u.secretState).toBe('stored')
    expect(asked.map((a) => a.purpose)).toEqual(['insecureTls', 'insecureTls', 'caFile', 'endpointOverride'])
  })

  it('without a secret, those changes need no confirmation; http:// to another host always does', async () => {
    const { profiles, asked } = await setup([false, true])
    const bare = profiles.create(sampleProfile({ name: 'Bare' }))
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = bare
    expect(profiles.update(bare.id, { ...input, insecure: true, endpointOverrides: { image: 'https://img.example/' } }).insecure).toBe(true)
    await expect(profiles.createConfirmed(sampleProfile({ name: 'Plain', authUrl: 'http://keystone.example.com/v3' }))).rejects.toMatchObject({
      code: 'CANCELLED',
    })
    expect(profiles.list().map((p) => p.name)).not.toContain('Plain')
    expect((await profiles.createConfirmed(sampleProfile({ name: 'Plain', authUrl: 'http://keystone.example.com/v3' }))).name).toBe('Plain')
    expect((await profiles.createConfirmed(sampleProfile({ name: 'Local', authUrl: 'http://localhost:5000/v3' }))).name).toBe('Local')
    // http:// to another host on a profile that keeps its secret: asked on update too.
    const plain = profiles.list().find((p) => p.name === 'Bare')!
    const { id: _j, source: _t, secretState: _u, order: _v, ...bareInput } = plain
    await expect(profiles.updateConfirmed(plain.id, { ...bareInput, authUrl: 'http://other.example/v3' })).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(asked.map((a) => a.purpose)).toEqual(['plainHttp', 'plainHttp', 'plainHttp'])
  })

  it('a duplicate carries the secret; moving the duplicate elsewhere drops its copy only', async () => {
    const { profiles, saved } = await setup()
    const dup = profiles.duplicate(saved.id)
    expect(dup.secretState).toBe('stored')
    const { id: _i, source: _s, secretState: _st, order: _o, ...input } = dup
    expect(profiles.update(dup.id, { ...input, authUrl: `${foreign}/v3` }).secretState).toBe('none')
    expect(profiles.secret(saved.id)).toBe(SECRET)
  })

  it('settings edited behind the app (another origin on disk): the secret saved for the old identity is not used', async () => {
    const { h, saved } = await setup()
    const file = join(h.dir, 'settings.json')
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { profiles: { authUrl: string }[] }
    doc.profiles[0]!.authUrl = `${foreign}/v3`
    writeFileSync(file, JSON.stringify(doc))
    const again = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log, fromEnvironment: false })
    expect(again.get(saved.id).secretState).toBe('none')
    expect(again.secret(saved.id)).toBeUndefined()
  })

  it('import: an http:// auth URL to another host is asked about in main', async () => {
    const { profiles, asked } = await setup([false])
    const text =
      'clouds:\n  plain:\n    auth:\n      auth_url: http://keystone.example.com:5000/v3\n      username: u\n      password: pw-import-1\n      project_name: p\n'
    const src = { kind: 'text' as const, format: 'cloudsYaml' as const, text }
    const key = profiles.importPreview(src).candidates[0]!.key
    await expect(profiles.importApplyConfirmed(src, [{ key, action: 'create', saveSecret: false }])).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(profiles.list().map((p) => p.name)).not.toContain('plain')
    expect(asked.map((a) => a.purpose)).toEqual(['plainHttp'])
  })
})
