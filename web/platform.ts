/**
 * The browser harness's Platform (plain Node, no Electron).
 *
 * - dataDir: GLANCE_DESKTOP_DATA_DIR, else a fresh temporary folder per run.
 * - cipher: `unavailable` by default. The harness has no OS keychain; reporting "unavailable" is what a Linux
 *   desktop without a keyring reports, so the UI's honest path (secrets held for the session only) is what the
 *   harness shows. Tests that need the "stored secret" path pass `cipher: 'memory'`: AES-256-GCM with a random key
 *   that lives only in this process, so a secret "saved" in one run cannot be read by the next — like a changed
 *   keychain — and nothing on disk is readable without the running process.
 * - dialogs: scripted. Answers are queued (POST /__harness/dialog with the run's secret); an empty queue answers
 *   "cancelled" (null), as a user closing the dialog would. Confirmations (`confirm`) have their own queue
 *   (`{"confirm": true}`); an empty one answers "no".
 * - shell: logs; openExternal is recorded, never executed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdtempSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConfirmRequest, Dialogs, OpenDialogOptions, Platform, SaveDialogOptions, SecretCipher, Shell } from '../main/platform'
import { isSafeExternalUrl } from '../main/external'

export type CipherMode = 'unavailable' | 'memory'

export function unavailableCipher(): SecretCipher {
  const refuse = (): never => {
    throw new Error('Encryption is not available in the browser harness.')
  }
  return { isAvailable: () => false, encrypt: refuse, decrypt: refuse }
}

/** AES-256-GCM with a per-process random key: [12-byte IV | 16-byte tag | ciphertext]. */
export function memoryCipher(key: Buffer = randomBytes(32)): SecretCipher {
  return {
    isAvailable: () => true,
    encrypt(plain) {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    decrypt(data) {
      if (data.length < 28) throw new Error('ciphertext too short')
      const d = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12))
      d.setAuthTag(data.subarray(12, 28))
      return Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8')
    },
  }
}

export type DialogRequest =
  | { kind: 'open'; opts: OpenDialogOptions }
  | { kind: 'save'; opts: SaveDialogOptions }
  | { kind: 'confirm'; opts: ConfirmRequest; answer: boolean }

/** Scripted dialogs: each call takes the next queued answer (a path, or null for "cancelled"). */
export class ScriptedDialogs implements Dialogs {
  private readonly answers: (string | null)[] = []
  private readonly confirms: boolean[] = []
  /** Every dialog the app asked for, in order (for tests and the log). */
  readonly asked: DialogRequest[] = []

  queue(answer: string | null): void {
    this.answers.push(answer)
  }
  pending(): number {
    return this.answers.length
  }
  /** Queues the answer of the next confirmation (true: the user said yes). */
  queueConfirm(answer: boolean): void {
    this.confirms.push(answer)
  }
  pendingConfirms(): number {
    return this.confirms.length
  }
  clear(): void {
    this.answers.length = 0
    this.confirms.length = 0
  }
  async confirm(opts: ConfirmRequest): Promise<boolean> {
    const answer = this.confirms.shift() ?? false
    this.asked.push({ kind: 'confirm', opts, answer })
    return answer
  }
  async openFile(opts: OpenDialogOptions): Promise<string | null> {
    this.asked.push({ kind: 'open', opts })
    return this.answers.shift() ?? null
  }
  async saveFile(opts: SaveDialogOptions): Promise<string | null> {
    this.asked.push({ kind: 'save', opts })
    return this.answers.shift() ?? null
  }
}

export interface LoggingShell extends Shell {
  readonly opened: string[]
  readonly notifications: { title: string; body: string }[]
  progress: number
}

export function loggingShell(log: (line: string) => void = () => {}): LoggingShell {
  const shell: LoggingShell = {
    opened: [],
    notifications: [],
    progress: -1,
    async openExternal(url) {
      if (!isSafeExternalUrl(url)) throw new Error('Only http(s) links can be opened.')
      shell.opened.push(url)
      log(`openExternal ${url}`)
    },
    notify(title, body) {
      shell.notifications.push({ title, body })
      log(`notify ${title}: ${body}`)
    },
    setProgress(fraction) {
      shell.progress = fraction
    },
  }
  return shell
}

export interface WebPlatformOptions {
  dataDir?: string
  env?: NodeJS.ProcessEnv
  cipher?: CipherMode
  locale?: string
  version?: string
  log?: (line: string) => void
}

export interface WebPlatform extends Platform {
  kind: 'web'
  dialogs: ScriptedDialogs
  shell: LoggingShell
}

export function createWebPlatform(opts: WebPlatformOptions = {}): WebPlatform {
  const env = opts.env ?? process.env
  const dataDir = opts.dataDir ?? env.GLANCE_DESKTOP_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'glance-harness-'))
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  return {
    kind: 'web',
    appName: 'Glance Desktop',
    version: opts.version ?? '0.0.0-harness',
    dataDir,
    locale: opts.locale ?? env.GLANCE_DESKTOP_LOCALE ?? Intl.DateTimeFormat().resolvedOptions().locale ?? 'en',
    env,
    cipher: (opts.cipher ?? (env.GLANCE_HARNESS_CIPHER === 'memory' ? 'memory' : 'unavailable')) === 'memory' ? memoryCipher() : unavailableCipher(),
    dialogs: new ScriptedDialogs(),
    shell: loggingShell(opts.log),
  }
}
