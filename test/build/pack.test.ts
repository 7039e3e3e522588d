/**
 * Packaging: `electron-builder --dir --linux` with a stand-in Electron distribution (offline; Electron's zip cannot
 * be downloaded here), then the packed app.asar is inspected: the built app and production dependencies only.
 *
 * Fuses are NOT skipped: the stand-in `electron` carries a real fuse wire (Electron's sentinel, version 1, eight
 * fuses at Electron's defaults), so electron-builder's own @electron/fuses step flips it exactly as it would flip the
 * real binary, and the test reads the result back with getCurrentFuseWire.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import * as asar from '@electron/asar'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'

const root = resolve(import.meta.dirname, '../..')
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
// Electron's default fuse states: RunAsNode on, CookieEncryption off, NodeOptions on, NodeCliInspect on,
// AsarIntegrity off, OnlyLoadAppFromAsar off, BrowserV8Snapshot off, GrantFileProtocolExtraPrivileges on.
const DEFAULT_WIRE = '10110001'
const ON = 49 // '1'
const OFF = 48 // '0'

interface BuilderConfig {
  appId: string
  productName: string
  asar: boolean
  files: string[]
  electronFuses: Record<string, boolean>
  win: { target: { target: string }[] }
  mac: { target: { target: string }[] }
  linux: { target: { target: string }[]; executableName: string }
}
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig

function isPng(path: string, size: number): boolean {
  const b = readFileSync(path)
  return b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && b.readUInt32BE(16) === size && b.readUInt32BE(20) === size
}

describe('electron-builder.yml', () => {
  it('names the app and its targets', () => {
    expect(config.appId).toBe('io.glancedesktop.app')
    expect(config.productName).toBe('Glance Desktop')
    expect(config.asar).toBe(true)
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis'])
    expect(config.mac.target.map((t) => t.target).sort()).toEqual(['dmg', 'zip'])
    expect(config.linux.target.map((t) => t.target).sort()).toEqual(['AppImage', 'deb'])
  })

  it('sets the fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('has real PNG icons', () => {
    expect(isPng(join(root, 'build/icon.png'), 512)).toBe(true)
    expect(isPng(join(root, 'build/icons/512x512.png'), 512)).toBe(true)
    expect(isPng(join(root, 'build/icons/256x256.png'), 256)).toBe(true)
  })
})

describe('packed app (electron-builder --dir --linux, stand-in Electron)', () => {
  const work = mkdtempSync(join(tmpdir(), 'glance-pack-'))
  const dist = join(work, 'electron-dist')
  const output = join(work, 'release')
  let entries: string[] = []
  let unpacked = ''
  let log = ''

  beforeAll(() => {
    for (const f of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
      if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` before this test`)
    }
    spawnSync('mkdir', ['-p', dist])
    writeFileSync(
      join(dist, 'electron'),
      Buffer.concat([
        Buffer.from('#!/bin/sh\necho "stand-in Electron for packaging tests" >&2\nexit 1\n'),
        Buffer.from(SENTINEL),
        Buffer.from([1, 8]),
        Buffer.from(DEFAULT_WIRE),
      ]),
      { mode: 0o755 },
    )
    const r = spawnSync(
      process.execPath,
      [join(root, 'node_modules/electron-builder/cli.js'), '--dir', '--linux', '--x64', `-c.electronDist=${dist}`, `-c.directories.output=${output}`],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 150_000,
        env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false', ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ELECTRON_BUILDER_OFFLINE: 'true' },
      },
    )
    log = `${r.stdout}\n${r.stderr}`
    if (r.status !== 0) throw new Error(`electron-builder failed (${r.status}):\n${log}`)
    unpacked = join(output, 'linux-unpacked')
    entries = asar.listPackage(join(unpacked, 'resources/app.asar'), { isPack: false }).map((e) => e.replace(/\\/g, '/'))
  })
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it('holds the built main, preload and renderer, and package.json', () => {
    for (const f of ['/package.json', '/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html']) {
      expect(entries, f).toContain(f)
    }
    expect(entries.some((e) => e.startsWith('/out/renderer/assets/') && e.endsWith('.js'))).toBe(true)
  })

  it('holds the production dependencies', () => {
    for (const dep of ['conf', 'electron-store', 'yaml', 'zod']) {
      expect(entries, dep).toContain(`/node_modules/${dep}/package.json`)
    }
  })

  // C4: the design card's electron-store is the Electron build's settings backend (main/electron/settings-store.ts)
  it('the main bundle imports electron-store, and app.asar holds it and its base, conf', () => {
    const archive = join(unpacked, 'resources/app.asar')
    const main = asar.extractFile(archive, 'out/main/index.js').toString('utf8')
    expect(main).toMatch(/^import \w+ from "electron-store";$/m)
    // the imported class is constructed and handed to the services as the settings backend
    const name = /^import (\w+) from "electron-store";$/m.exec(main)![1]!
    expect(main).toMatch(new RegExp(`new ${name}\\(\\{`))
    // (other options may stand beside it: the bundler writes a multi-line object then)
    expect(main).toMatch(/createServices\([^)]*\), \{[^}]*\bsettingsBackend: \w+[^}]*\}\)/)
    expect(entries).toContain('/node_modules/electron-store/index.js')
    const store = asar.extractFile(archive, 'node_modules/electron-store/index.js').toString('utf8')
    expect(store).toContain("import Conf from 'conf'")
    expect(entries).toContain('/node_modules/conf/package.json')
  })

  it('holds no sources, tests, harness, source maps or build tooling', () => {
    const own = entries.filter((e) => !e.startsWith('/node_modules/'))
    expect(own.filter((e) => /\.(ts|tsx|vue|map)$/.test(e))).toEqual([])
    for (const dir of ['/main', '/renderer', '/preload', '/web', '/cli', '/test', '/scripts', '/build', '/.github', '/out/web']) {
      expect(
        own.filter((e) => e === dir || e.startsWith(`${dir}/`)),
        dir,
      ).toEqual([])
    }
    for (const f of ['/tsconfig.json', '/vitest.config.ts', '/electron.vite.config.ts', '/eslint.config.js', '/electron-builder.yml', '/package-lock.json']) {
      expect(own, f).not.toContain(f)
    }
  })

  it('holds no devDependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
    const present = Object.keys(pkg.devDependencies).filter((d) => entries.includes(`/node_modules/${d}`))
    expect(present).toEqual([])
    for (const d of ['vue', 'element-plus', 'vitest', 'electron', 'electron-builder', 'vite', 'playwright-core', 'ws', 'typescript']) {
      expect(entries, d).not.toContain(`/node_modules/${d}`)
    }
  })

  it('has nothing but app.asar in resources (no loose app folder)', () => {
    expect(readdirSync(join(unpacked, 'resources'))).toEqual(['app.asar'])
  })

  it('flipped the fuses in the binary', async () => {
    const exe = join(unpacked, config.linux.executableName)
    const wire = (await getCurrentFuseWire(exe)) as unknown as Record<number, number>
    expect(wire[FuseV1Options.RunAsNode]).toBe(OFF)
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(ON)
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(OFF)
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(OFF)
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ON)
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ON)
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(OFF)
  })
})
