import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { COMMAND_CHANNELS } from '../../../preload/contract/commands'
import { profileHandlers } from '../../../main/profiles/handlers'
import { ProfileService } from '../../../main/profiles/service'
import { CloudConnector } from '../../../main/profiles/connector'
import { FileRegistry } from '../../../main/files/registry'
import { dispatch } from '../../../main/ipc/dispatch'
import { harness, sampleProfile, tempDir } from './helpers'

async function setup() {
  const h = harness()
  const profiles = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
  const clouds = new CloudConnector({ profiles, log: h.log })
  const files = new FileRegistry()
  const deps = { files, profiles, clouds }
  const handlers = profileHandlers(deps)
  const run = (ch: string, ...args: unknown[]) => dispatch(handlers, ch, args)
  return { h, profiles, files, run, deps }
}

describe('profiles handlers', () => {
  it('cover every profiles:* channel of the contract', async () => {
    const { run, deps } = await setup()
    void run
    const channels = COMMAND_CHANNELS.filter((c) => c.startsWith('profiles:'))
    const h = profileHandlers(deps)
    expect(Object.keys(h).sort()).toEqual([...channels].sort())
  })

  it('validate every argument: strict objects, http(s) auth URLs, limits, ids, handles, arity', async () => {
    const { run } = await setup()
    const bad: [string, unknown[]][] = [
      ['profiles:create', [{ ...sampleProfile(), extra: true }]],
      ['profiles:create', [{ ...sampleProfile(), authUrl: 'file:///etc/passwd' }]],
      ['profiles:create', [{ ...sampleProfile(), authUrl: 'javascript:alert(1)//' }]],
      ['profiles:create', [{ ...sampleProfile(), name: 'n'.repeat(500) }]],
      ['profiles:create', [{ ...sampleProfile(), regions: 'RegionOne' }]],
      ['profiles:create', [{ ...sampleProfile(), endpointOverrides: { image: 'ftp://x' } }]],
      ['profiles:create', [{ ...sampleProfile(), notes: 'x'.repeat(5000) }]],
      ['profiles:create', [sampleProfile(), 'extra argument']],
      ['profiles:update', ['../../etc', sampleProfile()]],
      ['profiles:setSecret', [{ profileId: 'p', secret: '', persist: true }]],
      ['profiles:setSecret', [{ profileId: 'p', secret: 'x'.repeat(5000), persist: true }]],
      ['profiles:setSecret', [{ profileId: 'p', secret: 'a\nb', persist: true }]],
      ['profiles:setSecret', [{ profileId: 'p', secret: 'x', persist: 'yes' }]],
      ['profiles:reorder', ['not-an-array']],
      ['profiles:test', [{ profileId: 'p', region: 'R', extra: 1 }]],
      ['profiles:importPreview', [{ kind: 'openrc', fileHandle: '/etc/passwd' }]],
      ['profiles:importPreview', [{ kind: 'cloudsYaml', path: '/etc/openstack/clouds.yaml' }]],
      ['profiles:importApply', [{ source: { kind: 'text', format: 'openrc', text: '' }, decisions: [{ key: 'k', action: 'explode', saveSecret: false }] }]],
      ['profiles:exportCloudsYaml', [[], 'fh_aaaaaaaaaaaaaaaaaaaa']],
      ['profiles:exportCloudsYaml', [['p1'], '/tmp/out.yaml']],
      ['profiles:testDraft', [{ input: { ...sampleProfile(), authUrl: 'gopher://x' }, secret: 'x' }]],
    ]
    for (const [ch, args] of bad) {
      const r = await run(ch, ...args)
      expect(r.ok, `${ch} ${JSON.stringify(args).slice(0, 80)}`).toBe(false)
      if (!r.ok) expect(r.error.code, ch).toBe('VALIDATION')
    }
  })

  it('work end to end through the dispatcher and never return a secret', async () => {
    const { run, files, h } = await setup()
    const created = await run('profiles:create', sampleProfile())
    expect(created.ok).toBe(true)
    const id = (created as { value: { id: string } }).value.id
    const set = await run('profiles:setSecret', { profileId: id, secret: 'handler-secret-123', persist: true })
    expect(set).toMatchObject({ ok: true, value: { secretState: 'stored' } })
    expect(JSON.stringify(set)).not.toContain('handler-secret-123')
    expect(await run('profiles:test', { profileId: 'ghost' })).toMatchObject({ ok: false, error: { code: 'PROFILE_NOT_FOUND' } })

    const dir = tempDir()
    writeFileSync(join(dir, 'rc.sh'), 'export OS_AUTH_URL=http://10.1.1.1:5000/v3\nexport OS_USERNAME=x\nexport OS_PROJECT_NAME=y\n')
    const rc = files.register(join(dir, 'rc.sh'), 'read')
    const prev = await run('profiles:importPreview', { kind: 'openrc', fileHandle: rc.handle })
    expect(prev).toMatchObject({ ok: true, value: { candidates: [{ profile: { auth: { username: 'x' } } }] } })
    // A read handle cannot be used to write, and vice versa.
    expect(await run('profiles:exportCloudsYaml', [id], rc.handle)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    const out = files.register(join(dir, 'out.yaml'), 'write')
    expect(await run('profiles:importPreview', { kind: 'openrc', fileHandle: out.handle })).toMatchObject({ ok: false })
    expect(await run('profiles:exportCloudsYaml', [id], out.handle)).toMatchObject({ ok: true, value: { path: join(dir, 'out.yaml') } })
    expect(await run('profiles:remove', id)).toEqual({ ok: true, value: null })
    expect(h.emitted.filter((e) => e.event === 'profiles:changed').length).toBe(3)
  })
})
