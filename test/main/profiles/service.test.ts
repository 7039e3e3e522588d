import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { AppError, type ProfilesState } from '../../../preload/api'
import { ProfileService } from '../../../main/profiles/service'
import { SETTINGS_VERSION, memoryBackend, type SettingsBackend } from '../../../main/profiles/profile-store'
import { fakeCipher, harness, sampleAuth, sampleProfile, tempDir } from './helpers'

async function open(opts: Parameters<typeof harness>[0] & { backend?: (dir: string) => SettingsBackend } = {}) {
  const h = harness(opts)
  const svc = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log, ...(opts.backend ? { backend: opts.backend } : {}) })
  return { h, svc }
}

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return AppError.is(e) ? e.code : 'NOT_APP_ERROR'
  }
  return undefined
}

describe('ProfileService: the profile list', () => {
  it('create, update (rename), duplicate, reorder, remove; persisted across restarts; profiles:changed after each', async () => {
    const { h, svc } = await open()
    const a = svc.create(sampleProfile({ name: 'A' }))
    const b = svc.create(sampleProfile({ name: 'B', color: '#ff0000', group: 'Lab' }))
    expect(a).toMatchObject({ name: 'A', source: 'saved', secretState: 'none', order: 0 })
    expect(b.order).toBe(1)
    const renamed = svc.update(a.id, { ...sampleProfile({ name: 'A prod' }), readOnly: true })
    expect(renamed).toMatchObject({ id: a.id, name: 'A prod', readOnly: true })
    const dup = svc.duplicate(a.id)
    expect(dup.name).toBe('A prod (copy)')
    expect(svc.duplicate(a.id).name).toBe('A prod (copy) (2)')
    svc.reorder([b.id, dup.id])
    expect(svc.list().map((p) => p.name)).toEqual(['B', 'A prod (copy)', 'A prod', 'A prod (copy) (2)'])
    svc.remove(dup.id)
    expect(svc.list().map((p) => p.name)).toEqual(['B', 'A prod', 'A prod (copy) (2)'])
    const changed = h.emitted.filter((e) => e.event === 'profiles:changed')
    expect(changed).toHaveLength(7)
    expect((changed.at(-1)!.payload as ProfilesState).profiles).toHaveLength(3)

    // A fresh start reads the same list.
    const again = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    expect(again.list().map((p) => [p.id, p.name, p.readOnly])).toEqual(svc.list().map((p) => [p.id, p.name, p.readOnly]))
    const onDisk = JSON.parse(readFileSync(join(h.dir, 'settings.json'), 'utf8'))
    expect(onDisk.version).toBe(SETTINGS_VERSION)
  })

  it('refuses invalid input, duplicate names, unknown ids and bad orders, changing nothing', async () => {
    const { h, svc } = await open()
    const a = svc.create(sampleProfile({ name: 'A' }))
    const before = readFileSync(join(h.dir, 'settings.json'), 'utf8')
    expect(code(() => svc.create(sampleProfile({ name: 'a' })))).toBe('VALIDATION')
    expect(code(() => svc.create(sampleProfile({ name: 'X', authUrl: 'file:///x' })))).toBe('VALIDATION')
    expect(code(() => svc.update('nope', sampleProfile()))).toBe('PROFILE_NOT_FOUND')
    expect(code(() => svc.reorder([a.id, a.id]))).toBe('VALIDATION')
    expect(code(() => svc.reorder(['ghost']))).toBe('PROFILE_NOT_FOUND')
    expect(code(() => svc.remove('ghost'))).toBe('PROFILE_NOT_FOUND')
    expect(readFileSync(join(h.dir, 'settings.json'), 'utf8')).toBe(before)
  })

  it('a damaged secrets file is set aside and the user is told', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'secrets.json'), 'garbage')
    const { svc } = await open({ dir })
    expect(svc.state().recovered?.message).toMatch(/secrets file is damaged/)
    expect(readFileSync(svc.state().recovered!.backupPath, 'utf8')).toBe('garbage')
  })

  it('a failed write changes nothing in memory', async () => {
    let fail = false
    const mem = memoryBackend('/virtual/settings.json')
    const backend = () => ({
      path: mem.path,
      get store() {
        return mem.store
      },
      set store(v: Record<string, unknown>) {
        if (fail) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' })
        mem.store = v
      },
    })
    const { svc } = await open({ backend })
    svc.create(sampleProfile({ name: 'A' }))
    fail = true
    expect(() => svc.create(sampleProfile({ name: 'B' }))).toThrow(/disk full/)
    expect(svc.list().map((p) => p.name)).toEqual(['A'])
  })

  it('secrets: stored, session, cleared; duplicate keeps the secret; remove forgets it', async () => {
    const { svc } = await open()
    const a = svc.create(sampleProfile({ name: 'A' }))
    expect(svc.setSecret({ profileId: a.id, secret: 'pw-1', persist: true }).secretState).toBe('stored')
    expect(svc.setSecret({ profileId: a.id, secret: 'pw-2', persist: false }).secretState).toBe('session')
    expect(svc.secret(a.id)).toBe('pw-2')
    const d = svc.duplicate(a.id)
    expect(svc.secret(d.id)).toBe('pw-2')
    expect(svc.clearSecret(a.id).secretState).toBe('none')
    expect(svc.secret(a.id)).toBeUndefined()
    svc.remove(d.id)
    expect(code(() => svc.secret(d.id))).toBe('PROFILE_NOT_FOUND')
  })

  it('without encryption: persisting is refused, session secrets work, state says so', async () => {
    const { svc } = await open({ cipher: fakeCipher(false) })
    const a = svc.create(sampleProfile({ name: 'A' }))
    expect(svc.state().encryptionAvailable).toBe(false)
    expect(code(() => svc.setSecret({ profileId: a.id, secret: 'pw', persist: true }))).toBe('ENCRYPTION_UNAVAILABLE')
    expect(svc.get(a.id).secretState).toBe('none')
    expect(svc.setSecret({ profileId: a.id, secret: 'pw', persist: false }).secretState).toBe('session')
  })
})

