/**
 * Every IPC command, called with hostile input through the real handler map (createServices over a Node platform in a
 * temporary data dir, as the browser harness builds it; no cloud, no Electron).
 *
 * Phase 1 (strict): wrong types, extra arguments, non-array arguments, huge strings, prototype-pollution objects,
 * `constructor` keys, NaN/Infinity, negative and fractional numbers, BigInt, Dates, deeply nested values — put in
 * every argument position and in every field of every object argument of a valid-looking call. Each must be refused
 * with VALIDATION, and nothing may change: the data dir byte for byte (logs aside), no dialog asked, nothing opened.
 *
 * Phase 2 (paths and URLs): `../../etc/passwd`, `/etc/passwd`, `file://` URLs, Windows paths and device names in every
 * string position. Each must give a clean error (never INTERNAL) or be taken as plain data (a profile named
 * "../../etc/passwd" is allowed); no file may appear outside the data dir, and no handle may be made from a path.
 *
 * The template table is typed `Record<CommandChannel, ...>` and checked against COMMAND_CHANNELS at run time: a new
 * channel without a hostile-input case fails to compile and fails this test.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandChannel, Result } from '../../../preload/api'
import { COMMAND_CHANNELS } from '../../../preload/contract/commands'
import { createServices, type Services } from '../../../main/services'
import { dispatch } from '../../../main/ipc/dispatch'
import { defaultProfileInput } from '../../../main/profiles/model'
import { passwordAuth } from '../../../preload/api'
import { createWebPlatform, type WebPlatform } from '../../../web/platform'

// ------------------------------------------------------------------------------------------------------------------
// Fixtures
// ------------------------------------------------------------------------------------------------------------------

let root: string
let dataDir: string
let userDir: string
let platform: WebPlatform
let services: Services

/** A handle-shaped string that was never issued. */
const FAKE_HANDLE = 'fh_AAAAAAAAAAAAAAAAAAAAAAAA'
const CTX = { profileId: 'p-none' }
const FIELDS = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }
const PROFILE = defaultProfileInput({
  name: 'hostile',
  authUrl: 'http://127.0.0.1:9/v3',
  auth: passwordAuth({ username: 'u', projectName: 'p' }),
})

