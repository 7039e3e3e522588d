/**
 * Types for code that runs inside the page (page.evaluate / waitForFunction). The node tsconfig has no DOM lib, so
 * evaluated functions reach the page's globals through `globalThis as unknown as PageGlobals`.
 */
import type { Api } from '../../../preload/api'

export interface PageGlobals {
  api: Api
  document: {
    cookie: string
    querySelector(selector: string): { childElementCount: number; textContent: string | null } | null
  }
}
