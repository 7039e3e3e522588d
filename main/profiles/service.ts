/**
 * Connection profiles: the saved list (settings.json through a SettingsBackend), the secrets (secrets.ts), the profile
 * built from OS_* variables at start-up (in memory, `source: 'env'`), import and export.
 *
 * Every change is written once, then `EVENTS.profiles.changed` is emitted with the new state. Secrets never leave this
 * service except through `secret(id)`, which only main-process code calls (the connector).
 */
import { createHash, randomUUID } from 'node:crypto'
import { basename } from 'node:path'
import {
  AppError,
  type ImportCandidate,
  type ImportDecision,
  type ImportPreview,
  type ProfileDTO,
  type ProfileInput,
  type ProfilesState,
  type SecretInput,
} from '../../preload/api'
import type { ConfirmRequest, Platform } from '../platform'
import type { EventBus } from '../events'
import { EVENTS } from '../../preload/contract/events'
import type { Logger } from '../log'
import { identityKey, uniqueName, zProfileInput } from './model'
import { openSettings, type SettingsBackend, type SettingsDocument, type StoredProfile } from './profile-store'
import { SecretStore } from './secrets'
import { loadCloudsYaml, note, parseCloudsYaml, readImportFile, standardConfigDirs, toCloudsYaml, type ParsedProfile } from './cloudsyaml'
import { profileFromOpenrc } from './openrc'
import { profileFromEnvironment } from './env'
import { atomicWriteFile } from '../files/atomic'
import { identityTag, sameSecretIdentity, trustChanges, type TrustChange } from './trust'
import { importCaFile } from './cafile'

export interface ProfileServiceDeps {
  platform: Platform
  events: EventBus
  log: Logger
  /** The settings backend factory (default: conf over `<dataDir>/settings.json`; Electron may pass electron-store). */
  backend?: (dir: string) => SettingsBackend
  /** For OS_CLOUD and standard clouds.yaml locations (default: process.cwd() / the home folder). */
  cwd?: string
  home?: string
  /** Build a profile from platform.env at start-up (default true). */
  fromEnvironment?: boolean
}

/** An import source whose file handles were already resolved to paths by the handler. */
export type ResolvedImportSource =
  | { kind: 'cloudsYaml'; path?: string }
  | { kind: 'openrc'; path: string }
  | { kind: 'text'; format: 'cloudsYaml' | 'openrc'; text: string; secureText?: string }

type ChangeListener = (profileId: string | null) => void

function notFound(id: string): AppError {
  return new AppError({ code: 'PROFILE_NOT_FOUND', message: `No profile with id ${id}.` })
}

function validate(input: unknown, what = 'profile'): ProfileInput {
  const r = zProfileInput.safeParse(input)
  if (!r.success) {
    const issue = r.error.issues[0]
    const where = issue && issue.path.length ? ` (${issue.path.join('.')})` : ''
    throw new AppError({ code: 'VALIDATION', message: `Invalid ${what}${where}: ${issue?.message ?? 'invalid'}` })
  }
  return r.data
}

/** CANCELLED/notConfirmed: the user (or a missing dialog) declined a confirmation the main process asked. */
function notConfirmed(kind: ConfirmRequest['purpose'], name: string): AppError {
  return new AppError({
    code: 'CANCELLED',
    message: `Not confirmed (${kind}) for "${name}": nothing was changed or sent.`,
    details: { reason: 'notConfirmed', params: { confirm: kind, name } },
  })
}

export interface TrustOptions {
  /** The caller already asked the user (through confirmTrust) for these changes. */
  trustConfirmed?: boolean
}

function stripId(p: StoredProfile): ProfileInput {
  const { id: _id, ...rest } = p
  void _id
  return structuredClone(rest)
}

export class ProfileService {
  private doc: SettingsDocument
  private readonly backend: SettingsBackend
  private readonly secrets: SecretStore
  private env: StoredProfile | null = null
  private envWarnings: string[] = []
  private recovered?: { message: string; backupPath: string; reason?: string; params?: Record<string, string> } // B3: reason/params
  private readonly listeners = new Set<ChangeListener>()

