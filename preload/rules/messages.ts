/**
 * Main-process messages as data (issue 14.7): the main process never words a sentence for the user; it sends an
 * AppError `code` plus `details.reason` (a stable camelCase code, unique within the error code) and `details.params`
 * (flat scalars). The renderer words them in the UI's language from its typed catalogues:
 *
 * | what the main process sends                        | catalogue key the renderer uses (renderer/lib/errors.ts) |
 * |----------------------------------------------------|-----------------------------------------------------------|
 * | code + details.reason + details.params             | errorReason.<CODE>.<reason> with {param} placeholders     |
 * | code only (or a reason the catalogue lacks)        | error.<CODE> ({msg} = the English message)                |
 * | an unknown code                                    | the English message as is (the fallback)                  |
 * | a text a server wrote (Glance task message, ...)   | params.server: shown as the detail, as is                 |
 *
 * `message` stays English, for logs and the CLI. Pure: no Electron, no Node, no DOM: the renderer words errors with
 * `describeError` (re-exported by renderer/lib/errors.ts), the main process words its native notifications with the
 * same function over the same catalogues (main/i18n.ts).
 *
 * | the error has                                   | text                                             | detail            |
 * |-------------------------------------------------|--------------------------------------------------|-------------------|
 * | details.reason the catalogue knows              | errorReason.<CODE>.<reason> (params)             | params.server     |
 * | a code the catalogue knows (no / unknown reason)| error.<CODE> ({msg} = message, params)           | message, unless the text has it |
 * | an unknown code                                 | the message as is (English: the fallback)        | —                 |
 * Params named status / visibility / kind are worded too (status.*, visibility.*, transfers.kind.*).
 */
import { AppError, type AppErrorData, type ErrorCode } from '../api'

export type ReasonParam = string | number | boolean | null
export type ReasonParams = Record<string, ReasonParam>

/** One reason of a list (inspection refusals, import-candidate errors, connection-report reasons). */
export interface ReasonData {
  reason: string
  params?: ReasonParams
}

/** An AppError carrying a reason code and its parameters (the UI words it; `message` is the English fallback). */
export function reasonError(
  code: ErrorCode,
  reason: string,
  params: ReasonParams,
  message: string,
  extra: Omit<AppErrorData, 'code' | 'message' | 'details'> & { details?: Record<string, unknown> } = {},
  options?: { cause?: unknown },
): AppError {
  const { details, ...rest } = extra
  return new AppError({ ...rest, code, message, details: { ...(details ?? {}), reason, params } }, options)
}

/** The reason and parameters of an error (or of an error's JSON), when it has them. */
export function reasonOf(e: { details?: Record<string, unknown> } | null | undefined): ReasonData | undefined {
  const d = e?.details
  if (!d || typeof d.reason !== 'string' || !d.reason) return undefined
  const out: ReasonData = { reason: d.reason }
  const p = d.params
  if (p && typeof p === 'object' && !Array.isArray(p)) {
    const params: ReasonParams = {}
    for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params[k] = v
    }
    out.params = params
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Wording (a translator is passed in: vue-i18n's t in the renderer, main/i18n.ts in the main process)
// ---------------------------------------------------------------------------------------------------------------

export type Translate = (key: string, named?: Record<string, unknown>) => string

export interface PlainError {
  /** The sentence to show. */
  text: string
  /** The technical message from the service, when it adds something. */
  detail?: string
  requestId?: string
  code: string
}

/** Parameters whose values are catalogue codes: name -> catalogue section. */
const LOCALISED_PARAMS: Record<string, string> = { status: 'status', visibility: 'visibility', kind: 'transfers.kind' }

/** The params of a reason, with the coded ones worded (an unknown value stays as it is). */
export function wordParams(params: ReasonData['params'], t: Translate): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(params ?? {})) {
    const section = LOCALISED_PARAMS[k]
    if (section && typeof v === 'string' && /^[A-Za-z0-9_]+$/.test(v)) {
      const key = `${section}.${v}`
      const w = t(key)
      out[k] = w === key ? v : w
    } else out[k] = v === null ? '' : v
  }
  return out
}

/** One reason of a list (e.g. a connection report's reasons) under an error code; undefined when unknown. */
export function describeReason(code: string, r: ReasonData, t: Translate): string | undefined {
  const key = `errorReason.${code}.${r.reason}`
  const text = t(key, wordParams(r.params, t))
  return text === key ? undefined : text
}

/** What became of a failed job's unfinished image (details.imageId + details.deleted, set by the transfer queue). */
function aftermath(d: Record<string, unknown> | undefined, t: Translate): string {
  if (!d || typeof d.imageId !== 'string' || typeof d.deleted !== 'boolean') return ''
  return t(d.deleted ? 'error.unfinishedDeleted' : 'error.unfinishedLeft', { imageId: d.imageId })
}

export function describeError(e: unknown, t: Translate): PlainError {
  const data = asErrorData(e)
  const r = reasonOf(data)
  if (r) {
    const worded = describeReason(data.code, r, t)
    if (worded !== undefined) {
      const after = aftermath(data.details, t)
      const text = after ? `${worded}${/[。！？]$/.test(worded) ? '' : ' '}${after}` : worded
      const out: PlainError = { text, code: data.code }
      const server = r.params?.server
      if (typeof server === 'string' && server && !text.includes(server)) out.detail = server
      if (data.requestId) out.requestId = data.requestId
      return out
    }
  }
  const key = `error.${data.code}`
  const translated = t(key, { ...wordParams(r?.params, t), msg: data.message })
  const text = translated === key ? data.message : translated
  const out: PlainError = { text, code: data.code }
  if (!text.includes(data.message) && data.message) out.detail = data.message
  if (data.requestId) out.requestId = data.requestId
  return out
}

/** One line: "text (detail) · Request id: X". */
export function errorLine(e: unknown, t: Translate): string {
  const p = describeError(e, t)
  const parts = [p.detail ? `${p.text} (${p.detail})` : p.text]
  if (p.requestId) parts.push(t('error.requestId', { id: p.requestId }))
  return parts.join(' · ')
}

export function asErrorData(e: unknown): AppErrorData {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    const o = e as AppErrorData
    return { ...o, message: String(o.message ?? '') }
  }
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) }
}

/** A main-process notice in the UI's language: notice.<reason> with its params, else its English message. */
export function describeNotice(n: { message: string; reason?: string; params?: ReasonParams }, t: Translate): string {
  if (!n.reason) return n.message
  const key = `notice.${n.reason}`
  const text = t(key, wordParams(n.params, t))
  return text === key ? n.message : text
}
