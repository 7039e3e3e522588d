/** The image list's columns: which exist, which are shown by default (the console's), their display text. Pure. */
import type { ImageDTO } from '@contract/api'
import type { Translate } from './errors'
import { fieldValue, osLabel, statusLabel } from './fields'
import { formatBytes, formatTime } from './format'

export const COLUMN_KEYS = [
  'name',
  'status',
  'diskFormat',
  'osType',
  'architecture',
  'virtualization',
  'size',
  'visibility',
  'protected',
  'owner',
  'createdAt',
  'updatedAt',
  'tags',
  'virtualSize',
  'minDisk',
  'minRam',
  'id',
] as const
export type ColumnKey = (typeof COLUMN_KEYS)[number]

/** The vendor console's columns. */
export const DEFAULT_COLUMNS: ColumnKey[] = [
  'name',
  'status',
  'diskFormat',
  'osType',
  'architecture',
  'virtualization',
  'size',
  'visibility',
  'protected',
  'owner',
  'createdAt',
  'updatedAt',
]

export const COLUMN_WIDTH: Record<ColumnKey, number> = {
  name: 260,
  status: 110,
  diskFormat: 100,
  osType: 120,
  architecture: 110,
  virtualization: 120,
  size: 100,
  visibility: 100,
  protected: 90,
  owner: 150,
  createdAt: 170,
  updatedAt: 170,
  tags: 180,
  virtualSize: 110,
  minDisk: 100,
  minRam: 100,
  id: 290,
}

/** The Glance sort key for a column, when the server can sort on it. */
export const SORT_KEYS: Partial<Record<ColumnKey, string>> = {
  name: 'name',
  status: 'status',
  diskFormat: 'disk_format',
  size: 'size',
  visibility: 'visibility',
  owner: 'owner',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  virtualSize: 'virtual_size',
  minDisk: 'min_disk',
  minRam: 'min_ram',
  id: 'id',
}

export function isColumnKey(x: unknown): x is ColumnKey {
  return typeof x === 'string' && (COLUMN_KEYS as readonly string[]).includes(x)
}

/** Clean a remembered column choice: known keys only, no duplicates, name always first; the default when empty. */
export function normalizeColumns(saved: unknown): ColumnKey[] {
  if (!Array.isArray(saved)) return [...DEFAULT_COLUMNS]
  const out: ColumnKey[] = []
  for (const k of saved) if (isColumnKey(k) && !out.includes(k)) out.push(k)
  if (out.length === 0) return [...DEFAULT_COLUMNS]
  return ['name', ...out.filter((k) => k !== 'name')]
}

/** The columns to put in an export: the ones shown, in the canonical order, always with id for round-tripping. */
export function exportColumns(visible: readonly ColumnKey[]): ColumnKey[] {
  const set = new Set<ColumnKey>([...visible, 'id'])
  return COLUMN_KEYS.filter((k) => set.has(k))
}

/** The text of a cell. */
export function cellText(im: ImageDTO, key: ColumnKey, t: Translate, locale: string): string {
  switch (key) {
    case 'name':
      return im.name || im.id
    case 'status':
      return statusLabel(im.status, t)
    case 'diskFormat':
      return im.diskFormat ?? '—'
    case 'osType':
      return osLabel(im.fields.osType, t) || '—'
    case 'architecture':
      return im.fields.architecture ? fieldValue('architecture', im.fields.architecture, t) : '—'
    case 'virtualization':
      return im.fields.virtualization ? fieldValue('virtualization', im.fields.virtualization, t) : '—'
    case 'size':
      return formatBytes(im.size, locale)
    case 'virtualSize':
      return formatBytes(im.virtualSize, locale)
    case 'visibility':
      return t(`visibility.${im.visibility}`)
    case 'protected':
      return im.protected ? t('app.yes') : t('app.no')
    case 'owner':
      return im.owner ?? '—'
    case 'createdAt':
      return formatTime(im.createdAt, locale)
    case 'updatedAt':
      return formatTime(im.updatedAt, locale)
    case 'tags':
      return im.tags.join(', ')
    case 'minDisk':
      return `${im.minDisk} GiB`
    case 'minRam':
      return `${Math.round((im.minRam / 1024) * 100) / 100} GiB`
    case 'id':
      return im.id
  }
}
