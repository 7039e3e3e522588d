/**
 * Which queued jobs start now (pure): the oldest first, as many per profile as `concurrency` allows next to the ones
 * already running.
 */
import type { JobRecord } from './store'

export function runnable(
  jobs: Iterable<JobRecord>,
  runningIds: Iterable<string>,
  byId: (id: string) => JobRecord | undefined,
  concurrency: number,
): JobRecord[] {
  const perProfile = new Map<string, number>()
  for (const id of runningIds) {
    const p = byId(id)?.profileId ?? ''
    perProfile.set(p, (perProfile.get(p) ?? 0) + 1)
  }
  const queued = [...jobs].filter((j) => j.state === 'queued').sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  const out: JobRecord[] = []
  for (const j of queued) {
    const n = perProfile.get(j.profileId) ?? 0
    if (n >= concurrency) continue
    perProfile.set(j.profileId, n + 1)
    out.push(j)
  }
  return out
}
