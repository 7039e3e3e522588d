/**
 * The profiles document on disk: `settings.json` in the data folder, read and written whole through a tiny
 * `SettingsBackend` (conf under plain Node; in Electron an electron-store instance fits the same shape). Versioned
 * migrations run before validation (v3: the credentials as the `auth` union); a migrated file is rewritten, the old
 * one kept as `<name>.v<n>.bak`. A file that is corrupt, unreadable, invalid or from a newer version is renamed
 * aside (`<name>.corrupt-<timestamp>`), never overwritten, and the app starts with defaults and tells the user.
 *
 * The document never holds a secret (see secrets.ts).
 */
import { chmodSync, constants, copyFileSync, mkdirSync, renameSync } from 'node:fs'
import { basename } from 'node:path'
import Conf from 'conf'
import { z } from 'zod'
import type { ProfileInput } from '../../preload/api'
import { DEFAULT_PROPERTY_KEYS, zProfileFields } from './model'

/** Whole-document access. An electron-store / conf instance satisfies it as is. */
export interface SettingsBackend {
  readonly path: string
  /** Reading throws when the file cannot be read or parsed. */
  store: Record<string, unknown>
}

export const SETTINGS_VERSION = 3

export const zStoredProfile = zProfileFields.extend({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\w.:-]+$/),
})
export type StoredProfile = ProfileInput & { id: string }

export const zSettingsDocument = z.strictObject({
  version: z.literal(SETTINGS_VERSION),
  profiles: z.array(zStoredProfile).max(1000),
})
export interface SettingsDocument {
  version: typeof SETTINGS_VERSION
  profiles: StoredProfile[]
}

/** The JSON schema of the document (additionalProperties false everywhere), e.g. for electron-store's `schema`. */
export const SETTINGS_JSON_SCHEMA = z.toJSONSchema(zSettingsDocument, { io: 'input' }) as Record<string, unknown>

export function defaultSettings(): SettingsDocument {
  return { version: SETTINGS_VERSION, profiles: [] }
}

type Doc = Record<string, unknown>
/** `MIGRATIONS[n]` turns a version-n document into a version-(n+1) one. Pure; never drops a profile. */
export const MIGRATIONS: Record<number, (doc: Doc) => Doc> = {
  // v1 (first release) had no per-profile property-key map and no production guard.
  1: (doc) => ({
    ...doc,
    version: 2,
    profiles: (Array.isArray(doc.profiles) ? doc.profiles : []).map((p: unknown) => {
      const prof = (p && typeof p === 'object' ? p : {}) as Doc
      const keys = (prof.propertyKeys && typeof prof.propertyKeys === 'object' ? prof.propertyKeys : {}) as Doc
      return {
        ...prof,
        propertyKeys: { ...DEFAULT_PROPERTY_KEYS, ...keys },
        readOnly: typeof prof.readOnly === 'boolean' ? prof.readOnly : false,
      }
    }),
  }),
  // v2 kept the credentials flat (authType, username, ..., appCredentialName); v3 stores them as the `auth` union
  // (issue 11.5). A profile of an auth type this step does not know is left as it was, so the document fails
  // validation and is set aside whole (never a profile silently dropped).
  2: (doc) => ({
    ...doc,
    version: 3,
    profiles: (Array.isArray(doc.profiles) ? doc.profiles : []).map(flatAuthToUnion),
  }),
}

/** The v2 -> v3 step of one profile: the flat credential fields -> `auth`. Every field the old type read is kept. */
function flatAuthToUnion(p: unknown): unknown {
  if (!p || typeof p !== 'object' || Array.isArray(p)) return p
  const {
    authType,
    username,
    userId,
    userDomainName,
    userDomainId,
    projectName,
    projectId,
    projectDomainName,
    projectDomainId,
    appCredentialId,
    appCredentialName,
    ...rest
  } = p as Doc
  const user = { username, userId, userDomainName, ...(userDomainId !== undefined ? { userDomainId } : {}) }
  switch (authType) {
    case 'password':
      return {
        ...rest,
        auth: {
          type: 'password',
          ...user,
          projectName,
          projectId,
          projectDomainName,
          ...(projectDomainId !== undefined ? { projectDomainId } : {}),
        },
      }
    case 'applicationCredential':
      // v2 also stored the project fields of an application-credential profile; nothing read them (the credential
      // carries its own scope) and the form hid them. The file as it was is kept beside (openSettings: `.v2.bak`).
      return { ...rest, auth: { type: 'applicationCredential', appCredentialId, appCredentialName, ...user } }
    default:
      return p
  }
}

export class SettingsError extends Error {
  constructor(
    message: string,
    readonly reason: 'corrupt' | 'unreadable' | 'invalid' | 'newer',
  ) {
    super(message)
  }
}

/** Migrates and validates a raw document (`from`: the version it had). Throws SettingsError when it cannot be used. */
export function upgradeDocument(raw: unknown): { doc: SettingsDocument; migrated: boolean; from: number } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SettingsError('the file does not hold a settings object', 'invalid')
  let doc = { ...(raw as Doc) }
  delete doc.__internal__ // conf's own bookkeeping
  if (Object.keys(doc).length === 0) return { doc: defaultSettings(), migrated: false, from: SETTINGS_VERSION }
  let version = doc.version === undefined ? 1 : doc.version
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new SettingsError(`unknown settings version ${JSON.stringify(version)}`, 'invalid')
  }
  if (version > SETTINGS_VERSION) throw new SettingsError(`the settings were written by a newer version (format ${version})`, 'newer')
  const from = version
  while (version < SETTINGS_VERSION) {
    const step = MIGRATIONS[version]
    if (!step) throw new SettingsError(`no migration from settings version ${version}`, 'invalid')
    doc = step(doc)
    version++
  }
  const r = zSettingsDocument.safeParse(doc)
  if (!r.success) {
    const issue = r.error.issues[0]
    throw new SettingsError(`invalid settings${issue ? ` at ${issue.path.join('.')}: ${issue.message}` : ''}`, 'invalid')
  }
  const ids = new Set<string>()
  for (const p of r.data.profiles) {
    if (ids.has(p.id)) throw new SettingsError(`duplicate profile id ${p.id}`, 'invalid')
    ids.add(p.id)
  }
  const upgraded: SettingsDocument = r.data
  return { doc: upgraded, migrated: version !== from, from }
}

