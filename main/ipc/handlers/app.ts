import { z } from 'zod'
import { AppError, type Notice } from '../../../preload/api'
import type { ServiceDeps } from '../../services'
import type { PartialHandlers } from '../types'
import { parseArgs, zHandle } from '../validate'
import { isAllowedExternalUrl } from '../../external'

type AppChannels = 'app:info' | 'app:openExternal' | 'app:notices' | 'app:exportDiagnostics'

export function appHandlers(s: ServiceDeps): PartialHandlers<AppChannels> {
  return {
    'app:info': async (...args) => {
      parseArgs('app:info', [], args)
      return {
        name: s.platform.appName,
        version: s.platform.version,
        platform: process.platform,
        shell: s.platform.kind === 'electron' ? 'electron' : 'web',
        locale: s.platform.locale,
        dataDir: s.platform.dataDir,
      }
    },
    'app:openExternal': async (...args) => {
      const [url] = parseArgs('app:openExternal', [z.string().max(4096)], args)
      if (!isAllowedExternalUrl(url)) {
        throw new AppError({ code: 'VALIDATION', message: 'Only links to the documentation can be opened.', details: { reason: 'externalNotAllowed' } })
      }
      await s.platform.shell.openExternal(url)
    },
    'app:notices': async (...args) => {
      parseArgs('app:notices', [], args)
      const notices: Notice[] = []
      const st = s.profiles.state()
      if (st.recovered) notices.push({ level: 'warning', message: st.recovered.message })
      // The queue file's recovery is also emitted as an event at start-up, before any window listens: repeat it here.
      const q = s.transfers.recovered
      if (q) notices.push({ level: 'error', message: q.message })
      return notices
    },
    'app:exportDiagnostics': async (...args) => {
      const [handle] = parseArgs('app:exportDiagnostics', [zHandle], args)
      const target = s.files.resolve(handle, 'write')
      const { exportDiagnostics } = await import('../../diagnostics')
      await exportDiagnostics(s, target)
      return { path: target }
    },
  }
}
