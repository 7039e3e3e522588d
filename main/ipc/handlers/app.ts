import { AppError, type Notice } from '../../../preload/api'
import type { Platform } from '../../platform'
import type { FileRegistry } from '../../files/registry'
import type { ProfileService } from '../../profiles/service'
import type { TransferService } from '../../transfers/service'
import { bindDomain } from '../bind'
import { isAllowedExternalUrl } from '../../external'
import type { Logger } from '../../log'
import { setUiLocale } from '../../i18n'

/** What the app:* commands use. */
export interface AppHandlerDeps {
  platform: Platform
  files: Pick<FileRegistry, 'resolve'>
  profiles: Pick<ProfileService, 'state'>
  transfers: Pick<TransferService, 'recovered' | 'list'>
  /** For the diagnostics export: re-redacts old log lines with every secret learned so far (B1). */
  log: Pick<Logger, 'redact'>
}

export function appHandlers(s: AppHandlerDeps) {
  return bindDomain('app', {
    info: async () => ({
      name: s.platform.appName,
      version: s.platform.version,
      platform: process.platform,
      shell: s.platform.kind === 'electron' ? ('electron' as const) : ('web' as const),
      locale: s.platform.locale,
      dataDir: s.platform.dataDir,
    }),
    openExternal: async (url) => {
      if (!isAllowedExternalUrl(url)) {
        throw new AppError({ code: 'VALIDATION', message: 'Only links to the documentation can be opened.', details: { reason: 'externalNotAllowed' } })
      }
      await s.platform.shell.openExternal(url)
    },
    notices: async () => {
      const notices: Notice[] = []
      const st = s.profiles.state()
      if (st.recovered) {
        const { reason, params } = st.recovered // B3: worded by the UI (notice.<reason>)
        notices.push({ level: 'warning', message: st.recovered.message, ...(reason ? { reason } : {}), ...(params ? { params } : {}) })
      }
      // The queue file's recovery is also emitted as an event at start-up, before any window listens: repeat it here.
      const q = s.transfers.recovered
      if (q) notices.push({ level: 'error', message: q.message })
      return notices
    },
    exportDiagnostics: async (handle) => {
      const target = s.files.resolve(handle, 'write')
      const { exportDiagnostics } = await import('../../diagnostics')
      await exportDiagnostics(s, target)
      return { path: target }
    },
    setLocale: async (locale) => {
      setUiLocale(locale)
    },
  })
}