const ENV = {
  OS_AUTH_URL: 'http://127.0.0.1:5000/v3',
  OS_USERNAME: 'admin',
  OS_PASSWORD: 'admin-secret',
  OS_PROJECT_NAME: 'admin',
  OS_USER_DOMAIN_NAME: 'Default',
  OS_PROJECT_DOMAIN_NAME: 'Default',
  OS_REGION_NAME: 'RegionOne',
}

describe('ProfileService: the OS_* profile', () => {
  it('appears first as a ready env profile (secret in memory), is not saved until profiles:save', async () => {
    const { h, svc } = await open({ env: ENV })
    const [env] = svc.list()
    expect(env).toMatchObject({ source: 'env', secretState: 'session', auth: { username: 'admin' }, defaultRegion: 'RegionOne', order: 0 })
    expect(env!.id).toMatch(/^env-[0-9a-f]{16}$/)
    expect(svc.secret(env!.id)).toBe('admin-secret')
    expect(existsSync(join(h.dir, 'settings.json')) ? (JSON.parse(readFileSync(join(h.dir, 'settings.json'), 'utf8')).profiles ?? []) : []).toEqual([])
    expect(code(() => svc.setSecret({ profileId: env!.id, secret: 'x', persist: true }))).toBe('VALIDATION')

    const saved = svc.save(env!.id)
    expect(saved).toMatchObject({ id: env!.id, source: 'saved', secretState: 'stored' })
    const again = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    // Same cloud again in the environment: no second profile; the saved one is used.
    expect(again.list()).toHaveLength(1)
    expect(again.list()[0]).toMatchObject({ id: env!.id, source: 'saved', secretState: 'stored' })
  })

  it('the same id on every start (selections survive restarts)', async () => {
    const a = await open({ env: ENV })
    const b = await open({ env: ENV })
    expect(a.svc.list()[0]!.id).toBe(b.svc.list()[0]!.id)
  })

  it('a broken environment does not stop the service', async () => {
    const { svc } = await open({ env: { OS_CLOUD: 'nowhere' } })
    expect(svc.list()).toEqual([])
    expect(svc.environmentWarnings().join(' ')).toMatch(/clouds\.yaml|nowhere/)
  })
})

