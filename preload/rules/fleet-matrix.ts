/**
 * The fleet matrix: the images of several sources (a profile + a region each: one column per source) matched by
 * content into one table of rows, and what each cell says. Pure data and functions (no I/O, no Node, no Vue): the
 * main process reduces Glance images to FleetRecords, the renderer adds them page by page and asks for cell states.
 *
 * | what                | rule                                                                                          |
 * |---------------------|-----------------------------------------------------------------------------------------------|
 * | content key (row)   | `<os_hash_algo>:<os_hash_value>`, else `md5:<checksum>`, else `name:<name>` (no data yet)      |
 * | present             | the column holds an image with the row's key and the same compared metadata as the reference   |
 * | drift               | the column holds an image with the row's key, but its compared metadata differs                |
 * | other               | the column holds no image with the row's key, but one with the row's name (another content)   |
 * | missing             | neither (the column's listing is complete)                                                     |
 * | loading             | neither, and the column is still being listed                                                  |
 * | reference           | the row's image in the first column (in source order) that holds it                          |
 * | compared metadata   | console fields, custom properties, tags (as a set), visibility, protected, min_disk, min_ram   |
 * | not compared        | what Glance owns: ids, status, dates, owner, sizes, hashes, stores, and every `os_glance*` key  |
 * |                     | (Glance's import sets os_glance_import_task, os_glance_importing_to_stores... on the copy only) |
 *
 * Costs: adding a page is O(page) (maps by key and by name per column); a cell state is O(1); filtering is
 * O(rows x columns). Memory is bounded by keeping, per image, only what is compared: the compared metadata is one
 * canonical JSON string (sorted keys), so that equality is a string comparison and the diff view parses two of them
 * on demand.
 */
import type { ConsoleFields, ImageDTO } from '../api'
import type { FleetRecord } from '../contract/fleet'

export type { FleetRecord }

/** The compared metadata of an image (what the diff view shows). */
export interface FleetMeta {
  visibility: string
  protected: boolean
  minDisk: number
  minRam: number
  tags: string[]
  /** Console fields other than those above (min disk/ram, public and protected are compared as Glance keys). */
  fields: Record<string, unknown>
  properties: Record<string, string>
}

export type CellState = 'present' | 'drift' | 'other' | 'missing' | 'loading'

/** The content key of an image (see the table). */
export function contentKey(im: Pick<ImageDTO, 'hashAlgo' | 'hashValue' | 'checksum' | 'name'>): string {
  if (im.hashValue) return `${im.hashAlgo || 'hash'}:${im.hashValue}`
  if (im.checksum) return `md5:${im.checksum}`
  return `name:${im.name}`
}

function sortedObject<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {}
  for (const k of Object.keys(o).sort()) out[k] = o[k] as T
  return out
}

const FIELD_KEYS_COMPARED_ELSEWHERE = new Set<keyof ConsoleFields>(['minDiskGiB', 'minRamGiB', 'public', 'protected'])

/** The compared metadata of an image (pure). */
export function metaOf(im: ImageDTO): FleetMeta {
  const fields: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(im.fields)) {
    if (v === undefined || FIELD_KEYS_COMPARED_ELSEWHERE.has(k as keyof ConsoleFields)) continue
    fields[k] = v
  }
  return {
    visibility: im.visibility,
    protected: im.protected,
    minDisk: im.minDisk,
    minRam: im.minRam,
    tags: [...im.tags].sort(),
    fields: sortedObject(fields),
    properties: sortedObject(Object.fromEntries(Object.entries(im.properties).filter(([k]) => !isGlanceOwned(k)))),
  }
}

/** A property Glance sets itself (import bookkeeping): never drift. */
export function isGlanceOwned(key: string): boolean {
  return key.startsWith('os_glance')
}

/** An image reduced to a FleetRecord (pure): nothing else of the image is kept. */
export function fleetRecordOf(im: ImageDTO): FleetRecord {
  const meta = metaOf(im)
  const r: FleetRecord = {
    id: im.id,
    name: im.name,
    status: im.status,
    key: contentKey(im),
    size: im.size,
    meta: JSON.stringify(meta),
    tags: meta.tags,
  }
  if (im.fields.osType) r.osType = im.fields.osType
  return r
}

