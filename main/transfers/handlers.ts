/** The 'transfers:*' commands (declared in preload/contract/commands/transfers.ts): job ids, and paths only through file handles. */
import { readFile, stat } from 'node:fs/promises'
import { AppError } from '../../preload/api'
import type { FileRegistry } from '../files/registry'
import { atomicWriteFile } from '../files/atomic'
import { bindDomain } from '../ipc/bind'
import type { TransferService } from './service'

const MAX_MANIFEST = 4 * 1024 * 1024

/** What the transfers:* commands use. */
export interface TransferHandlerDeps {
  files: Pick<FileRegistry, 'resolve'>
  transfers: TransferService
}

export function transferHandlers(s: TransferHandlerDeps) {
  return bindDomain('transfers', {
    list: async () => s.transfers.list(),
    download: async (ctx, input) => {
      const t = s.transfers
      const path = s.files.resolve(input.fileHandle, 'write')
      return t.enqueueDownload(await t.resolveContext(ctx), { imageId: input.imageId, path })
    },
    pause: (id) => s.transfers.pause(id),
    resume: (id) => s.transfers.resume(id),
    cancel: (id) => s.transfers.cancel(id),
    retry: (id) => s.transfers.retry(id),
    remove: (id) => s.transfers.remove(id),
    runDraft: (id) => s.transfers.runDraft(id),
    acceptUnverified: (id) => s.transfers.acceptUnverified(id),
    exportDrafts: async (ids, handle) => {
      const path = s.files.resolve(handle, 'write')
      await atomicWriteFile(path, s.transfers.exportDrafts(ids), 0o600)
      return { path }
    },
    importDrafts: async (handle) => {
      const path = s.files.resolve(handle, 'read')
      // Size first: never read a huge (or endless, e.g. a FIFO) file into memory.
      const st = await stat(path)
      if (!st.isFile()) throw new AppError({ code: 'FILE', message: `${path} is not a regular file.` })
      if (st.size > MAX_MANIFEST) throw new AppError({ code: 'VALIDATION', message: `The manifest is larger than ${MAX_MANIFEST >> 20} MiB.` })
      const text = await readFile(path, 'utf8')
      return s.transfers.importDrafts(text)
    },
  })
}
