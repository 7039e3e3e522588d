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
