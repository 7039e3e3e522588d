/**
 * What the queue tells the user outside the transfers view: an OS notification when a long job ends (failures
 * always), the taskbar / dock progress of the running jobs, and notices when saving the queue file fails or works again.
 */
import type { Platform } from '../platform'
import type { EventBus } from '../events'
import type { Logger } from '../log'
import type { JobRecord } from './store'
import { NOTIFY_AFTER_SECONDS } from './tuning'

export function notifyEnded(shell: Platform['shell'], j: JobRecord): void {
  // Only jobs long enough for the user to have turned away; failures always.
  if (j.state === 'done' && (j.result?.seconds ?? 0) < NOTIFY_AFTER_SECONDS) return
  try {
    const verb = j.kind === 'upload' ? 'Upload' : j.kind === 'download' ? 'Download' : j.kind === 'copy' ? 'Copy' : 'Import'
    shell.notify(`${verb} ${j.state === 'done' ? 'finished' : 'failed'}`, j.state === 'done' ? j.imageName : `${j.imageName}: ${j.error?.message ?? ''}`)
  } catch {
    // notifications are best effort
  }
}

/** The window's taskbar / dock progress: bytes over totals of the running jobs; cleared when none runs. */
export class TaskbarProgress {
  private fraction = -1
  constructor(private readonly shell: Platform['shell']) {}

  update(jobs: Iterable<JobRecord>): void {
    let done = 0
    let total = 0
    for (const j of jobs) {
      if (j.state !== 'running' || !j.total) continue
      done += Math.min(j.bytes, j.total)
      total += j.total
    }
    const fraction = total > 0 ? done / total : -1
    if (fraction === this.fraction) return
    this.fraction = fraction
    try {
      this.shell.setProgress(fraction)
    } catch {
      // best effort
    }
  }
}

/** The queue store's save reports as log lines and notices. */
export function saveReports(deps: { events: EventBus; log: Logger }, file: () => string): { onError: (e: Error) => void; onRecovered: () => void } {
  return {
    onError: (e) => {
      deps.log.error('saving the transfer queue failed', { file: file(), error: e.message })
      deps.events.emit('app:notice', {
        level: 'error',
        message: `The transfer queue cannot be saved to ${file()} (${e.message}). Transfers go on, but a restart now would lose their latest state; free space or fix the folder.`,
      })
    },
    onRecovered: () => {
      deps.log.info('saving the transfer queue works again', { file: file() })
      deps.events.emit('app:notice', { level: 'info', message: 'The transfer queue is saved again.' })
    },
  }
}
