/**
 * Every event (a main -> renderer push), declared once: ONE table, domain -> name -> payload type. The channel is
 * `<domain>:<name>`. Derived from the table, never written out: the channel names (`EVENTS.transfers.changed`), the
 * channel list (EVENT_CHANNELS: what the bridges accept) and the payload map (EventMap). Emitters and listeners name a
 * channel through EVENTS, never as a string:
 *
 *   this.deps.events.emit(EVENTS.transfers.changed, toDTO(job))      api.on(EVENTS.transfers.changed, (job) => ...)
 *
 * Pure TypeScript, no zod: the renderer imports EVENTS as a value (re-exported by preload/api.ts). To add an event: one
 * entry here; the typecheck then checks every emit and listener of it. See docs/architecture.md, "Add an event".
 */
import type { AppCommand, Notice } from './app'
import type { ProfilesState } from './profiles'
import type { JobDTO, ProgressEvent } from './transfers'

/** A table entry: its payload type, at the type level only (like `command<P, R>()`). */
export interface EventDecl<P> {
  /** Type-level only. Never set at run time. */
  readonly __payload?: P
}
const payload = <P>(): EventDecl<P> => ({})

const EVENT_TABLE = {
  transfers: {
    /** The running jobs' progress, batched and rate-limited (main/transfers/progress.ts). */
    progress: payload<ProgressEvent[]>(),
    /** Every state change of a job. */
    changed: payload<JobDTO>(),
    removed: payload<{ jobId: string }>(),
  },
  profiles: {
    /** After every change of the saved profiles. */
    changed: payload<ProfilesState>(),
  },
  app: {
    /** A notice for the user (the queue file could not be saved ...). */
    notice: payload<Notice>(),
    /** A menu command (the renderer owns the UI state). */
    command: payload<{ command: AppCommand }>(),
  },
} as const

type Table = typeof EVENT_TABLE
type EventDomain = keyof Table & string
type PayloadOf<X> = X extends EventDecl<infer P> ? P : never

/** `<domain>:<name>` of each entry of the table. */
export type EventChannel = { [D in EventDomain]: `${D}:${keyof Table[D] & string}` }[EventDomain]
/** Event channel -> payload. */
export type EventMap = {
  [C in EventChannel]: C extends `${infer D extends EventDomain}:${infer N}` ? (N extends keyof Table[D] ? PayloadOf<Table[D][N]> : never) : never
}
/** The channel names by domain and name: `EVENTS.app.notice` is `'app:notice'`. */
export type Events = { readonly [D in EventDomain]: { readonly [N in keyof Table[D] & string]: `${D}:${N}` } }

export const EVENTS: Events = Object.freeze(
  Object.fromEntries(
    Object.entries(EVENT_TABLE).map(([domain, names]) => [domain, Object.freeze(Object.fromEntries(Object.keys(names).map((n) => [n, `${domain}:${n}`])))]),
  ),
) as Events

/** Every event channel, for the bridges (an unknown event is refused). */
export const EVENT_CHANNELS: readonly EventChannel[] = Object.freeze(Object.values(EVENTS).flatMap((names) => Object.values(names) as EventChannel[]))
