/**
 * Words the main process shows the user itself (native notifications, the export's headers and cells) from the SAME
 * typed catalogues the renderer uses (renderer/i18n/en.ts, zh-CN.ts: pure data), through vue-i18n's own message
 * engine, so a text reads the same in the window and outside it. The UI tells the main process its locale
 * (`setUiLocale`); until it does, the system's (Platform.locale) decides. English is the fallback for a missing key.
 */
import { createI18n } from 'vue-i18n'
import en from '../renderer/i18n/en'
import zhCN from '../renderer/i18n/zh-CN'
import type { Translate } from '../preload/rules/messages'

export type UiLocale = 'zh-CN' | 'en'

/** zh* -> zh-CN, anything else -> en (the renderer's pickLocale rule for a system language). */
export function toUiLocale(l: string | null | undefined): UiLocale {
  return l && l.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en'
}

const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
  missingWarn: false,
  fallbackWarn: false,
})

let current: UiLocale | undefined

/** The locale the UI shows (set by the renderer), else the given system locale. */
export function uiLocale(systemLocale?: string): UiLocale {
  return current ?? toUiLocale(systemLocale)
}

export function setUiLocale(l: string): UiLocale {
  current = toUiLocale(l)
  return current
}

/** A translator for one locale: the key itself when the catalogue has no such message (as vue-i18n's t). */
export function translator(locale: UiLocale): Translate {
  const t = i18n.global.t as unknown as (key: string, named: Record<string, unknown>, opts: { locale: string }) => string
  return (key, named) => t(key, named ?? {}, { locale })
}
