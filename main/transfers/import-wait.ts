/**
 * When an image that should be importing is seen `queued` again, is the import over (failed or lost)? One rule for
 * the URL import (main/transfers/importer.ts) and the copy engine's glance-download (main/copy/engine.ts):
 *
 *   seen importing before   time since the import call     queued means
 *   yes                     any                            over: ask the task why (failed / lost)
 *   no                      < IMPORT_ASK_AFTER_MS          not started yet: wait
 *   no                      < IMPORT_QUEUED_GIVEUP_MS      over only if the task says it failed
 *   no                      >= IMPORT_QUEUED_GIVEUP_MS     over (a loaded Glance that never picked it up)
 *
 * A loaded Glance can leave an accepted import `queued` for many seconds before its task starts: giving up sooner
 * makes the next attempt import the same image again.
 */
export const IMPORT_ASK_AFTER_MS = 5000
export const IMPORT_QUEUED_GIVEUP_MS = 120_000

export type QueuedVerdict = 'wait' | 'askTask' | 'askTaskElseOver'

export function judgeQueued(sawImporting: boolean, elapsedMs: number): QueuedVerdict {
  if (sawImporting || elapsedMs >= IMPORT_QUEUED_GIVEUP_MS) return 'askTaskElseOver'
  if (elapsedMs >= IMPORT_ASK_AFTER_MS) return 'askTask'
  return 'wait'
}
