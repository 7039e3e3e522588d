/**
 * The harness's WebSocket wire format. JSON cannot carry `undefined`, which Electron's structured clone keeps: an
 * omitted optional argument in the middle or at the end (`images.list(ctx, query, undefined)`) would arrive as
 * `null` and fail validation. So a request lists the positions of its `undefined` arguments in `u`, and the harness
 * restores them: handlers see exactly what they would see over ipcMain.
 *
 * Pure, no DOM and no Node: used by web/bridge.ts (browser) and web/harness.ts (Node).
 */

export interface WireRequest {
  id: number | string
  channel: string
  args: unknown[]
  /** Indices of arguments that were `undefined`. */
  u?: number[]
}

export interface WireResponse {
  id: number | string
  result: unknown
}

export interface WireEvent {
  event: string
  payload: unknown
}

export function encodeRequest(id: number, channel: string, args: unknown[]): string {
  const u: number[] = []
  args.forEach((a, i) => {
    if (a === undefined) u.push(i)
  })
  const req: WireRequest = { id, channel, args: args.map((a) => (a === undefined ? null : a)) }
  if (u.length) req.u = u
  return JSON.stringify(req)
}

/** Parses and checks a request frame; null when it is not one. `args` is left for the dispatcher to validate. */
export function decodeRequest(text: string): { id: number | string; channel: unknown; args: unknown } | null {
  let msg: unknown
  try {
    msg = JSON.parse(text)
  } catch {
    return null
  }
  if (!msg || typeof msg !== 'object') return null
  const m = msg as Partial<WireRequest> & Record<string, unknown>
  if (typeof m.id !== 'number' && typeof m.id !== 'string') return null
  let args: unknown = m.args
  if (Array.isArray(args) && m.u !== undefined) {
    if (!Array.isArray(m.u) || m.u.length > args.length) return { id: m.id, channel: m.channel, args: 'bad' }
    args = [...args]
    for (const i of m.u) {
      if (!Number.isInteger(i) || i < 0 || i >= (args as unknown[]).length) return { id: m.id, channel: m.channel, args: 'bad' }
      ;(args as unknown[])[i] = undefined
    }
  }
  return { id: m.id, channel: m.channel, args }
}
