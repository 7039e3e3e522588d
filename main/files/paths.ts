/**
 * Paths that did not come from a native dialog (a dropped file, a draft manifest's `file:`): the checks they pass
 * before the app reads them. Pure apart from `realpath`.
 *
 *   path                                        result
 *   ------------------------------------------  -------------------------------------------------------
 *   relative (`x.img`, `../x`)                   VALIDATION/notAbsolute
 *   missing / unreadable                         FILE/missing (the OS code in params.os)
 *   resolves (symlinks, `..`) into the data dir  VALIDATION/appFile: settings, secrets, queue, logs, CA copies
 *   anything else                                its real path (what is registered and read)
 *
 * The data-dir comparison uses real paths on both sides and ignores case where the file system usually does
 * (macOS, Windows), so `/Users/A/Library/…/Glance Desktop/secrets.json` spelled in another case, or reached
 * through a symlink, is still the app's own file.
 */
import { realpath } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import { AppError } from '../../preload/api'

/** Whether `child` is `parent` or inside it (both absolute, already real). */
export function isInsideDir(child: string, parent: string, caseInsensitive: boolean): boolean {
  const c = caseInsensitive ? child.toLowerCase() : child
  const p = caseInsensitive ? parent.toLowerCase() : parent
  const r = relative(p, c)
  return r === '' || (!r.startsWith('..') && !isAbsolute(r))
}

export function caseInsensitiveFs(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' || platform === 'win32'
}

async function real(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch {
    return resolve(path)
  }
}

/** The real path of a local file named outside a dialog, or the AppError of the table. */
export async function checkLocalPath(path: string, dataDir: string, platform: NodeJS.Platform = process.platform): Promise<string> {
  if (!isAbsolute(path)) {
    throw new AppError({ code: 'VALIDATION', message: `${path} is not an absolute path.`, details: { reason: 'notAbsolute', params: { path } } })
  }
  const ci = caseInsensitiveFs(platform)
  const appFile = (): AppError =>
    new AppError({ code: 'VALIDATION', message: 'Files of the app itself cannot be used.', details: { reason: 'appFile', params: { path } } })
  if (isInsideDir(resolve(path), resolve(dataDir), ci)) throw appFile()
  let target: string
  try {
    target = await realpath(path)
  } catch (e) {
    const os = (e as NodeJS.ErrnoException).code ?? 'error'
    throw new AppError({ code: 'FILE', message: `${path} cannot be opened (${os}).`, details: { reason: 'missing', params: { path, os } } })
  }
  if (isInsideDir(target, await real(dataDir), ci)) throw appFile()
  return target
}
