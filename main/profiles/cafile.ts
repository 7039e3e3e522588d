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
import { mkdir } from 'node:fs/promises'
import { join, relative, resolve, isAbsolute } from 'node:path'
import { atomicWriteFile } from '../files/atomic'
import { MAX_CA_BYTES, readCaBundleSync } from '../files/ca-bundle'

export { MAX_CA_BYTES }
export const CA_DIR = 'ca'

/** Reads a CA bundle without ever blocking on a FIFO or reading past MAX_CA_BYTES (main/files/ca-bundle.ts). */
export async function readCaBounded(path: string): Promise<Buffer> {
  return readCaBundleSync(path)
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
