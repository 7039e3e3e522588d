/**
 * Secrets (passwords, application-credential secrets), apart from the profiles.
 *
 * Persisted ones are encrypted with `platform.cipher` (Electron safeStorage: OS keychain / DPAPI / libsecret) and kept
 * in `secrets.json` (0600, written atomically). When the cipher is unavailable nothing is ever written: the caller
 * gets ENCRYPTION_UNAVAILABLE and may hold the secret for the session instead (memory only). Every secret learned is
 * registered with the logger so that it is redacted. Secrets never leave the main process: callers outside it see
 * only `state()`.
 */
import { readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { AppError, type SecretState } from '../../preload/api'
import type { SecretCipher } from '../platform'
import type { Logger } from '../log'
import { atomicWriteFileSync } from '../files/atomic'

interface SecretsFile {
  version: 1
  /** profile id -> base64 of the cipher's output */
  entries: Record<string, string>
  /**
   * profile id -> the tag of the identity the secret was saved for (trust.ts identityTag: auth URL origin, user,
   * application credential). A secret whose profile no longer has that identity is never used. Absent in files
   * written before the binding: adopted from the profile at the next start.
   */
  tags?: Record<string, string>
}

export const SECRETS_FILE = 'secrets.json'

export interface SecretStoreOptions {
  dir: string
  cipher: SecretCipher
  log: Logger
}

export class SecretStore {
  private readonly session = new Map<string, string>()
  /** Identity tags: of the session secrets, and of the persisted entries (as on disk). */
  private readonly sessionTags = new Map<string, string>()
  private tags: Record<string, string> = {}
  /** Encrypted entries as on disk. */
  private entries: Record<string, string> = {}
  /** Decrypted cache of persisted entries (decrypting may prompt the keychain; do it once). */
  private readonly plain = new Map<string, string>()
  /** Stored entries that failed to decrypt in this session (not retried: each try may prompt the keychain). */
  private readonly undecryptable = new Set<string>()
  readonly path: string
  /** A problem found while loading (unreadable file), for the user. */
  loadProblem?: string
  /** B3: the same problem as a notice reason + params (notice.<reason>). */
  loadProblemReason?: { reason: string; params: Record<string, string> }
  /** Where a damaged secrets file was kept. */
  loadProblemBackup?: string

  constructor(private readonly opts: SecretStoreOptions) {
    this.path = join(opts.dir, SECRETS_FILE)
    this.load()
  }

  get encryptionAvailable(): boolean {
    try {
      return this.opts.cipher.isAvailable()
    } catch {
      return false
    }
  }

  private load(): void {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.loadProblem = `The secrets file cannot be read (${(e as NodeJS.ErrnoException).code}).`
        this.loadProblemReason = { reason: 'secretsUnreadable', params: { os: String((e as NodeJS.ErrnoException).code) } }
      }
      return
    }
    try {
      const doc = JSON.parse(text) as Partial<SecretsFile>
      if (doc.version !== 1 || !doc.entries || typeof doc.entries !== 'object') throw new Error('unknown format')
      for (const [id, v] of Object.entries(doc.entries)) if (typeof v === 'string') this.entries[id] = v
      if (doc.tags && typeof doc.tags === 'object') {
        for (const [id, v] of Object.entries(doc.tags)) if (typeof v === 'string' && id in this.entries) this.tags[id] = v
      }
    } catch (e) {
      // Set the damaged file aside (never overwrite it); the affected profiles simply have no stored secret.
      this.entries = {}
      const aside = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
      let kept = ''
      try {
        renameSync(this.path, aside)
        kept = ` It was kept as ${aside}.`
        this.loadProblemBackup = aside
      } catch {
        /* left in place; the next save replaces it */
      }
      this.loadProblem = `The secrets file is damaged (${(e as Error).message}); stored passwords must be entered again.${kept}`
      this.loadProblemReason = kept
        ? { reason: 'secretsKeptAside', params: { why: (e as Error).message, backup: aside } }
        : { reason: 'secretsDamaged', params: { why: (e as Error).message } }
      this.opts.log.warn('secrets file unreadable', { path: this.path, error: (e as Error).message, kept: aside })
    }
  }

  private write(entries: Record<string, string>, tags: Record<string, string> = this.tags): void {
    const doc: SecretsFile = { version: 1, entries, tags }
    atomicWriteFileSync(this.path, JSON.stringify(doc, null, 2) + '\n', 0o600)
  }

  /**
   * `locked` when a stored secret exists but cannot be decrypted in this session (no keychain, or another key): the
   * user must enter it again. Decrypts once to know (the result is cached, as `get` does).
   */
  state(id: string): SecretState {
    if (this.session.has(id)) return 'session'
    if (id in this.entries) return this.get(id) === undefined ? 'locked' : 'stored'
    return 'none'
  }

  /** The secret for a profile: the session one first, else the stored one (decrypted). Main process only. */
  get(id: string): string | undefined {
    const s = this.session.get(id)
    if (s !== undefined) return s
    const cached = this.plain.get(id)
    if (cached !== undefined) return cached
    const enc = this.entries[id]
    if (enc === undefined) return undefined
    if (!this.encryptionAvailable || this.undecryptable.has(id)) return undefined
    try {
      const secret = this.opts.cipher.decrypt(Buffer.from(enc, 'base64'))
      this.opts.log.addSecret(secret)
      this.plain.set(id, secret)
      return secret
    } catch (e) {
      this.undecryptable.add(id)
      this.opts.log.warn('cannot decrypt a stored secret', { profileId: id, error: (e as Error).message })
      return undefined
    }
  }

  /**
   * Persist (encrypted) or hold for the session. Persisting without encryption throws ENCRYPTION_UNAVAILABLE and
   * writes nothing.
   */
  set(id: string, secret: string, persist: boolean, tag?: string): void {
    this.opts.log.addSecret(secret)
    if (persist) {
      this.setMany([[id, secret, tag]])
      return
    }
    this.session.set(id, secret)
    if (tag !== undefined) this.sessionTags.set(id, tag)
    else this.sessionTags.delete(id)
  }

  /** The identity tag the current secret of `id` was saved for (undefined: none recorded). */
  tagOf(id: string): string | undefined {
    if (this.session.has(id)) return this.sessionTags.get(id)
    return this.tags[id]
  }

  /** Records the tag of a persisted entry written before secrets were bound (memory; saved with the next write). */
  adoptTag(id: string, tag: string): void {
    if (id in this.entries && this.tags[id] === undefined) this.tags = { ...this.tags, [id]: tag }
  }

  /** Persist several secrets with one write (all or nothing). */
  setMany(items: [id: string, secret: string, tag?: string][]): void {
    if (items.length === 0) return
    if (!this.encryptionAvailable) {
      throw new AppError({
        code: 'ENCRYPTION_UNAVAILABLE',
        message: 'Secrets cannot be encrypted on this computer (no OS keychain). Keep the secret for this session only instead.',
      })
    }
    const next = { ...this.entries }
    const nextTags = { ...this.tags }
    for (const [id, secret, tag] of items) {
      this.opts.log.addSecret(secret)
      next[id] = this.opts.cipher.encrypt(secret).toString('base64')
      if (tag !== undefined) nextTags[id] = tag
      else delete nextTags[id]
    }
    this.write(next, nextTags)
    this.entries = next
    this.tags = nextTags
    for (const [id, secret] of items) {
      this.sessionTags.delete(id)
      this.plain.set(id, secret)
      this.session.delete(id)
      this.undecryptable.delete(id)
    }
  }

  /** Forget a profile's secret everywhere (session and disk). */
  clear(id: string): void {
    this.clearMany([id])
  }

  /** Forget several at once (one write). */
  clearMany(ids: string[]): void {
    const next = { ...this.entries }
    const nextTags = { ...this.tags }
    let changed = false
    for (const id of ids) {
      this.session.delete(id)
      this.sessionTags.delete(id)
      this.plain.delete(id)
      this.undecryptable.delete(id)
      delete nextTags[id]
      if (id in next) {
        delete next[id]
        changed = true
      }
    }
    if (changed) {
      this.write(next, nextTags)
      this.entries = next
      this.tags = nextTags
    }
  }

  /** Drop stored entries whose profile no longer exists (e.g. after a crash between two writes). */
  prune(keep: Set<string>): void {
    const orphans = Object.keys(this.entries).filter((id) => !keep.has(id))
    if (orphans.length && this.encryptionAvailable) {
      try {
        this.clearMany(orphans)
      } catch {
        /* retried next start */
      }
    }
  }

  /** Copy a profile's secret to another id, keeping its kind (stored stays stored when possible). */
  copy(from: string, to: string): void {
    const secret = this.get(from)
    if (secret === undefined) return
    const tag = this.tagOf(from)
    if (this.state(from) === 'stored' && this.encryptionAvailable) this.setMany([[to, secret, tag]])
    else this.set(to, secret, false, tag)
  }
}
