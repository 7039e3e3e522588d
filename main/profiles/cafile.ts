/**
 * CA bundles named by a profile. A path the renderer (or a clouds.yaml, or a typo) names may be a FIFO, a device
 * (`/dev/zero`), a huge file or something that changes later; the TLS code reads the bundle on every connection.
 * So a chosen bundle is read once, asynchronously, without blocking on a FIFO (O_NONBLOCK; only a regular file is
 * read), at most MAX_CA_BYTES, must hold a PEM certificate, and is copied into `<dataDir>/ca/` (0600, named by its
 * content hash). The profile then names the copy.
 *
 *   path names                         result
 *   ---------------------------------  -------------------------------------------------------------
 *   a regular file <= 1 MiB with PEM   <dataDir>/ca/<sha256-prefix>.pem (same content -> same copy)
 *   a copy already under <dataDir>/ca  itself (not copied again)
 *   FIFO, device, folder, socket       FILE/caNotRegular (nothing read, nothing waits)
 *   larger than 1 MiB                  FILE/caTooLarge
 *   no "BEGIN CERTIFICATE"             TLS/caNoPem
 *   missing, unreadable                FILE/caUnreadable
 */
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { join, relative, resolve, isAbsolute } from 'node:path'
import { AppError } from '../../preload/api'
import { atomicWriteFile } from '../files/atomic'

export const MAX_CA_BYTES = 1024 * 1024
export const CA_DIR = 'ca'

function caError(code: 'FILE' | 'TLS', reason: string, path: string, message: string): AppError {
  return new AppError({ code, message, details: { reason, params: { path } } })
}

/** Reads a CA bundle without ever blocking on a FIFO or reading past MAX_CA_BYTES (regular files only). */
export async function readCaBounded(path: string): Promise<Buffer> {
  let fh
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0))
  } catch (e) {
    throw caError('FILE', 'caUnreadable', path, `Cannot read the CA bundle ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`)
  }
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw caError('FILE', 'caNotRegular', path, `The CA bundle ${path} is not a regular file.`)
    if (st.size > MAX_CA_BYTES) throw caError('FILE', 'caTooLarge', path, `The CA bundle ${path} is larger than ${MAX_CA_BYTES} bytes.`)
    const buf = Buffer.alloc(Math.min(st.size, MAX_CA_BYTES) + 1)
    let got = 0
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got)
      if (bytesRead === 0) break
      got += bytesRead
      if (got > MAX_CA_BYTES) throw caError('FILE', 'caTooLarge', path, `The CA bundle ${path} is larger than ${MAX_CA_BYTES} bytes.`)
      if (got === buf.length) break
    }
    const data = buf.subarray(0, got)
    if (!data.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) {
      throw caError('TLS', 'caNoPem', path, `The CA bundle ${path} holds no PEM certificate.`)
    }
    return data
  } finally {
    await fh.close()
  }
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child)
  return r !== '' && !r.startsWith('..') && !isAbsolute(r)
}

/** The data-dir copy of the CA bundle at `path` (see the table). */
export async function importCaFile(path: string, dataDir: string): Promise<string> {
  const dir = resolve(dataDir, CA_DIR)
  if (inside(resolve(path), dir)) {
    await readCaBounded(path) // still a usable bundle
    return resolve(path)
  }
  const data = await readCaBounded(path)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const target = join(dir, `${createHash('sha256').update(data).digest('hex').slice(0, 32)}.pem`)
  await atomicWriteFile(target, data, 0o600)
  return target
}