  private constructor(private readonly deps: ProfileServiceDeps) {
    const dir = deps.platform.dataDir
    const opened = openSettings({ dir, ...(deps.backend ? { backend: deps.backend } : {}) })
    this.backend = opened.backend
    this.doc = opened.doc
    if (opened.recovered) {
      this.recovered = opened.recovered
      deps.log.warn('settings recovered', { ...opened.recovered })
    }
    this.secrets = new SecretStore({ dir, cipher: deps.platform.cipher, log: deps.log })
    if (!this.recovered && this.secrets.loadProblem) {
      this.recovered = { message: this.secrets.loadProblem, backupPath: this.secrets.loadProblemBackup ?? this.secrets.path, ...this.secrets.loadProblemReason } // B3
    }
    this.secrets.prune(new Set(this.doc.profiles.map((p) => p.id)))
    // Secrets saved before they were bound to an identity belong to their profile as it is now.
    for (const p of this.doc.profiles) this.secrets.adoptTag(p.id, identityTag(p))
  }

  static async open(deps: ProfileServiceDeps): Promise<ProfileService> {
    const svc = new ProfileService(deps)
    if (deps.fromEnvironment !== false) svc.loadEnvironment()
    return svc
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reading
  // -------------------------------------------------------------------------------------------------------------

  private all(): StoredProfile[] {
    return this.env ? [this.env, ...this.doc.profiles] : [...this.doc.profiles]
  }

  private find(id: string): StoredProfile {
    const p = this.all().find((x) => x.id === id)
    if (!p) throw notFound(id)
    return p
  }

  private dto(p: StoredProfile, order: number): ProfileDTO {
    return {
      ...structuredClone(p),
      source: this.env && p.id === this.env.id ? 'env' : 'saved',
      secretState: this.bound(p) ? this.secrets.state(p.id) : 'none',
      order,
    }
  }

  list(): ProfileDTO[] {
    return this.all().map((p, i) => this.dto(p, i))
  }

  get(id: string): ProfileDTO {
    const all = this.all()
    const i = all.findIndex((x) => x.id === id)
    if (i < 0) throw notFound(id)
    return this.dto(all[i]!, i)
  }

  state(): ProfilesState {
    const out: ProfilesState = { profiles: this.list(), encryptionAvailable: this.secrets.encryptionAvailable }
    if (this.recovered) out.recovered = { ...this.recovered }
    return out
  }

  /** Warnings about the profile built from the environment (for diagnostics and the CLI). */
  environmentWarnings(): string[] {
    return [...this.envWarnings]
  }

  /** Whether the secret held for `p` was saved for p's identity (or predates the binding). */
  private bound(p: StoredProfile): boolean {
    const tag = this.secrets.tagOf(p.id)
    return tag === undefined || tag === identityTag(p)
  }

  /**
   * The secret of a profile. MAIN PROCESS ONLY: never return it through a handler. Undefined when the secret was
   * saved for another identity (auth URL origin, user, application credential) than the profile has now.
   */
  secret(id: string): string | undefined {
    const p = this.find(id)
    if (!this.bound(p)) {
      this.deps.log.warn('secret not used: saved for another identity', { profileId: id })
      return undefined
    }
    return this.secrets.get(id)
  }

  /**
   * Asks the user, in the main process, to confirm each kind of change (one question per kind). Throws
   * CANCELLED/notConfirmed at the first "no" (or when the platform has no way to ask).
   */
  async confirmTrust(changes: TrustChange[], name: string): Promise<void> {
    const kinds = [...new Set(changes.map((c) => c.kind))]
    for (const kind of kinds) {
      const subjects = changes.filter((c) => c.kind === kind).map((c) => c.subject)
      const ask = this.deps.platform.dialogs.confirm
      const yes = ask ? await ask.call(this.deps.platform.dialogs, { purpose: kind, name, subjects }) : false
      this.deps.log.info('confirmation', { kind, answer: yes })
      if (!yes) throw notConfirmed(kind, name)
    }
  }

  /** The changes from the saved profile `id` (or none: a new one) to `next` that need a confirmation. */
  trustChangesFor(id: string | null, next: ProfileInput): TrustChange[] {
    if (id === null) return trustChanges(null, next).filter((c) => c.kind === 'plainHttp')
    const before = this.find(id)
    const keepsSecret = this.secrets.state(id) !== 'none' && this.bound(before) && sameSecretIdentity(before, next)
    const all = trustChanges(stripId(before), next)
    return keepsSecret ? all : all.filter((c) => c.kind === 'plainHttp')
  }

  /**
   * The sync methods refuse, unconfirmed, what puts a HELD secret (or its token) at risk. A plain-http auth URL is
   * asked about by the *Confirmed variants, which the IPC handlers call (the secret is typed later, in clear).
   */
  private assertConfirmed(changes: TrustChange[], name: string, opts: TrustOptions): void {
    const risky = changes.filter((c) => c.kind !== 'plainHttp')
    if (risky.length && !opts.trustConfirmed) throw notConfirmed(risky[0]!.kind, name)
  }

  /** The profile with its CA bundle read (bounded, never blocking) and copied into the data dir (cafile.ts). */
  private async withLocalCa(p: ProfileInput): Promise<{ p: ProfileInput; chosen: string }> {
    if (!p.caFile) return { p, chosen: '' }
    const local = await importCaFile(p.caFile, this.deps.platform.dataDir)
    return { p: { ...p, caFile: local }, chosen: p.caFile }
  }

  /** Changes with the CA file named as the user chose it (not as its data-dir copy). */
  private static shown(changes: TrustChange[], chosen: string): TrustChange[] {
    return changes.map((c) => (c.kind === 'caFile' && chosen ? { ...c, subject: chosen } : c))
  }

  /** create, after the main-process confirmations it needs (http:// to another host); the CA bundle is copied in. */
  async createConfirmed(input: ProfileInput): Promise<ProfileDTO> {
    const { p, chosen } = await this.withLocalCa(validate(input))
    await this.confirmTrust(ProfileService.shown(this.trustChangesFor(null, p), chosen), p.name)
    return this.create(p)
  }

  /** update, after the main-process confirmations it needs (see trust.ts); the CA bundle is copied in. */
  async updateConfirmed(id: string, input: ProfileInput): Promise<ProfileDTO> {
    const { p, chosen } = await this.withLocalCa(validate(input))
    await this.confirmTrust(ProfileService.shown(this.trustChangesFor(id, p), chosen), p.name)
    return this.update(id, p, { trustConfirmed: true })
  }

  /** Called with the profile id whose settings or secret changed (null: many). The connector drops its sessions. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  // -------------------------------------------------------------------------------------------------------------
  // Writing
  // -------------------------------------------------------------------------------------------------------------

  private changed(id: string | null): void {
    for (const l of this.listeners) {
      try {
        l(id)
      } catch {
        /* a listener must not break the change */
      }
    }
    this.deps.events.emit(EVENTS.profiles.changed, this.state())
  }

  /** Writes the next document (validated), then adopts it. Nothing changes in memory if the write fails. */
  private commit(next: SettingsDocument): void {
    this.backend.store = structuredClone(next) as unknown as Record<string, unknown>
    this.doc = next
  }

  private assertNameFree(name: string, exceptId?: string): void {
    const lower = name.toLowerCase()
    const clash = this.all().find((p) => p.id !== exceptId && p.name.toLowerCase() === lower)
    if (clash) throw new AppError({ code: 'VALIDATION', message: `A profile named "${clash.name}" already exists; choose another name.` })
  }

  private newId(): string {
    return `p-${randomUUID()}`
  }

  /** A new profile holds no secret yet: nothing to refuse here (createConfirmed asks about http://). */
  create(input: ProfileInput): ProfileDTO {
    const p = validate(input)
    this.assertNameFree(p.name)
    const stored: StoredProfile = { id: this.newId(), ...p }
    this.commit({ ...this.doc, profiles: [...this.doc.profiles, stored] })
    this.deps.log.info('profile created', { profileId: stored.id })
    this.changed(stored.id)
    return this.get(stored.id)
  }

  /**
   * Changing the identity (auth URL origin, user, application credential) drops the secret: it was saved for the
   * old one. Trust changes on a profile that keeps its secret need `trustConfirmed` (use updateConfirmed).
   */
  update(id: string, input: ProfileInput, opts: TrustOptions = {}): ProfileDTO {
    const p = validate(input)
    const before = this.find(id)
    this.assertConfirmed(this.trustChangesFor(id, p), p.name, opts)
    this.assertNameFree(p.name, id)
    const identityChanged = !sameSecretIdentity(before, p)
    if (this.env && this.env.id === id) {
      this.env = { id, ...p }
    } else {
      this.commit({ ...this.doc, profiles: this.doc.profiles.map((x) => (x.id === id ? { id, ...p } : x)) })
    }
    if (identityChanged && this.secrets.state(id) !== 'none') {
      try {
        this.secrets.clear(id)
        this.deps.log.info('secret dropped: the profile now names another identity', { profileId: id })
      } catch (e) {
        // Not removed from disk: still never used, as its tag no longer matches (see bound()).
        this.deps.log.warn('secret not removed', { profileId: id, error: (e as Error).message })
      }
    }
    this.deps.log.info('profile updated', { profileId: id })
    this.changed(id)
    return this.get(id)
  }

  duplicate(id: string): ProfileDTO {
    const src = this.find(id)
    const copy: StoredProfile = {
      ...stripId(src),
      id: this.newId(),
      name: uniqueName(
        src.name,
        this.all().map((p) => p.name),
        ' (copy)',
      ),
    }
    this.commit({ ...this.doc, profiles: [...this.doc.profiles, copy] })
    try {
      this.secrets.copy(id, copy.id)
    } catch (e) {
      this.deps.log.warn('secret not copied', { profileId: copy.id, error: (e as Error).message })
    }
    this.changed(copy.id)
    return this.get(copy.id)
  }

  remove(id: string): void {
    this.find(id)
    if (this.env && this.env.id === id) {
      this.env = null
    } else {
      this.commit({ ...this.doc, profiles: this.doc.profiles.filter((p) => p.id !== id) })
    }
    this.secrets.clear(id)
    this.deps.log.info('profile removed', { profileId: id })
    this.changed(id)
  }

  /** Saved profiles in the order of `ids` (the env profile, if listed, is ignored: it always comes first); unlisted ones follow. */
  reorder(ids: string[]): void {
    if (new Set(ids).size !== ids.length) throw new AppError({ code: 'VALIDATION', message: 'The order lists a profile twice.' })
    const byId = new Map(this.doc.profiles.map((p) => [p.id, p]))
    for (const id of ids) if (!byId.has(id) && this.env?.id !== id) throw notFound(id)
    const listed = ids.filter((id) => byId.has(id)).map((id) => byId.get(id)!)
    const rest = this.doc.profiles.filter((p) => !ids.includes(p.id))
    this.commit({ ...this.doc, profiles: [...listed, ...rest] })
    this.changed(null)
  }

  setSecret(input: SecretInput): ProfileDTO {
    this.find(input.profileId)
    // An env profile is not saved, so its secret cannot be either.
    const persist = input.persist && !(this.env && this.env.id === input.profileId)
    if (input.persist && !persist) {
      throw new AppError({ code: 'VALIDATION', message: 'Save this profile first; its secret is kept for this session only.' })
    }
    this.secrets.set(input.profileId, input.secret, persist, identityTag(this.find(input.profileId)))
    this.deps.log.info('secret set', { profileId: input.profileId, persisted: persist })
    this.changed(input.profileId)
    return this.get(input.profileId)
  }

  clearSecret(id: string): ProfileDTO {
    this.find(id)
    this.secrets.clear(id)
    this.changed(id)
    return this.get(id)
  }

  /**
   * Saves the env profile as a regular one (same id, so selections stay valid); its secret is encrypted and saved when
   * encryption is available, else kept for the session. For a saved profile with a session secret, persists it.
   */
  save(id: string): ProfileDTO {
    const p = this.find(id)
    const secret = this.secrets.get(id)
    if (this.env && this.env.id === id) {
      const stored: StoredProfile = {
        ...stripId(p),
        id,
        name: uniqueName(
          p.name,
          this.doc.profiles.map((x) => x.name),
        ),
      }
      validate(stripId(stored))
      this.commit({ ...this.doc, profiles: [stored, ...this.doc.profiles] })
      this.env = null
    }
    if (secret !== undefined && this.bound(p) && this.secrets.state(id) === 'session' && this.secrets.encryptionAvailable) {
      this.secrets.set(id, secret, true, identityTag(p))
    }
    this.changed(id)
    return this.get(id)
  }

  // -------------------------------------------------------------------------------------------------------------
  // The environment
  // -------------------------------------------------------------------------------------------------------------

  private loadEnvironment(): void {
    let found
    try {
      found = profileFromEnvironment(this.deps.platform.env, {
        ...(this.deps.cwd ? { cwd: this.deps.cwd } : {}),
        ...(this.deps.home ? { home: this.deps.home } : {}),
      })
    } catch (e) {
      this.envWarnings = [(e as Error).message]
      this.deps.log.warn('the OS_* environment names no usable cloud', { error: (e as Error).message })
      return
    }
    if (!found) return
    this.envWarnings = found.warnings
    if (found.secret) this.deps.log.addSecret(found.secret)
    const key = identityKey(found.profile)
    // Already saved: give it the environment's secret for this session when it has none stored.
    const saved = this.doc.profiles.find((p) => identityKey(p) === key)
    if (saved) {
      if (found.secret && this.secrets.state(saved.id) === 'none') this.secrets.set(saved.id, found.secret, false, identityTag(saved))
      this.deps.log.info('environment matches a saved profile', { profileId: saved.id })
      return
    }
    const id = `env-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`
    const profile = {
      ...found.profile,
      name: uniqueName(
        found.profile.name,
        this.doc.profiles.map((p) => p.name),
      ),
    }
    this.env = { id, ...profile }
    if (found.secret) this.secrets.set(id, found.secret, false, identityTag(profile))
    this.deps.log.info('profile from the environment', { profileId: id, origin: found.origin })
  }

  // -------------------------------------------------------------------------------------------------------------
  // Import / export
  // -------------------------------------------------------------------------------------------------------------

  private parseSource(src: ResolvedImportSource): { parsed: ParsedProfile[]; sources: string[] } {
    switch (src.kind) {
      case 'cloudsYaml': {
        const loaded = loadCloudsYaml({
          env: this.deps.platform.env,
          ...(src.path ? { file: src.path } : {}),
          ...(this.deps.cwd ? { cwd: this.deps.cwd } : {}),
          ...(this.deps.home ? { home: this.deps.home } : {}),
        })
        if (!loaded) {
          throw new AppError({
            code: 'FILE',
            message: `No clouds.yaml found in the standard locations (${standardConfigDirs({
              env: this.deps.platform.env,
              ...(this.deps.cwd ? { cwd: this.deps.cwd } : {}),
              ...(this.deps.home ? { home: this.deps.home } : {}),
            }).join(', ')}). Choose the file instead.`,
          })
        }
        return { parsed: loaded.profiles, sources: loaded.files }
      }
      case 'openrc': {
        const text = readImportFile(src.path)
        const name = basename(src.path).replace(/\.(sh|rc|bash|txt)$/i, '')
        return { parsed: [profileFromOpenrc(text, src.path, name || undefined)], sources: [src.path] }
      }
      case 'text':
        if (src.format === 'openrc') return { parsed: [profileFromOpenrc(src.text, 'openrc')], sources: ['(pasted openrc)'] }
        return { parsed: parseCloudsYaml(src.text, 'clouds.yaml', src.secureText, 'secure.yaml'), sources: ['(pasted clouds.yaml)'] }
    }
  }

  private candidates(parsed: ParsedProfile[]): (ImportCandidate & { secret?: string })[] {
    const existing = this.all()
    const seen = new Map<string, string>()
    return parsed.map((p, i) => {
      const key = `c${i}-${p.name.replace(/[^\w.-]+/g, '_').slice(0, 40)}`
      const warnings = [...p.warnings]
      // B3: the same notes as reasons, worded by the UI (errorReason.PROFILE_IMPORT.<reason>)
      const issues = { warnings: [...p.issues.warnings], errors: [...p.issues.errors] }
      const byName = existing.find((e) => e.name.toLowerCase() === p.profile.name.toLowerCase())
      const ik = identityKey(p.profile)
      const byIdentity = existing.find((e) => identityKey(e) === ik)
      const c: ImportCandidate & { secret?: string } = { key, profile: p.profile, hasSecret: !!p.secret, warnings, issues }
      const dup = byName ?? byIdentity
      if (dup) {
        c.duplicateOf = dup.name
        if (!byName && byIdentity) {
          // B3
          note(
            warnings,
            issues.warnings,
            'sameAsExisting',
            { name: byIdentity.name },
            `Same cloud, user and project as the existing profile "${byIdentity.name}".`,
          )
        }
      }
      const earlier = seen.get(ik)
      if (earlier)
        note(warnings, issues.warnings, 'sameInImport', { name: earlier }, `Same cloud, user and project as "${earlier}" in this import.`) // B3
      else seen.set(ik, p.name)
      if (p.errors.length) c.errors = [...p.errors]
      if (p.secret) c.secret = p.secret
      return c
    })
  }

  importPreview(src: ResolvedImportSource): ImportPreview {
    const { parsed, sources } = this.parseSource(src)
    for (const p of parsed) if (p.secret) this.deps.log.addSecret(p.secret)
    const candidates = this.candidates(parsed).map((c) => {
      const { secret: _s, ...rest } = c
      void _s
      return rest
    })
    return { candidates, sources }
  }

  /**
   * Applies the user's decisions. Everything is checked first; then the secrets (if any are to be saved) and the
   * profiles are each written once. Nothing is imported half-way: a failure leaves the profiles as they were.
   */
  /** importApply, after the confirmations it needs (profiles with an http:// auth URL to another host). */
  async importApplyConfirmed(src: ResolvedImportSource, decisions: ImportDecision[]): Promise<ProfileDTO[]> {
    const { parsed } = this.parseSource(src)
    const byKey = new Map(this.candidates(parsed).map((c) => [c.key, c]))
    const changes = decisions
      .filter((d) => d.action !== 'skip')
      .flatMap((d) => {
        const c = byKey.get(d.key)
        return c ? this.trustChangesFor(null, c.profile) : []
      })
    await this.confirmTrust(changes, changes.length === 1 ? changes[0]!.subject : `${changes.length} profiles`)
    return this.importApply(src, decisions)
  }

  importApply(src: ResolvedImportSource, decisions: ImportDecision[]): ProfileDTO[] {
    const { parsed } = this.parseSource(src)
    const candidates = this.candidates(parsed)
    const byKey = new Map(candidates.map((c) => [c.key, c]))
    const seen = new Set<string>()
    const taken = new Set(this.all().map((p) => p.name.toLowerCase()))
    const plan: { stored: StoredProfile; secret?: string; saveSecret: boolean }[] = []
    for (const d of decisions) {
      if (seen.has(d.key)) throw new AppError({ code: 'VALIDATION', message: `Two decisions for ${d.key}.` })
      seen.add(d.key)
      const c = byKey.get(d.key)
      if (!c) throw new AppError({ code: 'VALIDATION', message: `Unknown import candidate ${d.key}; the file may have changed. Preview it again.` })
      if (d.action === 'skip') continue
      if (c.errors?.length) {
        throw new AppError({ code: 'VALIDATION', message: `"${c.profile.name}" cannot be imported: ${c.errors.join(' ')}` })
      }
      const name = d.action === 'rename' ? (d.newName ?? '').trim() : c.profile.name
      if (!name) throw new AppError({ code: 'VALIDATION', message: `A new name is required to rename "${c.profile.name}".` })
      if (taken.has(name.toLowerCase())) {
        throw new AppError({ code: 'VALIDATION', message: `A profile named "${name}" already exists; rename or skip it.` })
      }
      taken.add(name.toLowerCase())
      const profile = validate({ ...c.profile, name }, `profile "${name}"`)
      const item: { stored: StoredProfile; secret?: string; saveSecret: boolean } = {
        stored: { id: this.newId(), ...profile },
        saveSecret: d.saveSecret && !!c.secret,
      }
      if (c.secret) item.secret = c.secret
      plan.push(item)
    }
    if (plan.length === 0) return []
    const toSave = plan
      .filter((x) => x.saveSecret && x.secret !== undefined)
      .map((x) => [x.stored.id, x.secret!, identityTag(x.stored)] as [string, string, string])
    if (toSave.length && !this.secrets.encryptionAvailable) {
      throw new AppError({
        code: 'ENCRYPTION_UNAVAILABLE',
        message: 'Secrets cannot be encrypted on this computer; import without saving them (they are kept for this session).',
      })
    }
    // Secrets first (for ids nobody uses yet), then the profiles; roll the secrets back if the profiles fail.
    this.secrets.setMany(toSave)
    try {
      this.commit({ ...this.doc, profiles: [...this.doc.profiles, ...plan.map((x) => x.stored)] })
    } catch (e) {
      try {
        this.secrets.clearMany(toSave.map(([id]) => id))
      } catch {
        /* orphans are pruned at the next start */
      }
      throw e
    }
    for (const x of plan) if (!x.saveSecret && x.secret !== undefined) this.secrets.set(x.stored.id, x.secret, false, identityTag(x.stored))
    this.deps.log.info('profiles imported', { count: plan.length })
    this.changed(null)
    return plan.map((x) => this.get(x.stored.id))
  }

  /** Writes the chosen profiles as clouds.yaml (no secrets) to `path`, atomically. */
  async exportCloudsYaml(ids: string[], path: string): Promise<{ path: string }> {
    if (ids.length === 0) throw new AppError({ code: 'VALIDATION', message: 'Choose at least one profile to export.' })
    const profiles = ids.map((id) => stripId(this.find(id)))
    await atomicWriteFile(path, toCloudsYaml(profiles), 0o600)
    this.deps.log.info('profiles exported', { count: profiles.length })
    return { path }
  }
}
