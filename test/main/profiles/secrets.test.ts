import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AppError, appCredentialAuth } from '../../../preload/api'
import { SecretStore } from '../../../main/profiles/secrets'
import { ProfileService } from '../../../main/profiles/service'
import { profileHandlers } from '../../../main/profiles/handlers'
import { FileRegistry } from '../../../main/files/registry'
import { CloudConnector } from '../../../main/profiles/connector'
import { allFiles, fakeCipher, harness, sampleProfile, tempDir } from './helpers'
import { createNullLogger } from '../../../main/log'
import { onPosix } from '../../support/needs'

const PASSWORD = 'Pa55-word-that-must-never-leak'
const APPCRED = 'app-cred-secret-9f8e7d6c5b4a'
const ENV_PASSWORD = 'env-password-from-openrc-42'
const IMPORTED = 'imported-from-secure-yaml-77'

describe('SecretStore', () => {
  onPosix('encrypts with the cipher, writes 0600, decrypts on a fresh start', () => {
    const dir = tempDir()
    const cipher = fakeCipher(true)
    const s = new SecretStore({ dir, cipher, log: createNullLogger() })
    s.set('p1', PASSWORD, true)
    expect(s.state('p1')).toBe('stored')
    const file = join(dir, 'secrets.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).not.toContain(PASSWORD)
    const again = new SecretStore({ dir, cipher, log: createNullLogger() })
    expect(again.state('p1')).toBe('stored')
    expect(again.get('p1')).toBe(PASSWORD)
    expect(cipher.calls.decrypt).toBe(1)
  })

  it('refuses to persist without encryption (ENCRYPTION_UNAVAILABLE), writes nothing, holds session secrets in memory', () => {
    const dir = tempDir()
    const s = new SecretStore({ dir, cipher: fakeCipher(false), log: createNullLogger() })
    expect(s.encryptionAvailable).toBe(false)
    let err: unknown
    try {
      s.set('p1', PASSWORD, true)
    } catch (e) {
      err = e
    }
    expect(AppError.is(err, 'ENCRYPTION_UNAVAILABLE')).toBe(true)
    expect(s.state('p1')).toBe('none')
    s.set('p1', PASSWORD, false)
    expect(s.state('p1')).toBe('session')
    expect(s.get('p1')).toBe(PASSWORD)
    expect(allFiles(dir)).toEqual([])
    // A new process has forgotten it.
    expect(new SecretStore({ dir, cipher: fakeCipher(false), log: createNullLogger() }).state('p1')).toBe('none')
  })

  it('registers every secret with the logger', () => {
    const seen: string[] = []
    const log = { ...createNullLogger(), addSecret: (x: string) => seen.push(x) }
    const s = new SecretStore({ dir: tempDir(), cipher: fakeCipher(true), log })
    s.set('a', PASSWORD, true)
    s.set('b', APPCRED, false)
    expect(seen).toEqual(expect.arrayContaining([PASSWORD, APPCRED]))
  })

  it('a damaged secrets file does not stop the app; affected profiles have no secret', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'secrets.json'), '{oops')
    const s = new SecretStore({ dir, cipher: fakeCipher(true), log: createNullLogger() })
    expect(s.loadProblem).toMatch(/damaged.*kept as .*secrets\.json\.corrupt-/)
    expect(s.state('x')).toBe('none')
    const aside = readdirSync(dir).find((f) => f.startsWith('secrets.json.corrupt-'))!
    expect(readFileSync(join(dir, aside), 'utf8')).toBe('{oops')
    s.set('y', PASSWORD, true)
    expect(readFileSync(join(dir, aside), 'utf8')).toBe('{oops')
  })

  it('clear removes the secret from disk', () => {
    const dir = tempDir()
    const s = new SecretStore({ dir, cipher: fakeCipher(true), log: createNullLogger() })
    s.set('p1', PASSWORD, true)
    s.clear('p1')
    expect(s.state('p1')).toBe('none')
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).entries).toEqual({})
  })
})

/**
 * Drives the whole profile surface (handlers included) in both modes and then reads every file written under the
 * data folder: none may hold any secret in plain text (nor base64 of it), and no handler result may carry it.
 */