export interface OpenSettingsResult {
  backend: SettingsBackend
  doc: SettingsDocument
  /** B3: `reason` + `params` word it in the UI (notice.<reason>); `message` is the English fallback. */
  recovered?: { message: string; backupPath: string; reason?: string; params?: Record<string, string> }
  /** The backend is an in-memory stand-in because the real file could not be set aside (nothing will be saved). */
  volatile?: boolean
}

export interface OpenSettingsOptions {
  dir: string
  /** Build the backend (default: conf over `<dir>/settings.json`, mode 0600). Called again after a recovery. */
  backend?: (dir: string) => SettingsBackend
  now?: () => Date
}

export const SETTINGS_NAME = 'settings'

export function confBackend(dir: string): SettingsBackend {
  return new Conf<Record<string, unknown>>({
    cwd: dir,
    configName: SETTINGS_NAME,
    configFileMode: 0o600,
    accessPropertiesByDotNotation: false,
    clearInvalidConfig: false,
    projectSuffix: '',
  }) as unknown as SettingsBackend
}

/** A backend that keeps the document in memory only. */
export function memoryBackend(path = '(memory)', initial: Record<string, unknown> = {}): SettingsBackend {
  let doc = structuredClone(initial)
  return {
    path,
    get store() {
      return structuredClone(doc)
    },
    set store(v) {
      doc = structuredClone(v)
    },
  }
}

/**
 * Before a migration rewrites the file, the file as it was is copied to `<name>.v<from>.bak` (mode 0600; an existing
 * copy is never overwritten): what a step drops stays on disk, and an older app version can be given its file back.
 * The rewrite itself is conf's atomic write.
 */
function keepBeforeMigration(path: string, from: number): void {
  const copy = `${path}.v${from}.bak`
  try {
    copyFileSync(path, copy, constants.COPYFILE_EXCL)
    chmodSync(copy, 0o600)
  } catch {
    /* no file yet (a memory backend), or the copy exists already: the migrated document is complete either way */
  }
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-')
}

/**
 * Opens the settings. Never throws for a bad file: it is renamed aside and defaults are used. The caller tells the
 * user through `recovered`.
 */
export function openSettings(opts: OpenSettingsOptions): OpenSettingsResult {
  const make = opts.backend ?? confBackend
  const now = opts.now ?? (() => new Date())
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 })
  let failure: SettingsError
  let path = `${opts.dir}/${SETTINGS_NAME}.json`
  try {
    const backend = make(opts.dir)
    path = backend.path
    let raw: unknown
    try {
      raw = backend.store
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      throw code === 'EACCES' || code === 'EPERM' || code === 'EISDIR'
        ? new SettingsError(`the file cannot be read (${code})`, 'unreadable')
        : new SettingsError(`the file is not valid JSON (${(e as Error).message})`, 'corrupt')
    }
    const { doc, migrated, from } = upgradeDocument(raw)
    if (migrated) {
      keepBeforeMigration(backend.path, from)
      try {
        backend.store = doc as unknown as Record<string, unknown>
      } catch {
        /* a read-only folder: the file is fine, only older; it is used as migrated, and the next change writes it */
      }
    }
    try {
      chmodSync(backend.path, 0o600)
    } catch {
      /* not written yet */
    }
    return { backend, doc }
  } catch (e) {
    if (e instanceof SettingsError) failure = e
    else {
      const code = (e as NodeJS.ErrnoException).code
      failure =
        code === 'EACCES' || code === 'EPERM' || code === 'EISDIR'
          ? new SettingsError(`the file cannot be read (${code})`, 'unreadable')
          : new SettingsError(`the file is not valid (${(e as Error).message})`, 'corrupt')
    }
  }
  // Set the bad file aside, never overwrite it.
  const backupPath = `${path}.corrupt-${stamp(now())}`
  const why = failure.message
  try {
    renameSync(path, backupPath)
  } catch (e) {
    return {
      backend: memoryBackend(path),
      doc: defaultSettings(),
      volatile: true,
      recovered: {
        message: `The profiles file ${path} could not be used (${why}) nor moved aside (${(e as NodeJS.ErrnoException).code ?? 'error'}). It was left untouched; the app runs with no saved profiles and changes will not be saved until the file is fixed or removed.`,
        backupPath: path,
        reason: 'settingsStuck', // B3
        params: { file: path, why, os: (e as NodeJS.ErrnoException).code ?? 'error' },
      },
    }
  }
  const backend = make(opts.dir)
  return {
    backend,
    doc: defaultSettings(),
    recovered: {
      message: `The profiles file could not be used (${why}). It was kept as ${basename(backupPath)} and the app started with no saved profiles.`,
      backupPath,
      reason: 'settingsKeptAside', // B3
      params: { why, backup: basename(backupPath) },
    },
  }
}
