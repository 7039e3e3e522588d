import { createI18n } from 'vue-i18n'
import en from './en'
import zhCN from './zh-CN'

export type AppLocale = 'zh-CN' | 'en'
export const LOCALES: readonly AppLocale[] = ['zh-CN', 'en']
export const LOCALE_KEY = 'glance-desktop.locale'

/** The language to start in: the remembered choice, else the system's (zh* -> zh-CN, anything else -> en). */
export function pickLocale(saved: string | null | undefined, systemLanguages: readonly string[]): AppLocale {
  if (saved === 'zh-CN' || saved === 'en') return saved
  for (const l of systemLanguages) {
    const lower = l.toLowerCase()
    if (lower.startsWith('zh')) return 'zh-CN'
    if (lower.startsWith('en')) return 'en'
  }
  return 'en'
}

function initialLocale(): AppLocale {
  let saved: string | null = null
  try {
    saved = globalThis.localStorage?.getItem(LOCALE_KEY) ?? null
  } catch {
    saved = null
  }
  const nav = globalThis.navigator
  const langs = nav ? [...(nav.languages ?? []), nav.language].filter(Boolean) : []
  return pickLocale(saved, langs)
}

export const messages = { en, 'zh-CN': zhCN }

export function createAppI18n(locale: AppLocale = initialLocale()) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages,
    missingWarn: false,
    fallbackWarn: false,
  })
}

export const i18n = createAppI18n()