/** A valid-looking call for each channel; hostile values replace its arguments and fields one at a time. */
const TEMPLATES: Record<CommandChannel, () => unknown[]> = {
  'app:info': () => [],
  'app:openExternal': () => ['https://docs.openstack.org/glance/latest/'],
  'app:notices': () => [],
  'app:exportDiagnostics': () => [FAKE_HANDLE],
  'app:setLocale': () => ['zh-CN'],
  'profiles:state': () => [],
  'profiles:create': () => [{ ...PROFILE }],
  'profiles:update': () => ['p-none', { ...PROFILE }],
  'profiles:duplicate': () => ['p-none'],
  'profiles:remove': () => ['p-none'],
  'profiles:reorder': () => [['p-none']],
  'profiles:setSecret': () => [{ profileId: 'p-none', secret: 's3cret', persist: false }],
  'profiles:clearSecret': () => ['p-none'],
  'profiles:test': () => [{ ...CTX }],
  'profiles:testDraft': () => [{ input: { ...PROFILE }, secret: 's3cret' }],
  'profiles:importPreview': () => [{ kind: 'text', format: 'openrc', text: 'export OS_AUTH_URL=http://127.0.0.1:9/v3\n' }],
  'profiles:importApply': () => [{ source: { kind: 'text', format: 'openrc', text: 'export OS_AUTH_URL=http://127.0.0.1:9/v3\n' }, decisions: [] }],
  'profiles:exportCloudsYaml': () => [['p-none'], FAKE_HANDLE],
  'profiles:exportOpenrc': () => ['p-none', FAKE_HANDLE], // C4
  'profiles:save': () => ['p-none'],
  'images:list': () => [{ ...CTX }, { limit: 10 }, '/v2/images?marker=x'],
  'images:get': () => [{ ...CTX }, 'img-1'],
  'images:create': () => [{ ...CTX }, { name: 'n', fields: { ...FIELDS }, diskFormat: 'raw', source: { kind: 'none' }, properties: { a: 'b' } }],
  'images:update': () => [{ ...CTX }, 'img-1', { name: 'n', properties: { a: null } }],
  'images:delete': () => [{ ...CTX }, 'img-1', true],
  'images:addTag': () => [{ ...CTX }, 'img-1', 't'],
  'images:removeTag': () => [{ ...CTX }, 'img-1', 't'],
  'images:editTags': () => [{ ...CTX }, 'img-1', { add: ['生产'], remove: ['t'] }],
  'images:projects': () => [{ ...CTX }],
  'images:deactivate': () => [{ ...CTX }, 'img-1', true],
  'images:reactivate': () => [{ ...CTX }, 'img-1'],
  'images:members': () => [{ ...CTX }, 'img-1'],
  'images:share': () => [{ ...CTX }, 'img-1', 'project-1'],
  'images:unshare': () => [{ ...CTX }, 'img-1', 'project-1'],
  'images:setMemberStatus': () => [{ ...CTX }, 'img-1', 'accepted'],
  'images:capabilities': () => [{ ...CTX }],
  'images:export': () => [{ ...CTX }, { format: 'csv', scope: { kind: 'ids', ids: ['img-1'] }, columns: ['name'], locale: 'en', fileHandle: FAKE_HANDLE }],
  'volumes:types': () => [{ ...CTX }],
  'volumes:zones': () => [{ ...CTX }],
  'volumes:create': () => [{ ...CTX }, { imageId: 'img-1', name: 'v', sizeGiB: 1 }],
  'files:pickOpen': () => ['image'],
  'files:pickSave': () => ['image', 'disk.qcow2'],
  'files:dropped': () => [join(userDir, 'dropped.img')],
  'files:inspect': () => [FAKE_HANDLE, 'auto'],
  'transfers:list': () => [],
  'transfers:download': () => [{ ...CTX }, { imageId: 'img-1', fileHandle: FAKE_HANDLE }],
  'transfers:pause': () => ['job-1'],
  'transfers:resume': () => ['job-1'],
  'transfers:cancel': () => ['job-1'],
  'transfers:retry': () => ['job-1'],
  'transfers:remove': () => ['job-1'],
  'transfers:runDraft': () => ['job-1'],
  'transfers:acceptUnverified': () => ['job-1'],
  'transfers:exportDrafts': () => [['job-1'], FAKE_HANDLE],
  'transfers:importDrafts': () => [FAKE_HANDLE],
  'fleet:regions': () => ['p-none'],
  'fleet:page': () => [{ profileId: 'p-none', region: 'RegionOne' }, '/v2/images?marker=x'],
  // D1
  'copy:plan': () => [{ source: { profileId: 'p-none', region: 'RegionOne' }, imageIds: ['img-1'], targets: [{ profileId: 'p-none', region: 'RegionTwo' }] }],
  'copy:start': () => [{ source: { profileId: 'p-none', region: 'RegionOne' }, imageIds: ['img-1'], targets: [{ profileId: 'p-none', region: 'RegionTwo' }] }],
  'sync:plan': () => [
    { source: { profileId: 'p-none', region: 'RegionOne' }, target: { profileId: 'p-none', region: 'RegionTwo' }, filter: { kind: 'tag', tag: 't' } },
  ],
  'sync:apply': () => [{ source: { profileId: 'p-none', region: 'RegionOne' }, target: { profileId: 'p-none', region: 'RegionTwo' }, filter: { kind: 'all' } }],
}

function deep(depth: number): unknown {
  let v: unknown = 'x'
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v }
  return v
}

/** Values no argument or field of any command accepts: each must be refused with VALIDATION. */
const STRICT: [string, () => unknown][] = [
  ['null', () => null],
  ['number', () => 42],
  ['negative', () => -1],
  ['fraction', () => 0.5],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity],
  ['BigInt', () => 10n],
  ['boolean', () => true],
  ['Date', () => new Date(0)],
  ['huge string (2 MiB)', () => 'A'.repeat(2 * 1024 * 1024 + 1)],
  ['__proto__ object', () => JSON.parse('{"__proto__": {"polluted": "yes"}, "isAdmin": true}') as unknown],
  ['constructor.prototype object', () => ({ constructor: { prototype: { polluted: 'yes' } } })],
  ['deeply nested (5000)', () => deep(5000)],
  ['array of pollution', () => [JSON.parse('{"__proto__": {"polluted": "yes"}}') as unknown]],
]

