/** app:* commands. See preload/contract/commands/define.ts for the shape of an entry. */
import { z } from 'zod'
import type { AppInfo, Notice } from '../../api'
import { command } from './define'
import { zHandle } from './schemas'

export const appCommands = {
  info: command<[], AppInfo>(),
  openExternal: command<[url: string], void>(z.string().max(4096)),
  notices: command<[], Notice[]>(),
  exportDiagnostics: command<[fileHandle: string], { path: string }>(zHandle),
  /** C2: the UI's language, for what the main process words itself (native notifications). */
  setLocale: command<[locale: 'zh-CN' | 'en'], void>(z.enum(['zh-CN', 'en'])),
}
