/**
 * What the queue tells the user outside the transfers view: an OS notification when a long job ends (failures
 * always), the taskbar / dock progress of the running jobs, and notices when saving the queue file fails or works again.
 */
import type { Platform } from '../platform'
import type { EventBus } from '../events'
import { EVENTS } from '../../preload/contract/events'
import type { Logger } from '../log'
import type { JobRecord } from './store'
import { NOTIFY_AFTER_SECONDS } from './tuning'
import { translator, uiLocale, type UiLocale } from '../i18n'
import { errorLine } from '../../preload/rules/messages'

/**
 * The OS notification of an ended job, worded in the UI's language (main/i18n.ts: the renderer's catalogues; the
 * error through the same describeError as the window).
 */
export function notifyEnded(shell: Platform['shell'], j: JobRecord, locale: UiLocale = uiLocale()): void {
  // Only jobs long enough for the user to have turned away; failures always.
  if (j.state === 'done' && (j.result?.seconds ?? 0) < NOTIFY_AFTER_SECONDS) return
  try {
    const t = translator(locale)
    const kindKey = `transfers.kind.${j.kind}`
    const kind = t(kindKey) === kindKey ? j.kind : t(kindKey)
    const title = t(j.state === 'done' ? 'notify.done' : 'notify.failed', { kind })
    shell.notify(title, j.state === 'done' || !j.error ? j.imageName : `${j.imageName}: ${errorLine(j.error, t)}`)
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
      deps.events.emit(EVENTS.app.notice, {
        level: 'error',
        message: `The transfer queue cannot be saved to ${file()} (${e.message}). Transfers go on, but a restart now would lose their latest state; free space or fix the folder.`,
        reason: 'queueSaveFailed',
        params: { file: file(), server: e.message },
      })
    },
    onRecovered: () => {
      deps.log.info('saving the transfer queue works again', { file: file() })
      deps.events.emit(EVENTS.app.notice, { level: 'info', message: 'The transfer queue is saved again.', reason: 'queueSaved', params: {} })
    },
  }
}
