/** UI preferences only (never anything secret), remembered in localStorage. */
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { normalizeColumns, type ColumnKey } from '@/lib/columns'
import { LOCALE_KEY, pickLocale, type AppLocale } from '@/i18n'

export type Theme = 'light' | 'dark'
export const PREFS_KEY = 'glance-desktop.prefs'

interface SavedPrefs {
  columns?: unknown
  theme?: unknown
  transfersOpen?: unknown
}

function read(): SavedPrefs {
  try {
    const raw = globalThis.localStorage?.getItem(PREFS_KEY)
    const v: unknown = raw ? JSON.parse(raw) : {}
    return v && typeof v === 'object' ? (v as SavedPrefs) : {}
  } catch {
    return {}
  }
}

function systemTheme(): Theme {
  try {
    return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
  } catch {
    return 'light'
  }
}

export const usePrefsStore = defineStore('prefs', () => {
  const saved = read()
  const columns = ref<ColumnKey[]>(normalizeColumns(saved.columns))
  const theme = ref<Theme>(saved.theme === 'dark' || saved.theme === 'light' ? saved.theme : systemTheme())
  const nav = globalThis.navigator
  let savedLocale: string | null = null
  try {
    savedLocale = globalThis.localStorage?.getItem(LOCALE_KEY) ?? null
  } catch {
    savedLocale = null
  }
  const locale = ref<AppLocale>(pickLocale(savedLocale, nav ? [...(nav.languages ?? []), nav.language].filter(Boolean) : []))

  function persist(): void {
    try {
      globalThis.localStorage?.setItem(PREFS_KEY, JSON.stringify({ columns: columns.value, theme: theme.value }))
      globalThis.localStorage?.setItem(LOCALE_KEY, locale.value)
    } catch {
      /* storage unavailable: preferences last for this session */
    }
  }
  watch([columns, theme, locale], persist, { deep: true })

  function setColumns(cols: readonly string[]): void {
    columns.value = normalizeColumns(cols)
  }
  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark'
  }
  function setLocale(l: AppLocale): void {
    locale.value = l
  }

  return { columns, theme, locale, setColumns, toggleTheme, setLocale }
})
