import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Platform, SecretCipher } from '../../../main/platform'
import type { EventChannel } from '../../../preload/api'
import { EventBus } from '../../../main/events'
import { createFileLogger, type Logger } from '../../../main/log'
import { defaultProfileInput } from '../../../main/profiles/model'
import { passwordAuth, type PasswordProfileAuth, type ProfileInput } from '../../../preload/api'

/** A stand-in for safeStorage: real AES-256-GCM with a per-test key, or "unavailable". */
export function fakeCipher(available = true): SecretCipher & { calls: { encrypt: number; decrypt: number } } {
  const key = randomBytes(32)
  const calls = { encrypt: 0, decrypt: 0 }
  return {
    calls,
    isAvailable: () => available,
    encrypt(plain: string): Buffer {
      if (!available) throw new Error('Encryption is not available.')
      calls.encrypt++
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    decrypt(data: Buffer): string {
      if (!available) throw new Error('Decryption is not available.')
      calls.decrypt++
      const d = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12))
      d.setAuthTag(data.subarray(12, 28))
      return Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8')
    },
  }
}

export function tempDir(prefix = 'gd-profiles-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function makePlatform(dataDir: string, opts: { cipher?: SecretCipher; env?: NodeJS.ProcessEnv } = {}): Platform {
  return {
    kind: 'web',
    appName: 'Glance Desktop',
    version: '0.0.0-test',
    dataDir,
    locale: 'en',
    env: opts.env ?? {},
    cipher: opts.cipher ?? fakeCipher(true),
    dialogs: { openFile: async () => null, saveFile: async () => null },
    shell: { openExternal: async () => {}, notify: () => {}, setProgress: () => {} },
  }
}

export interface Harness {
  dir: string
  platform: Platform
  events: EventBus
  log: Logger
  emitted: { event: EventChannel; payload: unknown }[]
}

/** Platform + event bus (recording) + a real file logger under the data dir (so its output is checked too). */
export function harness(opts: { cipher?: SecretCipher; env?: NodeJS.ProcessEnv; dir?: string } = {}): Harness {
  const dir = opts.dir ?? tempDir()
  const platform = makePlatform(dir, opts)
  const events = new EventBus()
  const emitted: Harness['emitted'] = []
  events.subscribe((event, payload) => emitted.push({ event, payload }))
  const log = createFileLogger({ file: join(dir, 'logs', 'main.log'), level: 'debug' })
  return { dir, platform, events, log, emitted }
}

/** The sample profile's password credentials (alice in project ops); `fields` win. */
export function sampleAuth(fields: Partial<Omit<PasswordProfileAuth, 'type'>> = {}): PasswordProfileAuth {
  return passwordAuth({ username: 'alice', projectName: 'ops', ...fields })
}

export function sampleProfile(overrides: Partial<ProfileInput> = {}): ProfileInput {
  return defaultProfileInput({
    name: 'Prod',
    authUrl: 'https://keystone.example.com:5000/v3',
    auth: sampleAuth(),
    regions: ['RegionOne', 'RegionTwo'],
    defaultRegion: 'RegionOne',
    ...overrides,
  })
}

/** Every regular file under `dir`, recursively, with its bytes. */
export function allFiles(dir: string): { path: string; data: Buffer }[] {
  const out: { path: string; data: Buffer }[] = []
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      const st = statSync(p)
      if (st.isDirectory()) walk(p)
      else if (st.isFile()) out.push({ path: p, data: readFileSync(p) })
    }
  }
  walk(dir)
  return out
}
