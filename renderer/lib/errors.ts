/** An AppError in plain words, with its request id (pure: the caller passes the translator). */
import type { AppErrorData } from '@contract/api'

export type Translate = (key: string, named?: Record<string, unknown>) => string

export interface PlainError {
  /** The sentence to show. */
  text: string
  /** The technical message from the service, when it adds something. */
  detail?: string
  requestId?: string
  code: string
}

export function describeError(e: unknown, t: Translate): PlainError {
  const data = asErrorData(e)
  const key = `error.${data.code}`
  const translated = t(key, { msg: data.message })
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