/** One difference between two images' compared metadata: a dotted path and both values (undefined: absent). */
export interface MetaDiff {
  path: string
  a?: unknown
  b?: unknown
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** What differs between two compared-metadata strings (pure): top-level fields, then fields.* and properties.*. */
export function diffMeta(a: string, b: string): MetaDiff[] {
  if (a === b) return []
  const ma = JSON.parse(a) as FleetMeta
  const mb = JSON.parse(b) as FleetMeta
  const out: MetaDiff[] = []
  const push = (path: string, x: unknown, y: unknown) => {
    const d: MetaDiff = { path }
    if (x !== undefined) d.a = x
    if (y !== undefined) d.b = y
    out.push(d)
  }
  for (const k of ['visibility', 'protected', 'minDisk', 'minRam', 'tags'] as const) {
    if (!same(ma[k], mb[k])) push(k, ma[k], mb[k])
  }
  for (const group of ['fields', 'properties'] as const) {
    const ka = ma[group] ?? {}
    const kb = mb[group] ?? {}
    for (const k of [...new Set([...Object.keys(ka), ...Object.keys(kb)])].sort()) {
      if (!same(ka[k], kb[k])) push(`${group}.${k}`, ka[k], kb[k])
    }
  }
  return out
}

/** A row: one content key, the image per column (the first one listed when a column has it twice). */
export interface FleetRow {
  key: string
  name: string
  cells: (FleetRecord | undefined)[]
}

/** The matrix being built. Plain data; `addPage` mutates it in place (O(page)). */
export interface FleetMatrix {
  columns: number
  rows: Map<string, FleetRow>
  /** Per column: name -> the first image of that name. */
  byName: Map<string, FleetRecord>[]
  /** Per column: the listing is complete. */
  complete: boolean[]
  /** Per column: images listed. */
  counts: number[]
}

export function emptyMatrix(columns: number): FleetMatrix {
  return {
    columns,
    rows: new Map(),
    byName: Array.from({ length: columns }, () => new Map()),
    complete: Array.from({ length: columns }, () => false),
    counts: Array.from({ length: columns }, () => 0),
  }
}

/** Adds one page of a column's images (O(page)); returns the rows it created. */
export function addPage(m: FleetMatrix, column: number, records: readonly FleetRecord[]): number {
  if (column < 0 || column >= m.columns) throw new RangeError(`no column ${column}`)
  let created = 0
  const names = m.byName[column]!
  for (const r of records) {
    m.counts[column]!++
    let row = m.rows.get(r.key)
    if (!row) {
      row = { key: r.key, name: r.name, cells: new Array<FleetRecord | undefined>(m.columns) }
      m.rows.set(r.key, row)
      created++
    }
    if (!row.cells[column]) row.cells[column] = r
    if (!names.has(r.name)) names.set(r.name, r)
  }
  return created
}

export function markComplete(m: FleetMatrix, column: number): void {
  m.complete[column] = true
}

/** The row's reference image: the one in the first column that holds it. */
export function referenceOf(row: FleetRow): FleetRecord | undefined {
  for (const c of row.cells) if (c) return c
  return undefined
}

/** What a cell says (O(1)); see the table above. */
export function cellState(m: FleetMatrix, row: FleetRow, column: number): CellState {
  const rec = row.cells[column]
  if (rec) return rec.meta === referenceOf(row)!.meta ? 'present' : 'drift'
  if (m.byName[column]?.has(row.name)) return 'other'
  return m.complete[column] ? 'missing' : 'loading'
}

/** The image a cell is compared with: its own, or the same-named one of another content. */
export function cellRecord(m: FleetMatrix, row: FleetRow, column: number): FleetRecord | undefined {
  return row.cells[column] ?? m.byName[column]?.get(row.name)
}

/** What differs in a cell against the row's reference (empty for present / missing). */
export function cellDiff(m: FleetMatrix, row: FleetRow, column: number): MetaDiff[] {
  const ref = referenceOf(row)
  const rec = cellRecord(m, row, column)
  if (!ref || !rec) return []
  const out = diffMeta(ref.meta, rec.meta)
  if (rec.key !== ref.key) out.unshift({ path: 'content', a: ref.key, b: rec.key })
  return out
}

export interface FleetFilters {
  /** Rows missing (or with other content) in some column. */
  missing: boolean
  /** Rows whose metadata or content differs in some column. */
  drift: boolean
  /** Substring of the name (case-insensitive). */
  name: string
  /** OS type of the reference image. */
  os: string
  /** A tag any of the row's images has. */
  tag: string
}

export function emptyFleetFilters(): FleetFilters {
  return { missing: false, drift: false, name: '', os: '', tag: '' }
}

/** Whether a row passes the filters (O(columns)). */
export function rowMatches(m: FleetMatrix, row: FleetRow, f: FleetFilters): boolean {
  if (f.name && !row.name.toLowerCase().includes(f.name.toLowerCase())) return false
  const ref = referenceOf(row)
  if (f.os && ref?.osType !== f.os) return false
  if (f.tag && !row.cells.some((c) => c?.tags.includes(f.tag))) return false
  if (f.missing || f.drift) {
    let missing = false
    let drift = false
    for (let c = 0; c < m.columns; c++) {
      const s = cellState(m, row, c)
      if (s === 'missing' || s === 'other') missing = true
      if (s === 'drift' || s === 'other') drift = true
    }
    if (f.missing && !missing) return false
    if (f.drift && !drift) return false
  }
  return true
}

/** The rows passing the filters, by name then key (O(rows x columns + rows log rows)). */
export function filterRows(m: FleetMatrix, f: FleetFilters): FleetRow[] {
  const out: FleetRow[] = []
  for (const row of m.rows.values()) if (rowMatches(m, row, f)) out.push(row)
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** Counts per state over the whole matrix (the summary line). */
export function stateCounts(m: FleetMatrix): Record<CellState, number> {
  const out: Record<CellState, number> = { present: 0, drift: 0, other: 0, missing: 0, loading: 0 }
  for (const row of m.rows.values()) for (let c = 0; c < m.columns; c++) out[cellState(m, row, c)]++
  return out
}
