/**
 * What the services need from their host, so that the same services run in Electron's main process, in the browser
 * harness (plain Node) and in the CLI. Electron-specific implementations live in main/electron/, Node ones in web/
 * and cli/.
 */
import type { EventChannel, EventMap } from '../preload/api'

/** Encrypts secrets with the OS keychain (Electron safeStorage) or reports that it cannot. */
export interface SecretCipher {
  isAvailable(): boolean
  encrypt(plain: string): Buffer
  decrypt(data: Buffer): string
}

export interface OpenDialogOptions {
  purpose: 'image' | 'cloudsYaml' | 'openrc' | 'manifest' | 'caFile'
  title?: string
  filters?: { name: string; extensions: string[] }[]
}
export interface SaveDialogOptions {
  purpose: 'image' | 'csv' | 'xlsx' | 'cloudsYaml' | 'openrc' | 'manifest' | 'diagnostics'
  defaultName: string
  filters?: { name: string; extensions: string[] }[]
}

/**
 * A question only the user can answer, asked by the MAIN process (never the renderer, which may be hostile): before a
 * saved secret or its token may go somewhere new, before a manifest makes an image public or names a file no dialog
 * chose, before a download Glance has no checksum for gets its final name (issue 12.3). [B1]
 */
export interface ConfirmRequest {
  purpose: 'insecureTls' | 'caFile' | 'endpointOverride' | 'plainHttp' | 'plainHttpProxy' | 'publicImage' | 'manifestFile' | 'unverifiedDownload'
  /** The profile (or image) concerned. */
  name?: string
  /** What exactly: URLs, override `key = url`, file paths (shown as a list). */
  subjects: string[]
}

/** Native dialogs. The only way a path chosen by the user enters the main process (besides a dropped file). */
export interface Dialogs {
  openFile(opts: OpenDialogOptions): Promise<string | null>
  saveFile(opts: SaveDialogOptions): Promise<string | null>
  /** A yes/no question (default: no). Absent (the CLI): every confirmation is declined. */
  confirm?(req: ConfirmRequest): Promise<boolean>
}

export interface Shell {
  openExternal(url: string): Promise<void>
  notify(title: string, body: string): void
  /** Taskbar / dock progress, 0..1, or -1 to clear. */
  setProgress(fraction: number): void
}

export interface Platform {
  kind: 'electron' | 'web' | 'cli'
  appName: string
  version: string
  /** Where settings, secrets, the queue and logs live. */
  dataDir: string
  locale: string
  env: NodeJS.ProcessEnv
  cipher: SecretCipher
  dialogs: Dialogs
  shell: Shell
}

export type Emit = <E extends EventChannel>(event: E, payload: EventMap[E]) => void