/** Paths and URLs in string positions: a clean error or plain data, never a handle, never a file outside the data dir. */
const PATHS: [string, () => string][] = [
  ['relative traversal', () => '../../etc/passwd'],
  ['absolute path', () => '/etc/passwd'],
  ['file URL', () => 'file:///etc/passwd'],
  ['javascript URL', () => 'javascript:alert(1)'],
  ['Windows path', () => 'C:\\Windows\\System32\\config\\SAM'],
  ['UNC path', () => '\\\\evil\\share\\x'],
  ['device name', () => 'CON'],
  ['NUL byte', () => 'a\u0000b'],
  ['control characters', () => 'a\r\nb\u001b[31m'],
]

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
}

interface Variant {
  where: string
  args: unknown
  /** What the template held there (a hostile value of the same kind may be legitimate: 42 for a size). */
  original: unknown
}

/** The hostile value is of the kind the slot takes (a number for a number, a boolean for a flag, null for a removal). */
function sameKind(original: unknown, hostile: unknown): boolean {
  if (original === null) return hostile === null
  if (typeof original === 'number') return typeof hostile === 'number' && Number.isFinite(hostile)
  if (typeof original === 'boolean') return typeof hostile === 'boolean'
  // Structured clone carries Dates; a strict object whose fields are all optional takes one as {} (nothing in it).
  if (isPlainObject(original)) return hostile instanceof Date
  return false
}

/** Every way to put `value` into a template: each argument position, each field of each object argument. */
function variants(template: () => unknown[], value: () => unknown): Variant[] {
  const out: Variant[] = []
  const n = template().length
  for (let i = 0; i < Math.max(n, 1); i++) {
    const args = template()
    const original = args[i]
    args[i] = value()
    out.push({ where: `arg ${i + 1}`, args, original })
    const t = template()[i]
    if (isPlainObject(t)) {
      for (const key of Object.keys(t)) {
        const a = template()
        ;(a[i] as Record<string, unknown>)[key] = value()
        out.push({ where: `arg ${i + 1}.${key}`, args: a, original: t[key] })
        const inner = (template()[i] as Record<string, unknown>)[key]
        if (isPlainObject(inner)) {
          for (const k2 of Object.keys(inner)) {
            const b = template()
            ;((b[i] as Record<string, unknown>)[key] as Record<string, unknown>)[k2] = value()
            out.push({ where: `arg ${i + 1}.${key}.${k2}`, args: b, original: inner[k2] })
          }
        }
      }
    }
  }
  return out
}

/** Files under `dir` (relative path -> content), `skip` excluded. */
function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      const rel = relative(dir, p)
      if (skip(rel)) continue
      if (statSync(p).isDirectory()) walk(p)
      else out.set(rel, readFileSync(p).toString('base64'))
    }
  }
  walk(dir)
  return out
}

async function call(channel: CommandChannel, args: unknown): Promise<Result<unknown>> {
  return dispatch(services.handlers, channel, args)
}

function protoClean(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
  expect(Object.keys(Object.prototype)).toEqual([])
  expect(Object.keys(Array.prototype)).toEqual([])
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gd-hostile-'))
  dataDir = join(root, 'data')
  userDir = join(root, 'user')
  mkdirSync(userDir)
  writeFileSync(join(userDir, 'dropped.img'), Buffer.alloc(4096))
  platform = createWebPlatform({ dataDir, env: {}, cipher: 'memory' })
  services = await createServices(platform, { startQueue: false })
  // One real profile and a saved secret, so that the data dir holds settings and secrets to guard.
  const p = await services.profiles.create(
    defaultProfileInput({ name: 'real', authUrl: 'http://127.0.0.1:9/v3', auth: passwordAuth({ username: 'u', projectName: 'p' }) }),
  )
  services.profiles.setSecret({ profileId: p.id, secret: 'guarded-secret', persist: true })
  await services.transfers.flush()
})

