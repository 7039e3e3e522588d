/** transfers:* commands: job ids and file handles only, never paths. See preload/contract/commands/define.ts. */
import { z } from 'zod'
import type { CloudContext, DownloadInput, JobDTO } from '../../api'
import { command } from './define'
import { zCloudContext, zHandle, zId } from './schemas'

const zDownload = z.strictObject({ imageId: zId, fileHandle: zHandle }) satisfies z.ZodType<DownloadInput>

export const transferCommands = {
  list: command<[], JobDTO[]>(),
  download: command<[ctx: CloudContext, input: DownloadInput], JobDTO>(zCloudContext, zDownload),
  pause: command<[jobId: string], JobDTO>(zId),
  resume: command<[jobId: string], JobDTO>(zId),
  cancel: command<[jobId: string], JobDTO>(zId),
  retry: command<[jobId: string], JobDTO>(zId),
  remove: command<[jobId: string], void>(zId),
  runDraft: command<[jobId: string], JobDTO>(zId),
  /** B2: keep a download Glance has no checksum for (the job waits with decision 'acceptUnverified'). */
  acceptUnverified: command<[jobId: string], JobDTO>(zId),
  exportDrafts: command<[ids: string[], fileHandle: string], { path: string }>(z.array(zId).min(1).max(1000), zHandle),
  importDrafts: command<[fileHandle: string], JobDTO[]>(zHandle),
}
