/**
 * User Timing marks read by the UI benchmark (bench/ui.mjs). Each name keeps only its latest mark (no growing
 * buffer in a long session); a no-op where the Performance API is missing (unit tests).
 */
export function perfMark(name: string): void {
  const p = globalThis.performance
  if (typeof p?.mark !== 'function') return
  p.clearMarks?.(name)
  p.mark(name)
}
