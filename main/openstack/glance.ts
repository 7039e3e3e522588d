import type { Session } from './session'

/** Glance v2 client (skeleton; implementation follows). */
export class GlanceClient {
  constructor(
    readonly session: Session,
    readonly region: string,
  ) {}
}
