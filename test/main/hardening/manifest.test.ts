/**
 * Issue 12.5: paths that do not come from a dialog. Draft manifests are parsed with the IPC schemas (strict
 * objects, names, tags, property keys); their files pass the dropped-file checks (absolute, real path, not the app's
 * own files); a manifest never makes an image public without a main-process confirmation. `files:dropped`
 * compares real paths, case-insensitively where the file system is.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { checkManifestEntries, parseManifest } from '../../../main/transfers/drafts'
import { checkLocalPath, isInsideDir } from '../../../main/files/paths'
import { fileHandlers } from '../../../main/ipc/handlers/files'
import { FileRegistry } from '../../../main/files/registry'
import type { ConfirmRequest } from '../../../main/platform'
import { makePlatform, tempDir } from '../profiles/helpers'

const fields = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }
const entry = (o: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'img',
  profileId: 'p-1',
  region: 'RegionOne',
  file: '/tmp/x.img',
  diskFormat: 'raw',
  fields,
  ...o,
})
const manifest = (...drafts: Record<string, unknown>[]): string => stringify({ kind: 'glance-desktop/drafts', version: 1, drafts })
const reasonOf = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    return (e as { code: string }).code
  }
  return 'accepted'
}

describe('draft manifests: the IPC schemas', () => {
  it.each([
    ['an unknown key in a draft', entry({ visibility: 'public' })],
    ['an unknown key at the top', null],
    ['a name with a control character', entry({ name: 'a\u0007b' })],
    ['a tag with a control character', entry({ tags: ['ok', 'bad\u0000'] })],
    ['an empty property key', entry({ properties: { '': 'x' } })],
    ['a property key of 300 characters', entry({ properties: { ['k'.repeat(300)]: 'x' } })],
    ['a property value that is not text', entry({ properties: { a: { nested: true } } })],
    ['a profile id that is not an id', entry({ profileId: '../../etc' })],
  ])('refuses %s (VALIDATION)', (_what, e) => {
    const text = e ? manifest(e) : `${manifest(entry())}extra: 1\n`
    expect(reasonOf(() => parseManifest(text))).toBe('VALIDATION')
  })

  it('accepts a well-formed one', () => {
    expect(parseManifest(manifest(entry({ tags: ['a'], properties: { hw_disk_bus: 'virtio' } })))).toHaveLength(1)
  })
})

describe('draft manifests: files and public images', () => {
  const dataDir = tempDir()
  const user = tempDir()
  const img = join(user, 'disk.img')
  writeFileSync(img, Buffer.alloc(1024))
  writeFileSync(join(dataDir, 'secrets.json'), '{}')
  symlinkSync(join(dataDir, 'secrets.json'), join(user, 'innocent.img'))

  it('a relative path, a missing file, and a symlink into the data dir are refused; a good path becomes its real path', async () => {
    const check = (file: string) => checkManifestEntries(parseManifest(manifest(entry({ file }))), { dataDir })
    await expect(check('disk.img')).rejects.toMatchObject({ code: 'VALIDATION', details: { reason: 'notAbsolute' } })
    await expect(check(join(user, 'missing.img'))).rejects.toMatchObject({ code: 'FILE', details: { reason: 'missing' } })
    await expect(check(join(user, 'innocent.img'))).rejects.toMatchObject({ code: 'VALIDATION', details: { reason: 'appFile' } })
    await expect(check(join(dataDir, 'secrets.json'))).rejects.toMatchObject({ details: { reason: 'appFile' } })
    await expect(check(join(user, '..', user.split('/').pop()!, 'disk.img'))).resolves.toMatchObject([{ file: img }])
  })

  it('public: true is asked about in main, per image; "no" imports nothing', async () => {
    const asked: ConfirmRequest[] = []
    const entries = parseManifest(manifest(entry({ file: img, name: 'pub', fields: { ...fields, public: true } }), entry({ file: img, name: 'priv' })))
    await expect(checkManifestEntries(entries, { dataDir })).rejects.toMatchObject({ code: 'CANCELLED', details: { params: { confirm: 'publicImage' } } })
    await expect(checkManifestEntries(entries, { dataDir, confirm: async (r) => (asked.push(r), false) })).rejects.toMatchObject({ code: 'CANCELLED' })
    const ok = await checkManifestEntries(entries, { dataDir, confirm: async (r) => (asked.push(r), true) })
    expect(ok.map((e) => e.name)).toEqual(['pub', 'priv'])
    expect(asked.map((a) => [a.purpose, a.name])).toEqual([
      ['publicImage', 'pub'],
      ['publicImage', 'pub'],
    ])
  })
})

describe('files:dropped: real paths', () => {
  it('a symlink into the data dir is refused; the real path of a good file is registered', async () => {
    const dataDir = tempDir()
    const user = tempDir()
    mkdirSync(join(dataDir, 'transfers'))
    writeFileSync(join(dataDir, 'transfers', 'jobs.json'), '{}')
    symlinkSync(join(dataDir, 'transfers', 'jobs.json'), join(user, 'photo.img'))
    writeFileSync(join(user, 'real.img'), Buffer.alloc(10))
    symlinkSync(join(user, 'real.img'), join(user, 'alias.img'))
    const files = new FileRegistry()
    const h = fileHandlers({ platform: makePlatform(dataDir), files })
    await expect(h['files:dropped']!(join(user, 'photo.img'))).rejects.toMatchObject({ code: 'VALIDATION' })
    const ref = (await h['files:dropped']!(join(user, 'alias.img'))) as { handle: string }
    expect(files.resolve(ref.handle, 'read')).toBe(join(user, 'real.img'))
  })

  it('case-insensitively on macOS and Windows', async () => {
    expect(isInsideDir('/Users/a/Library/Glance Desktop/secrets.json', '/users/A/library/glance desktop', true)).toBe(true)
    expect(isInsideDir('/Users/a/Library/Glance Desktop/secrets.json', '/users/A/library/glance desktop', false)).toBe(false)
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'settings.json'), '{}')
    await expect(checkLocalPath(join(dataDir, 'settings.json'), dataDir.toUpperCase(), 'darwin')).rejects.toMatchObject({ details: { reason: 'appFile' } })
  })
})
