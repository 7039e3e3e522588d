import { stat } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { AppError } from '../../../preload/api'
import type { OpenPurpose } from '../../../preload/contract/commands/files'
import type { Platform } from '../../platform'
import type { FileRegistry } from '../../files/registry'
import { bindDomain } from '../bind'
import { inspectFile } from '../../transfers/inspect'
import { safeFileName } from '../../files/safe-name'
import { checkLocalPath } from '../../files/paths'

const OPEN_FILTERS: Record<OpenPurpose, { name: string; extensions: string[] }[]> = {
  image: [
    { name: 'Disk images', extensions: ['qcow2', 'img', 'raw', 'iso', 'vmdk', 'vhd', 'vhdx', 'vdi'] },
    { name: 'All files', extensions: ['*'] },
  ],
  cloudsYaml: [
    { name: 'clouds.yaml', extensions: ['yaml', 'yml'] },
    { name: 'All files', extensions: ['*'] },
  ],
  openrc: [
    { name: 'openrc', extensions: ['sh', 'rc'] },
    { name: 'All files', extensions: ['*'] },
  ],
  manifest: [{ name: 'Draft manifest', extensions: ['yaml', 'yml'] }],
  caFile: [
    { name: 'CA bundle (PEM)', extensions: ['pem', 'crt', 'cer'] },
    { name: 'All files', extensions: ['*'] },
  ],
}

/** A regular file we can read; the message says what is wrong otherwise. */
async function regularFile(path: string): Promise<number> {
  let st
  try {
    st = await stat(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ELOOP' ? 'it is a symbolic link loop' : code === 'EACCES' ? 'permission denied' : 'it does not exist'
    throw new AppError({ code: 'FILE', message: `Cannot use ${path}: ${why}.` })
  }
  if (st.isDirectory()) throw new AppError({ code: 'FILE', message: `${path} is a folder; choose a file.` })
  if (!st.isFile()) throw new AppError({ code: 'FILE', message: `${path} is not a regular file.` })
  return st.size
}

/** What the files:* commands use. */
export interface FileHandlerDeps {
  platform: Pick<Platform, 'dialogs' | 'dataDir'>
  files: Pick<FileRegistry, 'register' | 'resolve'>
}

export function fileHandlers(s: FileHandlerDeps) {
  return bindDomain('files', {
    pickOpen: async (purpose) => {
      const path = await s.platform.dialogs.openFile({ purpose, filters: OPEN_FILTERS[purpose] })
      if (!path) return null
      const size = await regularFile(path)
      return s.files.register(path, 'read', size)
    },
    pickSave: async (purpose, defaultName) => {
      // The default name often comes from an image name (anyone in a shared project chooses those): sanitize it.
      const path = await s.platform.dialogs.saveFile({ purpose, defaultName: safeFileName(defaultName) })
      if (!path) return null
      return s.files.register(path, 'write')
    },
    dropped: async (path) => {
      // The schema refused control characters; absoluteness is the platform's rule (node:path).
      if (!isAbsolute(path)) throw new AppError({ code: 'VALIDATION', message: 'files:dropped: argument 1: must be an absolute path' })
      // The app's own files (settings, encrypted secrets, queue, logs) are never handed back as a handle: compared
      // as real paths (symlinks, and case on macOS/Windows), see main/files/paths.ts. The real path is registered.
      const real = await checkLocalPath(path, s.platform.dataDir)
      const size = await regularFile(real)
      return s.files.register(real, 'read', size)
    },
    inspect: async (handle, declared) => inspectFile(s.files.resolve(handle, 'read'), declared ?? 'auto'),
  })
}
