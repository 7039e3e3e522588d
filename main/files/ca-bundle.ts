/**
 * The one bounded reader of a CA bundle (PEM), for the profile service (which copies a chosen bundle into the data
 * dir: main/profiles/cafile.ts) and the TLS code (which reads the copy on each connection: main/openstack/tunnel.ts).
 * Opened with O_NONBLOCK and checked on the descriptor, so a FIFO (which would block the main process) or a device
 * is refused without waiting; at most MAX_CA_BYTES are read. Synchronous: a regular file of at most 1 MiB, and the
 * TLS options that need it are built synchronously.
 *
 *   path names                         error (code/reason, params.path)
 *   ---------------------------------  --------------------------------
 *   missing, unreadable                FILE/caUnreadable
 *   FIFO, device, folder, socket       FILE/caNotRegular
 *   larger than 1 MiB                  FILE/caTooLarge
 *   no "BEGIN CERTIFICATE"             TLS/caNoPem
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { AppError } from '../../preload/api'

export const MAX_CA_BYTES = 1024 * 1024

export function caError(code: 'FILE' | 'TLS', reason: string, path: string, message: string): AppError {
  return new AppError({ code, message, details: { reason, params: { path } } })
}

export function readCaBundleSync(path: string): Buffer {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0))
  } catch (e) {
    throw caError('FILE', 'caUnreadable', path, `Cannot read the CA bundle ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`)
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw caError('FILE', 'caNotRegular', path, `The CA bundle ${path} is not a regular file.`)
    if (st.size > MAX_CA_BYTES) throw caError('FILE', 'caTooLarge', path, `The CA bundle ${path} is larger than ${MAX_CA_BYTES} bytes.`)
    const buf = Buffer.alloc(Math.min(st.size, MAX_CA_BYTES) + 1)
    let got = 0
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, got)
      if (n === 0) break
      got += n
      if (got > MAX_CA_BYTES) throw caError('FILE', 'caTooLarge', path, `The CA bundle ${path} is larger than ${MAX_CA_BYTES} bytes.`)
      if (got === buf.length) break
    }
    const data = buf.subarray(0, got)
    if (!data.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) {
      throw caError('TLS', 'caNoPem', path, `The CA bundle ${path} holds no PEM certificate.`)
    }
    return data
  } finally {
    closeSync(fd)
  }
}
