/** "Export diagnostics": logs and redacted settings in one JSON file for a support ticket. */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { redact, redactLogText, type Logger } from './log'
import type { Platform } from './platform'
import type { ProfileService } from './profiles/service'
import type { TransferService } from './transfers/service'

/** What the export reads. */
export interface DiagnosticsDeps {
  platform: Platform
  profiles: Pick<ProfileService, 'state'>
  transfers: Pick<TransferService, 'list'>
  /** The app's logger: its `redact` knows every secret learned so far (B1). */
  log?: Pick<Logger, 'redact'>
}

export async function exportDiagnostics(s: DiagnosticsDeps, target: string): Promise<void> {
  const red = s.log?.redact ?? ((v: unknown) => redact(v))
  const logDir = join(s.platform.dataDir, 'logs')
  const logs: Record<string, string> = {}
  try {
    // Old lines are redacted again with today's secrets: one learned after a line was written is removed too.
    for (const f of await readdir(logDir)) logs[f] = redactLogText((await readFile(join(logDir, f), 'utf8')).slice(-512 * 1024), red)
  } catch {
    /* no logs yet */
  }
  const st = s.profiles.state()
  const bundle = {
    app: { name: s.platform.appName, version: s.platform.version, platform: process.platform, node: process.versions.node },
    createdAt: new Date().toISOString(),
    profiles: red(st.profiles.map(({ secretState, ...p }) => ({ ...p, secretState }))),
    transfers: red(s.transfers.list()),
    logs,
  }
  await writeFile(target, JSON.stringify(bundle, null, 2), { mode: 0o600 })
}
