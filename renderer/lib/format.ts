/** Formatting: sizes in binary units, durations, locale times. Pure. */

export const GiB = 1024 ** 3
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

// Intl.NumberFormat does the digits (locale separators, rounding without string surgery: the old hand-written
// `toFixed(..).replace(/\.?0+$/, '')` also stripped the zeros of whole numbers, "100 MiB" -> "1 MiB"). Building one
// costs far more than using it, so one per locale and number of decimals is kept.
const numberFormats = new Map<string, Intl.NumberFormat>()
function numberFormat(locale: string, decimals: number): Intl.NumberFormat {
  const key = `${locale}|${decimals}`
  let f = numberFormats.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: decimals, minimumFractionDigits: 0 })
    numberFormats.set(key, f)
  }
  return f
}

/**
 * A size in binary units, in the UI's locale.
 *   | bytes            | en           | zh-CN        |
 *   | 0 / 1023         | 0 B / 1,023 B| 0 B / 1,023 B|
 *   | 1536             | 1.5 KiB      | 1.5 KiB      |
 *   | 100 MiB          | 100 MiB      | 100 MiB      |
 *   | 1023.9 MiB       | 1 GiB        | 1 GiB        | (a value that rounds to 1024 moves up a unit)
 *   | null / NaN / < 0 | `empty` ("—")              |
 * At most 3 significant digits above 1 KiB (2 decimals below 10, 1 below 100, none from 100).
 */
export function formatBytes(n: number | null | undefined, locale = 'en', empty = '—'): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return empty
  if (n < 1024) return `${numberFormat(locale, 0).format(Math.round(n))} B`
  let v = n
  let i = 0
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024
    i++
  }
  let decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2
  if (i < UNITS.length - 1 && Number(v.toFixed(decimals)) >= 1024) {
    v /= 1024
    i++
    decimals = 2
  }
  return `${numberFormat(locale, decimals).format(v)} ${UNITS[i]}`
}

/** Bytes per second -> "560 MiB/s"; unknown -> "—". */
export function formatSpeed(bytesPerSecond: number | null | undefined, locale = 'en', empty = '—'): string {
  const s = formatBytes(bytesPerSecond, locale, '')
  return s ? `${s}/s` : empty
}

/** Seconds -> "1h 02m", "3m 05s", "42s"; undefined -> "—". */
export function formatDuration(sec: number | null | undefined, empty = '—'): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return empty
  const s = Math.round(sec)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = s % 60
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`
  if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`
  return `${r}s`
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (it was the top cost of scrolling the
// 10,000-row table): keep one per locale.
const timeFormats = new Map<string, Intl.DateTimeFormat>()

/** An ISO time in the user's locale; unparsable input is returned as is. */
export function formatTime(iso: string | null | undefined, locale: string, empty = '—'): string {
  if (!iso) return empty
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  let f = timeFormats.get(locale)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
    timeFormats.set(locale, f)
  }
  return f.format(d)
}

/** ceil(bytes / GiB), at least 1; 0 when unknown. */
export function bytesToGiBCeil(n: number | null | undefined): number {
  if (!n || n <= 0) return 0
  return Math.max(1, Math.ceil(n / GiB))
}

export function percent(bytes: number, total: number | undefined): number | undefined {
  if (!total || total <= 0) return undefined
  return Math.min(100, Math.max(0, Math.floor((bytes / total) * 100)))
}

/** A safe default file name for a download: no path separators or shell-hostile characters, with the format's extension. */
export function safeFileName(name: string, diskFormat: string | null | undefined, fallback = 'image'): string {
  let base = (name || '')
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 200)
  if (!base || /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(base)) base = fallback
  const ext = diskFormat ? extensionFor(diskFormat) : ''
  if (ext && !base.toLowerCase().endsWith(`.${ext}`)) base = `${base}.${ext}`
  return base
}

function extensionFor(fmt: string): string {
  switch (fmt) {
    case 'raw':
      return 'img'
    case 'qcow2':
    case 'iso':
    case 'vmdk':
    case 'vhd':
    case 'vhdx':
    case 'vdi':
      return fmt
    default:
      return ''
  }
}
