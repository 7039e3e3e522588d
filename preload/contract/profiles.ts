/**
 * Profiles (and the cloud context): part of the contract (preload/api.ts re-exports it, so `import ... from 'preload/api'` keeps working);
 * pure TypeScript. Moved out of preload/api.ts (issue 11); the credentials became the `auth` union in 11.5.
 */
import type { Capabilities, QuotaInfo, StoreInfo } from './images'

// ---------------------------------------------------------------------------------------------------------------
// Context: which profile and region a cloud command is about
// ---------------------------------------------------------------------------------------------------------------

export interface CloudContext {
  profileId: string
  /** Region name; the profile's default region when omitted. */
  region?: string
}

// ---------------------------------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------------------------------

/**
 * Issue 11.5: a profile's credentials, stored as a discriminated union (settings.json v3). The secret (password /
 * application credential secret) is never part of it (main/profiles/secrets.ts). Every decision by kind is a
 * `switch (auth.type)` ending in `unreachable(x: never)` (preload/rules/profile-auth.ts), so a third member fails the
 * typecheck wherever it matters (test/main/profiles/auth-kinds.test.ts widens the union in memory and checks).
 */
export interface PasswordProfileAuth {
  type: 'password'
  /** The user: by id, or by name in a domain (the domain by id when set, else by name). */
  username: string
  userId: string
  userDomainName: string
  /** Domain ids, when a clouds.yaml / openrc names domains by id (`user_domain_id`, `project_domain_id`). */
  userDomainId?: string
  /** The project scope: by id, or by name in a domain. */
  projectName: string
  projectId: string
  projectDomainName: string
  projectDomainId?: string
}

export interface AppCredentialProfileAuth {
  type: 'applicationCredential'
  /** The credential: by id, or by name with its user (the credential carries its own project scope). */
  appCredentialId: string
  appCredentialName: string
  username: string
  userId: string
  userDomainName: string
  userDomainId?: string
}

export type ProfileAuth = PasswordProfileAuth | AppCredentialProfileAuth
export type AuthType = ProfileAuth['type']
export type Interface = 'public' | 'internal' | 'admin'

/** Per-profile Glance keys for the console fields that vary between clouds. */
export interface PropertyKeyMap {
  /** Virtualization type key: `hypervisor_type` (default) or e.g. Skyline's `usage_type`. */
  virtualization: string
  /** Vendor-private online-resize key (default `hw_online_resize`). */
  onlineResize: string
  /** Vendor-private encrypted-initial-password key (default `hw_passwd_encrypted`). */
  encryptedPassword: string
}

export interface ProfileInput {
  name: string
  color: string
  group: string
  authUrl: string
  /** Who signs in, by kind (password | application credential); never the secret. */
  auth: ProfileAuth
  regions: string[]
  defaultRegion: string
  interface: Interface
  /** A CA bundle file path (PEM). Empty for the system trust store. */
  caFile: string
  insecure: boolean
  /** Endpoint overrides keyed by service type (`image`, `volumev3`) or `REGION/type`. */
  endpointOverrides: Record<string, string>
  propertyKeys: PropertyKeyMap
  /** The production guard: destructive actions ask twice. */
  readOnly: boolean
  notes: string
  /** C2: whose policy the UI assumes when it enables actions; `glanceDefault` when absent (preload/rules/permissions.ts). */
  policyPreset?: PolicyPreset
  /** Issue 14: how this profile reaches its cloud (preload/rules/proxy.ts); absent = `system`. */
  proxy?: ProfileProxy
}

/** C2: `glanceDefault`: Glance's default policy; `vendorConsole`: the seed console's table (admins only). */
export const POLICY_PRESETS = ['glanceDefault', 'vendorConsole'] as const
export type PolicyPreset = (typeof POLICY_PRESETS)[number]

/**
 * Issue 14: a profile's proxy. `system`: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY of the app's environment (what
 * a profile without the field does); `none`: always direct; `manual`: these values (http:// or https:// proxy URLs,
 * no user:password; `httpsProxy` empty: `httpProxy` for https too; `noProxy`: hosts, .domains, CIDRs, `*`).
 */
export const PROXY_MODES = ['system', 'none', 'manual'] as const
export type ProxyMode = (typeof PROXY_MODES)[number]
export interface ProfileProxy {
  mode: ProxyMode
  httpProxy?: string
  httpsProxy?: string
  noProxy?: string
}

/** The documented defaults of the per-profile keys (console fields whose Glance key varies between clouds). */
export const DEFAULT_PROPERTY_KEYS: Readonly<PropertyKeyMap> = Object.freeze({
  virtualization: 'hypervisor_type',
  onlineResize: 'hw_online_resize',
  encryptedPassword: 'hw_passwd_encrypted',
})

