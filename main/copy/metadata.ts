/**
 * What a copy carries from the source image to the target, and how two images' metadata differ (pure functions).
 *
 *   attribute                                  carried / compared   how
 *   name, disk_format, container_format        yes                  as they are
 *   visibility                                 yes                  as it is, or the consented downgrade
 *   protected                                  yes                  set after the bytes are verified (a failed copy
 *                                                                   must stay deletable)
 *   min_disk, min_ram, os_hidden               yes                  as they are
 *   tags                                       yes                  as a set (order and duplicates ignored)
 *   custom properties (console fields incl.)   yes                  strings as they are; the keys that vary per profile
 *                                                                   (PropertyKeyMap) renamed to the target's key
 *   id, status, size, virtual_size, checksum,  no                   Glance's own (READ_ONLY_ATTRIBUTES, os_glance_*)
 *   os_hash_*, owner, dates, locations,
 *   direct_url, stores, self, file, schema
 */
import type { DriftEntry } from '../../preload/contract/copy'
import type { PropertyKeyMap, Visibility } from '../../preload/api'
import { READ_ONLY_ATTRIBUTES } from '../openstack/properties'
import { computePatch, type PatchOp } from '../openstack/glance'

type Raw = Record<string, unknown>

/** Attributes Glance owns: never carried, never compared. */
export function isGlanceOwned(key: string): boolean {
  return READ_ONLY_ATTRIBUTES.has(key) || key.startsWith('os_glance') || key === 'tags'
}

const KEY_FIELDS: (keyof PropertyKeyMap)[] = ['virtualization', 'onlineResize', 'encryptedPassword']

/** The carried attributes of `img` (tags apart), with the per-profile keys renamed from `from` to `to`. */
export function carriedAttributes(img: Raw, from?: PropertyKeyMap, to?: PropertyKeyMap): Raw {
  const out: Raw = {}
  for (const [k, v] of Object.entries(img)) {
    if (isGlanceOwned(k) || v === undefined) continue
    out[k] = v
  }
  if (from && to) {
    for (const f of KEY_FIELDS) {
      const a = from[f]
      const b = to[f]
      if (a === b || !(a in out)) continue
      out[b] = out[a]
      delete out[a]
    }
  }
  return out
}

export function tagsOf(img: Raw): string[] {
  return Array.isArray(img.tags) ? [...new Set(img.tags.filter((t): t is string => typeof t === 'string'))].sort() : []
}

/**
 * The POST /v2/images body for the copy: every carried attribute, the tags, `protected` false (set at the end),
 * the visibility given (the source's or the consented downgrade).
 */
export function copyCreateBody(src: Raw, visibility: Visibility, keys?: { from: PropertyKeyMap; to: PropertyKeyMap }): Raw {
  const body = carriedAttributes(src, keys?.from, keys?.to)
  body.visibility = visibility
  body.protected = false
  const tags = tagsOf(src)
  if (tags.length) body.tags = tags
  return body
}

function norm(v: unknown): string {
  return v === undefined || v === null ? 'null' : JSON.stringify(v)
}

/**
 * What differs between what the source carries and the target holds (keys sorted; tags as one entry). `ignore`:
 * keys not to compare (e.g. `visibility` when a downgrade was consented).
 */
export function metadataDrift(src: Raw, dst: Raw, o: { keys?: { from: PropertyKeyMap; to: PropertyKeyMap }; ignore?: string[] } = {}): DriftEntry[] {
  const a = carriedAttributes(src, o.keys?.from, o.keys?.to)
  const b = carriedAttributes(dst)
  const ignore = new Set(o.ignore ?? [])
  const out: DriftEntry[] = []
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (ignore.has(k)) continue
    if (norm(a[k]) !== norm(b[k])) out.push({ key: k, source: a[k] ?? null, target: b[k] ?? null })
  }
  const ta = tagsOf(src)
  const tb = tagsOf(dst)
  if (ta.join('\u0000') !== tb.join('\u0000')) out.push({ key: 'tags', source: ta, target: tb })
  return out
}

/**
 * The fix for metadata drift without copying bytes: the JSON patch that gives `dst` the source's carried attributes
 * (custom properties the source lacks are removed), and the tags to add and remove (Glance's tag calls).
 */
export function driftFix(
  src: Raw,
  dst: Raw,
  o: { keys?: { from: PropertyKeyMap; to: PropertyKeyMap }; ignore?: string[] } = {},
): { ops: PatchOp[]; addTags: string[]; removeTags: string[] } {
  const want = carriedAttributes(src, o.keys?.from, o.keys?.to)
  const have = carriedAttributes(dst)
  for (const k of o.ignore ?? []) {
    delete want[k]
    delete have[k]
  }
  const ops = computePatch(have, want)
  const ta = tagsOf(src)
  const tb = tagsOf(dst)
  return { ops, addTags: ta.filter((t) => !tb.includes(t)), removeTags: tb.filter((t) => !ta.includes(t)) }
}

/** Which hash identifies the bytes: sha512 (os_hash_value) when Glance computed one, else md5 `checksum`. */
export function contentHash(img: Raw): { algo: 'sha512' | 'md5'; value: string } | null {
  const v = img.os_hash_value
  if (typeof v === 'string' && v && (img.os_hash_algo ?? 'sha512') === 'sha512') return { algo: 'sha512', value: v }
  if (typeof img.checksum === 'string' && img.checksum) return { algo: 'md5', value: img.checksum }
  return null
}

/** A glob (`*`, `?`) matching a whole name, case-sensitive. */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  )
  return re.test(name)
}
