/**
 * The one home of atomic writes (issue 11.2): a temporary sibling created with the file's mode, written, fsynced,
 * renamed over the target, removed on any failure. Used by the settings and secrets (sync), the CA bundle and
 * clouds.yaml exports, the image list exports and the draft manifests. (The transfer queue file adds a folder fsync:
 * main/transfers/store.ts.)
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
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

/** Write a file atomically (async): a temporary file in the same folder (created with `mode`), fsync, rename over. */
export async function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
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
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
}
