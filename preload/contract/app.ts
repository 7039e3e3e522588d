/**
 * App: part of the contract (preload/api.ts re-exports it, so `import ... from 'preload/api'` keeps working);
 * pure TypeScript. Moved out of preload/api.ts unchanged (issue 11).
 */

// ---------------------------------------------------------------------------------------------------------------
// App
// ---------------------------------------------------------------------------------------------------------------

export interface AppInfo {
  name: string
  version: string
  platform: string
  /** `electron` in the app, `web` in the browser harness. */
  shell: 'electron' | 'web'
  locale: string
  dataDir: string
}

/** A command of the application menu or a keyboard shortcut; the renderer owns the UI state it changes. */
export type AppCommand = 'refresh' | 'newImage' | 'search' | 'profiles' | 'importProfiles' | 'transfers' | 'about'

export interface Notice {
  level: 'info' | 'warning' | 'error'
  /** English (logs); the UI words `reason` (notice.<reason>, with `params`) when it knows it. C2 */
  message: string
  reason?: string
  params?: Record<string, string | number | boolean | null>
}
