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
}