export const DEFAULT_PROFILE_COLOR = '#409eff'

/** Password credentials with every field at its default (no user, no project, the `Default` domains); `fields` win. */
export function passwordAuth(fields: Partial<Omit<PasswordProfileAuth, 'type'>> = {}): PasswordProfileAuth {
  return { type: 'password', username: '', userId: '', userDomainName: 'Default', projectName: '', projectId: '', projectDomainName: 'Default', ...fields }
}

/** Application-credential credentials with every field at its default; `fields` win. */
export function appCredentialAuth(fields: Partial<Omit<AppCredentialProfileAuth, 'type'>> = {}): AppCredentialProfileAuth {
  return { type: 'applicationCredential', appCredentialId: '', appCredentialName: '', username: '', userId: '', userDomainName: 'Default', ...fields }
}

/** A complete ProfileInput with every field at its default (password auth); `overrides` win. */
export function defaultProfileInput(overrides: Partial<ProfileInput> = {}): ProfileInput {
  const base: ProfileInput = {
    name: '',
    color: DEFAULT_PROFILE_COLOR,
    group: '',
    authUrl: '',
    auth: passwordAuth(),
    regions: [],
    defaultRegion: '',
    interface: 'public',
    caFile: '',
    insecure: false,
    endpointOverrides: {},
    propertyKeys: { ...DEFAULT_PROPERTY_KEYS },
    readOnly: false,
    notes: '',
  }
  return { ...base, ...overrides, auth: { ...(overrides.auth ?? base.auth) }, propertyKeys: { ...base.propertyKeys, ...(overrides.propertyKeys ?? {}) } }
}

/** `locked`: a stored secret exists but cannot be decrypted in this session (keychain locked or changed). [B1] */
export type SecretState = 'stored' | 'session' | 'locked' | 'none'

export interface ProfileDTO extends ProfileInput {
  id: string
  /** `env`: built from OS_* variables / OS_CLOUD at start-up, not saved. */
  source: 'saved' | 'env'
  /** Whether a secret is available; the secret itself never reaches the renderer. */
  secretState: SecretState
  order: number
}

export interface ProfilesState {
  profiles: ProfileDTO[]
  /** Whether safeStorage can encrypt here; when false secrets are held for the session only. */
  encryptionAvailable: boolean
  /** A message when the settings file was corrupt and set aside (its backup path), for the user. */
  recovered?: { message: string; backupPath: string; reason?: string; params?: Record<string, string> } // B3: notice.<reason>
}

export interface SecretInput {
  profileId: string
  secret: string
  /** true: encrypt and save; false: hold in memory for this session only. */
  persist: boolean
}

export type ImportSource =
  | { kind: 'cloudsYaml'; /** a handle from files.pickOpen; standard locations when omitted */ fileHandle?: string }
  | { kind: 'openrc'; fileHandle: string }
  | { kind: 'text'; format: 'cloudsYaml' | 'openrc'; text: string; secureText?: string }

/** Test a profile that is not saved yet (the add/edit dialog). */
export interface ProfileTestDraft {
  input: ProfileInput
  /** The password / secret typed in the dialog; when omitted, the stored secret of `profileId` is used. */
  secret?: string
  profileId?: string
  region?: string
}

export interface ImportCandidate {
  key: string
  profile: ProfileInput
  hasSecret: boolean
  /** The name of an existing profile this one duplicates, if any. */
  duplicateOf?: string
  warnings: string[]
  /** Why this candidate cannot be created as it is (missing auth URL, user, ...); empty or absent when it can. */
  errors?: string[]
  /** B3: the same warnings and errors as reasons (the UI words errorReason.PROFILE_IMPORT.<reason>; the strings are the English fallback). */
  issues?: { warnings: ImportIssue[]; errors: ImportIssue[] }
}

/** B3: one import warning or error (= ReasonData of preload/rules/messages.ts). */
export interface ImportIssue {
  reason: string
  params?: Record<string, string | number | boolean | null>
}

export interface ImportPreview {
  candidates: ImportCandidate[]
  sources: string[]
}

export interface ImportDecision {
  key: string
  action: 'create' | 'skip' | 'rename'
  newName?: string
  /** Also save the imported secret (encrypted). */
  saveSecret: boolean
}

export interface ImportRequest {
  source: ImportSource
  decisions: ImportDecision[]
}

export interface ConnectionReport {
  ok: true
  user: { id: string; name: string }
  project: { id: string; name: string }
  roles: string[]
  regions: string[]
  endpoints: { region: string; image?: string; volume?: string }[]
  glanceVersion?: string
  importMethods: string[]
  stores: StoreInfo[]
  quota?: QuotaInfo
  capabilities: Capabilities
  tokenExpiresAt: string
}