describe.each([
  ['encryption available', true],
  ['encryption unavailable', false],
])('no secret on disk or across the bridge (%s)', (_label, available) => {
  it('after create, setSecret, import, env profile, save, duplicate, export, errors', async () => {
    const env = {
      OS_AUTH_URL: 'http://127.0.0.1:5000/v3',
      OS_USERNAME: 'envuser',
      OS_PASSWORD: ENV_PASSWORD,
      OS_PROJECT_NAME: 'envproj',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
    }
    const h = harness({ cipher: fakeCipher(available), env })
    const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    const files = new FileRegistry()
    const deps = { files, profiles, clouds: new CloudConnector({ profiles, log: h.log }) }
    const handlers = profileHandlers(deps)
    const results: unknown[] = []
    const call = async (ch: keyof typeof handlers, ...args: unknown[]) => {
      try {
        const r = await handlers[ch](...args)
        results.push(r)
        return r
      } catch (e) {
        results.push(e instanceof AppError ? e.toJSON() : String(e))
        return undefined
      }
    }

    const created = (await call('profiles:create', sampleProfile())) as { id: string }
    await call('profiles:setSecret', { profileId: created.id, secret: PASSWORD, persist: true })
    await call('profiles:setSecret', { profileId: created.id, secret: PASSWORD, persist: false })
    await call('profiles:duplicate', created.id)
    const appc = (await call('profiles:create', sampleProfile({ name: 'AppCred', auth: appCredentialAuth({ appCredentialId: 'ac1' }) }))) as { id: string }
    await call('profiles:setSecret', { profileId: appc.id, secret: APPCRED, persist: true })

    const yaml = `clouds:\n  imported:\n    auth:\n      auth_url: http://10.0.0.1:5000/v3\n      username: bob\n      project_name: p\n`
    const secure = `clouds:\n  imported:\n    auth:\n      password: ${IMPORTED}\n`
    const preview = (await call('profiles:importPreview', { kind: 'text', format: 'cloudsYaml', text: yaml, secureText: secure })) as {
      candidates: { key: string; hasSecret: boolean }[]
    }
    expect(preview.candidates[0]!.hasSecret).toBe(true)
    await call('profiles:importApply', {
      source: { kind: 'text', format: 'cloudsYaml', text: yaml, secureText: secure },
      decisions: [{ key: preview.candidates[0]!.key, action: 'create', saveSecret: true }],
    })
    await call('profiles:importApply', {
      source: { kind: 'text', format: 'cloudsYaml', text: yaml, secureText: secure },
      decisions: [{ key: preview.candidates[0]!.key, action: 'rename', newName: 'imported again', saveSecret: false }],
    })
    const envId = profiles.list().find((p) => p.source === 'env')!.id
    await call('profiles:save', envId)
    const out = files.register(join(h.dir, 'export-clouds.yaml'), 'write')
    await call(
      'profiles:exportCloudsYaml',
      profiles.list().map((p) => p.id),
      out.handle,
    )
    await call('profiles:state')
    h.log.info('a careless log line', { password: PASSWORD, note: `secret is ${APPCRED}`, env: ENV_PASSWORD, imp: IMPORTED })

    // The main side still has them.
    expect(profiles.secret(created.id)).toBe(PASSWORD)
    expect(profiles.secret(envId)).toBe(ENV_PASSWORD)
    if (available) expect(profiles.list().find((p) => p.id === appc.id)!.secretState).toBe('stored')
    else expect(results.some((r) => JSON.stringify(r).includes('ENCRYPTION_UNAVAILABLE'))).toBe(true)

    const secrets = [PASSWORD, APPCRED, ENV_PASSWORD, IMPORTED]
    const written = allFiles(h.dir)
    expect(written.map((f) => f.path).join('\n')).toMatch(/settings\.json/)
    expect(written.map((f) => f.path).join('\n')).toMatch(/main\.log/)
    for (const f of written) {
      const text = f.data.toString('latin1')
      for (const s of secrets) {
        expect(text, `${f.path} holds a secret`).not.toContain(s)
        expect(text, `${f.path} holds a base64 secret`).not.toContain(Buffer.from(s).toString('base64'))
        expect(text, `${f.path} holds a hex secret`).not.toContain(Buffer.from(s).toString('hex'))
      }
    }
    const bridged = JSON.stringify(results) + JSON.stringify(h.emitted)
    for (const s of secrets) expect(bridged).not.toContain(s)
  })
})
