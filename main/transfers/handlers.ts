/** The 'transfers:*' commands: validated arguments, paths only through file handles. */
import { readFile, writeFile, rename, stat } from 'node:fs/promises'
import { z } from 'zod'
import { AppError, type CommandChannel } from '../../preload/api'
import type { ServiceDeps } from '../services'
import type { PartialHandlers } from '../ipc/types'
import { parseArgs, zCloudContext, zHandle, zId } from '../ipc/validate'

type Ch = Extract<CommandChannel, `transfers:${string}`>

const MAX_MANIFEST = 4 * 1024 * 1024

const zDownload = z.strictObject({ imageId: zId, fileHandle: zHandle })

export function transferHandlers(s: ServiceDeps): PartialHandlers<Ch> {
  const t = s.transfers
  const one =
    <C extends Ch>(channel: C, fn: (id: string) => Promise<unknown>) =>
    async (...args: unknown[]) => {
      const [id] = parseArgs(channel, [zId], args)
      return fn(id) as never
    }
  return {
    'transfers:list': async (...args) => {
      parseArgs('transfers:list', [], args)
      return t.list()
    },
    'transfers:download': async (...args) => {
      const [ctx, input] = parseArgs('transfers:download', [zCloudContext, zDownload], args)
      const path = s.files.resolve(input.fileHandle, 'write')
      return t.enqueueDownload(await t.resolveContext(ctx), { imageId: input.imageId, path })
    },
    'transfers:pause': one('transfers:pause', (id) => t.pause(id)),
    'transfers:resume': one('transfers:resume', (id) => t.resume(id)),
    'transfers:cancel': one('transfers:cancel', (id) => t.cancel(id)),
    'transfers:retry': one('transfers:retry', (id) => t.retry(id)),
    'transfers:remove': one('transfers:remove', (id) => t.remove(id)),
    'transfers:runDraft': one('transfers:runDraft', (id) => t.runDraft(id)),
    'transfers:exportDrafts': async (...args) => {
      const [ids, handle] = parseArgs('transfers:exportDrafts', [z.array(zId).min(1).max(1000), zHandle], args)
      const path = s.files.resolve(handle, 'write')
      const text = t.exportDrafts(ids)
      const tmp = `${path}.tmp`
      await writeFile(tmp, text, { mode: 0o600 })
      await rename(tmp, path)
      return { path }
    },
    'transfers:importDrafts': async (...args) => {
      const [handle] = parseArgs('transfers:importDrafts', [zHandle], args)
      const path = s.files.resolve(handle, 'read')
      // Size first: never read a huge (or endless, e.g. a FIFO) file into memory.
      const st = await stat(path)
      if (!st.isFile()) throw new AppError({ code: 'FILE', message: `${path} is not a regular file.` })
      if (st.size > MAX_MANIFEST) throw new AppError({ code: 'VALIDATION', message: `The manifest is larger than ${MAX_MANIFEST >> 20} MiB.` })
      const text = await readFile(path, 'utf8')
      return t.importDrafts(text)
    },
  }
}
