/**
 * The one home of atomic writes (issue 11.2): a temporary sibling created with the file's mode, written, fsynced,
 * renamed over the target, removed on any failure. Used by the settings and secrets (sync), the CA bundle and
 * clouds.yaml exports, the image list exports, the draft manifests and the transfer queue file (which also asks for the
 * folder fsync: `syncFolder`, so the rename survives a power cut).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { dirname } from 'node:path'
import { writeFile, rename, rm, open } from 'node:fs/promises'

/** Write a file atomically: a temporary file in the same folder (created with `mode`), fsync, rename over. */
export function atomicWriteFileSync(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', mode)
    writeSync(fd, data)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, path)
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, { force: true })
    throw e
  }
}

/** Opens the folder and fsyncs it, so a rename in it survives a power cut (not possible on Windows: skipped). */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  let fh
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch (e) {
    // some file systems cannot sync a folder (EINVAL): the rename is done, only its durability is weaker there
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EACCES', 'ENOTSUP'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e
  } finally {
    await fh?.close()
  }
}

/**
 * Write a file atomically (async): a temporary file in the same folder (created with `mode`), fsync, rename over;
 * `syncFolder`: then fsync the folder (the rename itself is durable only once the folder is synced).
 */
export async function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o644, opts: { syncFolder?: boolean } = {}): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' })
    const fh = await open(tmp, 'r+')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, path)
    if (opts.syncFolder) await syncDir(dirname(path))
  } catch (e) {
    // a half-written temp file must not stay behind (the last good file is untouched)
    await rm(tmp, { force: true })
    throw e
  }
}
