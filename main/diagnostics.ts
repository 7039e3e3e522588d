/** "Export diagnostics": logs and redacted settings in one JSON file for a support ticket. */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { redact } from './log'
import type { Platform } from './platform'
import type { ProfileService } from './profiles/service'
import type { TransferService } from './transfers/service'

/** What the export reads. */
export interface DiagnosticsDeps {
  platform: Platform
  profiles: Pick<ProfileService, 'state'>
  transfers: Pick<TransferService, 'list'>
}

export async function exportDiagnostics(s: DiagnosticsDeps, target: string): Promise<void> {
  const logDir = join(s.platform.dataDir, 'logs')
  const logs: Record<string, string> = {}
  try {
    for (const f of await readdir(logDir)) logs[f] = (await readFile(join(logDir, f), 'utf8')).slice(-512 * 1024)
  } catch {
    /* no logs yet */
  }
  const st = s.profiles.state()
  const bundle = {
    app: { name: s.platform.appName, version: s.platform.version, platform: process.platform, node: process.versions.node },
    createdAt: new Date().toISOString(),
    profiles: redact(st.profiles.map(({ secretState, ...p }) => ({ ...p, secretState }))),
    transfers: redact(s.transfers.list()),
    logs,
  }
  await writeFile(target, JSON.stringify(bundle, null, 2), { mode: 0o600 })
}