const YAML = `clouds:
  alpha:
    auth: {auth_url: "http://10.0.0.1:5000/v3", username: u1, project_name: p1}
    region_name: R1
  beta:
    auth_type: v3applicationcredential
    auth: {auth_url: "http://10.0.0.2:5000/v3", application_credential_id: ac2}
  gamma:
    auth: {auth_url: "http://10.0.0.3:5000/v3", username: u3, project_name: p3}
`
const SECURE = `clouds:
  alpha: {auth: {password: alpha-pw}}
  beta: {auth: {application_credential_secret: beta-secret}}
`

describe('ProfileService: import and export', () => {
  it('previews candidates with secrets hidden and duplicates found by name and by cloud+user+project', async () => {
    const { svc } = await open()
    svc.create(sampleProfile({ name: 'ALPHA' }))
    svc.create(
      sampleProfile({
        name: 'gamma twin',
        authUrl: 'http://10.0.0.3:5000/v3/',
        auth: sampleAuth({ username: 'u3', projectName: 'p3' }),
        regions: [],
        defaultRegion: '',
      }),
    )
    const prev = svc.importPreview({ kind: 'text', format: 'cloudsYaml', text: YAML, secureText: SECURE })
    expect(prev.candidates.map((c) => [c.profile.name, c.hasSecret, c.duplicateOf ?? null])).toEqual([
      ['alpha', true, 'ALPHA'],
      ['beta', true, null],
      ['gamma', false, 'gamma twin'],
    ])
    expect(JSON.stringify(prev)).not.toMatch(/alpha-pw|beta-secret/)
  })

  it('applies create / skip / rename with optional saved secrets in one write', async () => {
    const { h, svc } = await open()
    svc.create(sampleProfile({ name: 'alpha' }))
    const src = { kind: 'text' as const, format: 'cloudsYaml' as const, text: YAML, secureText: SECURE }
    const keys = svc.importPreview(src).candidates.map((c) => c.key)
    const n = h.emitted.length
    const made = svc.importApply(src, [
      { key: keys[0]!, action: 'rename', newName: 'alpha 2', saveSecret: true },
      { key: keys[1]!, action: 'create', saveSecret: false },
      { key: keys[2]!, action: 'skip', saveSecret: false },
    ])
    expect(made.map((p) => [p.name, p.secretState])).toEqual([
      ['alpha 2', 'stored'],
      ['beta', 'session'],
    ])
    expect(h.emitted.length).toBe(n + 1)
    expect(svc.list().map((p) => p.name)).toEqual(['alpha', 'alpha 2', 'beta'])
  })

  it('nothing is imported half-way: one bad decision and nothing is written', async () => {
    const { h, svc } = await open()
    svc.create(sampleProfile({ name: 'alpha' }))
    const src = { kind: 'text' as const, format: 'cloudsYaml' as const, text: YAML, secureText: SECURE }
    const keys = svc.importPreview(src).candidates.map((c) => c.key)
    const before = readdirSync(h.dir)
      .filter((f) => f !== 'logs')
      .map((f) => [f, readFileSync(join(h.dir, f), 'utf8')])
    // beta and gamma are fine, but alpha clashes by name with "create".
    expect(
      code(() =>
        svc.importApply(src, [
          { key: keys[1]!, action: 'create', saveSecret: true },
          { key: keys[2]!, action: 'create', saveSecret: false },
          { key: keys[0]!, action: 'create', saveSecret: true },
        ]),
      ),
    ).toBe('VALIDATION')
    expect(svc.list().map((p) => p.name)).toEqual(['alpha'])
    const after = readdirSync(h.dir)
      .filter((f) => f !== 'logs')
      .map((f) => [f, readFileSync(join(h.dir, f), 'utf8')])
    expect(after).toEqual(before)
    // Unknown keys (the file changed) are refused too.
    expect(code(() => svc.importApply(src, [{ key: 'c9-zzz', action: 'create', saveSecret: false }]))).toBe('VALIDATION')
  })

  it('a malformed file is refused as a whole with file and line', async () => {
    const { svc } = await open()
    const bad = YAML + '  delta:\n    auth: [unclosed\n'
    let err: AppError | undefined
    try {
      svc.importPreview({ kind: 'text', format: 'cloudsYaml', text: bad })
    } catch (e) {
      err = e as AppError
    }
    expect(err?.code).toBe('VALIDATION')
    expect(err?.message).toMatch(/^clouds\.yaml:1\d/)
    expect(svc.list()).toEqual([])
  })

  it('candidates that cannot be created are listed with errors and refused at apply', async () => {
    const { svc } = await open()
    const text = 'clouds:\n  v:\n    profile: vexxhost\n    auth: {username: u, project_name: p}\n'
    const [c] = svc.importPreview({ kind: 'text', format: 'cloudsYaml', text }).candidates
    expect(c!.errors?.join(' ')).toMatch(/vendor profile/)
    expect(code(() => svc.importApply({ kind: 'text', format: 'cloudsYaml', text }, [{ key: c!.key, action: 'create', saveSecret: false }]))).toBe('VALIDATION')
  })

  it('saving imported secrets without encryption is refused before anything is written', async () => {
    const { svc } = await open({ cipher: fakeCipher(false) })
    const src = { kind: 'text' as const, format: 'cloudsYaml' as const, text: YAML, secureText: SECURE }
    const keys = svc.importPreview(src).candidates.map((c) => c.key)
    expect(code(() => svc.importApply(src, [{ key: keys[0]!, action: 'create', saveSecret: true }]))).toBe('ENCRYPTION_UNAVAILABLE')
    expect(svc.list()).toEqual([])
    expect(svc.importApply(src, [{ key: keys[0]!, action: 'create', saveSecret: false }])[0]!.secretState).toBe('session')
  })

  it('imports an openrc file and clouds.yaml from a chosen file (with secure.yaml beside it)', async () => {
    const { svc } = await open()
    const dir = tempDir()
    writeFileSync(
      join(dir, 'demo-openrc.sh'),
      'export OS_AUTH_URL=http://127.0.0.1:5000/v3\nexport OS_USERNAME=demo\nexport OS_PASSWORD=demo-secret\nexport OS_PROJECT_NAME=demo\n',
    )
    const prev = svc.importPreview({ kind: 'openrc', path: join(dir, 'demo-openrc.sh') })
    expect(prev.candidates[0]!.profile.name).toBe('demo-openrc')
    expect(prev.candidates[0]!.hasSecret).toBe(true)
    writeFileSync(join(dir, 'clouds.yaml'), YAML)
    writeFileSync(join(dir, 'secure.yaml'), SECURE)
    const p2 = svc.importPreview({ kind: 'cloudsYaml', path: join(dir, 'clouds.yaml') })
    expect(p2.sources).toEqual([join(dir, 'clouds.yaml'), join(dir, 'secure.yaml')])
    expect(p2.candidates[0]!.hasSecret).toBe(true)
    let err: AppError | undefined
    try {
      svc.importPreview({ kind: 'openrc', path: join(dir, 'missing.sh') })
    } catch (e) {
      err = e as AppError
    }
    expect(err?.code).toBe('FILE')
    expect(err?.message).toMatch(/missing\.sh/)
  })

  it('exports chosen profiles as clouds.yaml, atomically, without secrets', async () => {
    const { svc } = await open()
    const a = svc.create(sampleProfile({ name: 'A' }))
    svc.create(sampleProfile({ name: 'B' }))
    svc.setSecret({ profileId: a.id, secret: 'export-must-not-see-this', persist: true })
    const out = join(tempDir(), 'clouds.yaml')
    await svc.exportCloudsYaml([a.id], out)
    const text = readFileSync(out, 'utf8')
    expect(Object.keys(parse(text).clouds)).toEqual(['A'])
    expect(text).not.toContain('export-must-not-see-this')
    expect(readdirSync(join(out, '..'))).toEqual(['clouds.yaml'])
  })
})