afterAll(async () => {
  await services?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('hostile IPC input', () => {
  it('has a hostile-input case for every command channel, and no stale one', () => {
    expect(Object.keys(TEMPLATES).sort()).toEqual([...COMMAND_CHANNELS].sort())
  })

  it('refuses unknown channels and non-array or oversized argument lists with VALIDATION', async () => {
    for (const ch of ['', 'app:eval', '__proto__', 'constructor', 'profiles:state ', 42, null, { toString: () => 'app:info' }]) {
      const r = await dispatch(services.handlers, ch, [])
      expect(r.ok, String(ch)).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('VALIDATION')
    }
    for (const channel of COMMAND_CHANNELS) {
      for (const args of ['str', 42, null, undefined, { 0: 'a', length: 1 }, new Array(9).fill('x')]) {
        const r = await call(channel, args)
        expect(r.ok, `${channel} ${JSON.stringify(args)}`).toBe(false)
        if (!r.ok) expect(r.error.code, `${channel}`).toBe('VALIDATION')
      }
    }
  })

  it.each([...COMMAND_CHANNELS])('%s: refuses an extra argument with VALIDATION', async (channel) => {
    const r = await call(channel, [...TEMPLATES[channel](), 'extra'])
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('VALIDATION')
  })

  it.each([...COMMAND_CHANNELS])('%s: refuses wrong types, huge, polluted and nested values with VALIDATION, no side effect', async (channel) => {
    const guard = (rel: string): boolean => rel.startsWith('logs')
    const before = snapshot(dataDir, guard)
    const asked = platform.dialogs.asked.length
    const opened = platform.shell.opened.length
    const failures: string[] = []
    for (const [label, value] of STRICT) {
      for (const v of variants(TEMPLATES[channel], value)) {
        const r = await call(channel, v.args)
        if (!r.ok && r.error.code === 'INTERNAL') failures.push(`${v.where} = ${label}: INTERNAL ${r.error.message}`)
        else if ((r.ok || r.error.code !== 'VALIDATION') && !sameKind(v.original, value())) {
          failures.push(`${v.where} = ${label}: ${r.ok ? 'accepted' : `${r.error.code} ${r.error.message}`}`)
        }
      }
    }
    expect(failures).toEqual([])
    protoClean()
    expect(snapshot(dataDir, guard)).toEqual(before)
    expect(platform.dialogs.asked.length).toBe(asked)
    expect(platform.shell.opened.length).toBe(opened)
  })

  it.each([...COMMAND_CHANNELS])('%s: paths and URLs give a clean error or plain data, never a handle or a file outside the data dir', async (channel) => {
    const outside = (): string[] => [...snapshot(root, (rel) => rel === 'data' || rel.startsWith(`data/`)).keys()]
    const before = outside()
    const failures: string[] = []
    for (const [label, value] of PATHS) {
      for (const v of variants(TEMPLATES[channel], value)) {
        const r = await call(channel, v.args)
        if (!r.ok && r.error.code === 'INTERNAL') failures.push(`${v.where} = ${label}: INTERNAL ${r.error.message}`)
        // files:dropped is the one channel that takes a path: the preload sends only what webUtils.getPathForFile
        // resolved for a real dropped File (see SECURITY.md); an existing absolute path gives a READ handle.
        const droppedAbsolute = channel === 'files:dropped' && label === 'absolute path'
        if (r.ok && r.value && typeof r.value === 'object' && 'handle' in r.value && !droppedAbsolute) {
          failures.push(`${v.where} = ${label}: made a file handle for ${(r.value as unknown as { path: string }).path}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(outside()).toEqual(before)
    for (const p of ['etc/passwd', 'passwd', 'CON']) {
      expect(existsSync(resolve(dataDir, p))).toBe(false)
      expect(existsSync(resolve(process.cwd(), p))).toBe(false)
    }
    expect(platform.shell.opened.every((u) => /^https?:\/\//.test(u))).toBe(true)
    protoClean()
  })
})

describe('paths enter only as handles', () => {
  it('handles are refused when unknown, forged or used for the other mode', async () => {
    const ref = services.files.register(join(userDir, 'dropped.img'), 'read', 4096)
    for (const h of [FAKE_HANDLE, `${ref.handle}x`, ref.handle.toUpperCase(), ref.path, `file://${ref.path}`]) {
      const r = await call('files:inspect', [h])
      expect(r.ok, h).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('VALIDATION')
    }
    // A read handle cannot be written to.
    const w = await call('app:exportDiagnostics', [ref.handle])
    expect(w.ok).toBe(false)
    if (!w.ok) expect(w.error.code).toBe('VALIDATION')
    expect(readFileSync(join(userDir, 'dropped.img')).length).toBe(4096)
    // ...and a real one works (the template is not refused for the wrong reason).
    const ok = await call('files:inspect', [ref.handle, 'raw'])
    expect(ok.ok).toBe(true)
  })

  it('files:dropped takes only an absolute path of a regular file outside the app data', async () => {
    const refused: [string, string][] = [
      ['../../etc/passwd', 'VALIDATION'],
      ['dropped.img', 'VALIDATION'],
      ['file:///etc/passwd', 'VALIDATION'],
      [`${userDir}/a\u0000b`, 'VALIDATION'],
      [join(dataDir, 'secrets.json'), 'VALIDATION'],
      [join(dataDir, 'settings.json'), 'VALIDATION'],
      [join(dataDir, 'logs', '..', 'transfers', 'jobs.json'), 'VALIDATION'],
      [dataDir, 'VALIDATION'],
      [userDir, 'FILE'],
      [join(userDir, 'missing.img'), 'FILE'],
    ]
    for (const [path, code] of refused) {
      const r = await call('files:dropped', [path])
      expect(r.ok, path).toBe(false)
      if (!r.ok) expect(r.error.code, path).toBe(code)
    }
    const r = await call('files:dropped', [join(userDir, 'dropped.img')])
    expect(r.ok).toBe(true)
    if (r.ok) expect((r.value as { handle: string }).handle).toMatch(/^fh_/)
  })

  it('files:pickSave sanitizes the default name before the dialog sees it', async () => {
    platform.dialogs.queue(null)
    const r = await call('files:pickSave', ['image', '../../etc/CON.qcow2\u0000'])
    expect(r).toEqual({ ok: true, value: null })
    const last = platform.dialogs.asked.at(-1)
    expect(last?.kind).toBe('save')
    const name = last?.kind === 'save' ? last.opts.defaultName : ''
    expect(name).not.toMatch(/[/\\]/)
    expect(name).not.toContain('\u0000')
    expect(name).not.toMatch(/^\.\.?$/)
  })

  it('property keys that would pollute prototypes are refused', async () => {
    for (const props of ['{"__proto__": "x"}', '{"constructor": "x"}', '{"prototype": "x"}']) {
      const args = TEMPLATES['images:create']()
      ;(args[1] as Record<string, unknown>).properties = JSON.parse(props) as unknown
      const r = await call('images:create', args)
      expect(r.ok, props).toBe(false)
      if (!r.ok) expect(r.error.code, props).toBe('VALIDATION')
    }
    protoClean()
  })

  it('a manifest larger than 4 MiB is refused before it is read (not INTERNAL)', async () => {
    const big = join(userDir, 'big.yaml')
    writeFileSync(big, Buffer.alloc(4 * 1024 * 1024 + 1, 0x20))
    const ref = services.files.register(big, 'read')
    const r = await call('transfers:importDrafts', [ref.handle])
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('VALIDATION')
  })

  it('ids made of dots never reach a URL', async () => {
    for (const id of ['.', '..', '...']) {
      const r = await call('images:delete', [CTX, id, true])
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('VALIDATION')
    }
  })

  it('the secret stays in the data dir, encrypted; no handler returns it', async () => {
    const st = await call('profiles:state', [])
    expect(JSON.stringify(st)).not.toContain('guarded-secret')
    for (const [rel, b64] of snapshot(dataDir)) {
      expect(Buffer.from(b64, 'base64').toString('utf8'), rel).not.toContain('guarded-secret')
    }
  })
})
