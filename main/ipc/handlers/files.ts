import { stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import { z } from 'zod'
import { AppError, DISK_FORMATS } from '../../../preload/api'
import type { ServiceDeps } from '../../services'
import type { PartialHandlers } from '../types'
import { parseArgs, zHandle } from '../validate'
import { inspectFile } from '../../transfers/inspect'
import { safeFileName } from '../../files/safe-name'

type FileChannels = 'files:pickOpen' | 'files:pickSave' | 'files:dropped' | 'files:inspect'

const zOpenPurpose = z.enum(['image', 'cloudsYaml', 'openrc', 'manifest', 'caFile'])
const zSavePurpose = z.enum(['image', 'csv', 'xlsx', 'cloudsYaml', 'manifest', 'diagnostics'])

const OPEN_FILTERS: Record<z.infer<typeof zOpenPurpose>, { name: string; extensions: string[] }[]> = {
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

/** A dropped file's path, as the preload resolved it (webUtils.getPathForFile): absolute, one line, no NUL. */
const zDroppedPath = z
  .string()
  .min(1)
  .max(4096)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .refine((p) => !/[\u0000-\u001f]/.test(p), 'must not contain control characters')
  .refine((p) => isAbsolute(p), 'must be an absolute path')

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

export function fileHandlers(s: ServiceDeps): PartialHandlers<FileChannels> {
  return {
    'files:pickOpen': async (...args) => {
      const [purpose] = parseArgs('files:pickOpen', [zOpenPurpose], args)
      const path = await s.platform.dialogs.openFile({ purpose, filters: OPEN_FILTERS[purpose] })
      if (!path) return null
      const size = await regularFile(path)
      return s.files.register(path, 'read', size)
    },
    'files:pickSave': async (...args) => {
      const [purpose, defaultName] = parseArgs('files:pickSave', [zSavePurpose, z.string().max(255)], args)
      // The default name often comes from an image name (anyone in a shared project chooses those): sanitize it.
      const path = await s.platform.dialogs.saveFile({ purpose, defaultName: safeFileName(defaultName) })
      if (!path) return null
      return s.files.register(path, 'write')
    },
    'files:dropped': async (...args) => {
      const [path] = parseArgs('files:dropped', [zDroppedPath], args)
      // The app's own files (settings, encrypted secrets, queue, logs) are never handed back as a handle.
      const inData = relative(resolve(s.platform.dataDir), resolve(path))
      if (inData === '' || (!inData.startsWith('..') && !isAbsolute(inData))) {
        throw new AppError({ code: 'VALIDATION', message: 'Files of the app itself cannot be used.' })
      }
      const size = await regularFile(path)
      return s.files.register(path, 'read', size)
    },
    'files:inspect': async (...args) => {
      const [handle, declared] = parseArgs(
        'files:inspect',
        [zHandle, z.enum([...DISK_FORMATS, 'auto']).optional()],
        args,
      )
      return inspectFile(s.files.resolve(handle, 'read'), declared ?? 'auto')
    },
  }
}
