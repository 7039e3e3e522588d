import type { Session } from './session'

/** Cinder v3 client (skeleton; implementation follows). */
export class CinderClient {
  constructor(
    readonly session: Session,
    readonly region: string,
  ) {}
}
