/**
 * Safe local file names derived from untrusted text (image names come from Glance: anyone who can name an image in a
 * shared project chooses them). The result is a single path component that is valid on Windows, macOS and Linux:
 *
 * - path separators (`/`, `\`) and the Windows-reserved characters `<>:"|?*` become `_`;
 * - control characters (C0, DEL, C1) and bidi/format characters are dropped;
 * - `.` and `..` (and names made only of dots) never survive; leading dots are removed (no hidden files);
 * - trailing dots and spaces are removed (Windows strips them silently, which would change the name);
 * - reserved Windows device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, also with superscript digits) get a `_` suffix,
 *   with or without an extension (`con.txt` is as reserved as `CON`);
 * - at most 200 bytes of UTF-8, cut on a character boundary (never half a multi-byte character or surrogate pair),
 *   the extension kept;
 * - an empty result becomes `image`.
 *
 * Pure: no I/O.
 */

export const MAX_NAME_BYTES = 200
const FALLBACK = 'image'

const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i
// C0 controls, DEL, C1 controls, zero-width / bidi / line and paragraph separators, BOM.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/g
const UNSAFE = /[/\\<>:"|?*]/g

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

/** The longest prefix of `s` (whole code points) that fits in `max` UTF-8 bytes. */
function truncateUtf8(s: string, max: number): string {
  if (utf8Length(s) <= max) return s
  let out = ''
  let bytes = 0
  for (const ch of s) {
    const n = utf8Length(ch)
    if (bytes + n > max) break
    out += ch
    bytes += n
  }
  return out
}

function clean(s: string): string {
  return s.normalize('NFC').replace(CONTROL, '').replace(UNSAFE, '_')
}

/** Trailing dots and spaces (Windows), leading dots and spaces (hidden files, `..`). */
function trim(s: string): string {
  return s.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '')
}

function unreserve(stem: string): string {
  // The device name is the part before the first dot: `con.tar.gz` is reserved too.
  const first = stem.split('.')[0] ?? ''
  return RESERVED.test(first.trim()) ? `${stem.slice(0, first.length)}_${stem.slice(first.length)}` : stem
}

/**
 * A safe file name for `imageName`, ending in `.ext` when `ext` is given (`ext` with or without its dot; it is
 * sanitized too and dropped when nothing is left of it). An extension the name already has is not doubled.
 */
export function safeFileName(imageName: unknown, ext?: string): string {
  const raw = typeof imageName === 'string' ? imageName : ''
  let e = ext === undefined ? '' : trim(clean(ext)).replace(/\s/g, '')
  e = truncateUtf8(e, 16)
  const suffix = e ? `.${e}` : ''

  let stem = trim(clean(raw))
  if (suffix && stem.toLowerCase().endsWith(suffix.toLowerCase()) && stem.length > suffix.length) {
    stem = trim(stem.slice(0, -suffix.length))
  }
  stem = unreserve(stem)
  stem = trim(truncateUtf8(stem, MAX_NAME_BYTES - utf8Length(suffix)))
  if (!stem) stem = FALLBACK
  // Truncation may have exposed a reserved name again (`con` + cut): check once more.
  stem = unreserve(stem)
  return `${stem}${suffix}`
}
