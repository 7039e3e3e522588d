import type { SessionOptions } from './types'

/** Keystone v3 session (skeleton; implementation follows). */
export class Session {
  constructor(readonly options: SessionOptions) {}
}
