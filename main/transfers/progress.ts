/**
 * Progress metering: byte counters are updated on every chunk (cheap), but events leave at most every
 * `intervalMs` (default 250 ms: four a second), batched for all jobs that moved. Speed is a moving average sampled on
 * that ticker over a sliding window (separate from byte events), ETA is undefined when the total or the speed is
 * unknown.
 */
import type { JobPhase, ProgressEvent } from '../../preload/api'
import { PROGRESS_INTERVAL_MS, SPEED_WINDOW_MS } from './tuning'

interface Meter {
  phase: JobPhase
  bytes: number
  total?: number
  samples: { t: number; bytes: number }[]
  dirty: boolean
  speed: number
}

export interface ProgressOptions {
  emit: (events: ProgressEvent[]) => void
  intervalMs?: number
  windowMs?: number
  now?: () => number
}

export class ProgressHub {
  private readonly meters = new Map<string, Meter>()
  private timer: NodeJS.Timeout | null = null
  private readonly intervalMs: number
  private readonly windowMs: number
  private readonly now: () => number
  private lastFlush = 0

  constructor(private readonly opts: ProgressOptions) {
    this.intervalMs = opts.intervalMs ?? PROGRESS_INTERVAL_MS
    this.windowMs = opts.windowMs ?? SPEED_WINDOW_MS
    this.now = opts.now ?? (() => Date.now())
  }

  /** Start (or restart) metering a job phase; bytes start at `bytes`. Emitted on the next tick. */
  begin(jobId: string, phase: JobPhase, total: number | undefined, bytes = 0): void {
    const m: Meter = { phase, bytes, samples: [{ t: this.now(), bytes }], dirty: true, speed: 0 }
    if (total !== undefined) m.total = total
    this.meters.set(jobId, m)
    this.ensureTimer()
  }

  add(jobId: string, n: number): void {
    const m = this.meters.get(jobId)
    if (!m) return
    m.bytes += n
    m.dirty = true
  }

  get(jobId: string): { bytes: number; total?: number; phase: JobPhase } | undefined {
    return this.meters.get(jobId)
  }

  /** Emit this job's final state now (e.g. at 100%) and stop metering it. */
  end(jobId: string): void {
    const m = this.meters.get(jobId)
    if (!m) return
    this.meters.delete(jobId)
    this.opts.emit([this.event(jobId, m)])
    if (this.meters.size === 0) this.stop()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private ensureTimer(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.tick(), this.intervalMs)
    this.timer.unref?.()
  }

  /** Sample speeds and emit the jobs that moved. Public for tests. */
  tick(): void {
    const t = this.now()
    if (t - this.lastFlush < this.intervalMs * 0.9) return
    this.lastFlush = t
    const out: ProgressEvent[] = []
    for (const [id, m] of this.meters) {
      m.samples.push({ t, bytes: m.bytes })
      while (m.samples.length > 2 && t - m.samples[0]!.t > this.windowMs) m.samples.shift()
      const first = m.samples[0]!
      const dt = (t - first.t) / 1000
      m.speed = dt > 0 ? Math.max(0, (m.bytes - first.bytes) / dt) : 0
      if (m.dirty) {
        m.dirty = false
        out.push(this.event(id, m))
      }
    }
    if (out.length) this.opts.emit(out)
  }

  private event(jobId: string, m: Meter): ProgressEvent {
    const e: ProgressEvent = { jobId, phase: m.phase, bytes: m.bytes, speed: Math.round(m.speed) }
    if (m.total !== undefined) {
      e.total = m.total
      if (m.speed > 0) e.eta = Math.max(0, Math.round((m.total - m.bytes) / m.speed))
    }
    return e
  }
}
