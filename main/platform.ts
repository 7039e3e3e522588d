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
  purpose: 'image' | 'csv' | 'xlsx' | 'cloudsYaml' | 'manifest' | 'diagnostics'
  defaultName: string
  filters?: { name: string; extensions: string[] }[]
}

/** Native dialogs. The only way a path chosen by the user enters the main process (besides a dropped file). */
export interface Dialogs {
  openFile(opts: OpenDialogOptions): Promise<string | null>
  saveFile(opts: SaveDialogOptions): Promise<string | null>
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
