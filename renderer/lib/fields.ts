/** Console fields <-> labels (i18n keys) and display values. Pure. */
import { OS_TYPES, type ConsoleFields, type ImageDTO, type OsType } from '@contract/api'
import type { Translate } from './errors'

export const ARCHITECTURES = ['x86', 'arm'] as const
export const VIRTUALIZATIONS = ['qemu', 'baremetal'] as const
export const BOOT_MODES = ['bios', 'uefi'] as const

/** The console field -> its label's i18n key, in the console's order. */
export const FIELD_LABELS: { [K in keyof ConsoleFields]-?: string } = {
  osType: 'field.osType',
  architecture: 'field.architecture',
  virtualization: 'field.virtualization',
  minDiskGiB: 'field.minDisk',
  minRamGiB: 'field.minRam',
  public: 'field.public',
  protected: 'field.protected',
  onlineResize: 'field.onlineResize',
  agent: 'field.agent',
  multiqueue: 'field.multiqueue',
  encryptedPassword: 'field.encryptedPassword',
  bootMode: 'field.bootMode',
  description: 'field.description',
}

export const FIELD_ORDER = Object.keys(FIELD_LABELS) as (keyof ConsoleFields)[]

export function osLabel(os: string | undefined, t: Translate): string {
  if (!os) return ''
  return (OS_TYPES as readonly string[]).includes(os) ? t(`os.${os}`) : os
}

export function isOsType(x: unknown): x is OsType {
  return typeof x === 'string' && (OS_TYPES as readonly string[]).includes(x)
}

/** A console field's value in plain words ("Yes", "QEMU", "20 GiB", "not set"). */
export function fieldValue<K extends keyof ConsoleFields>(key: K, value: ConsoleFields[K], t: Translate): string {
  if (value === undefined || value === null || value === '') return t('field.notSet')
  switch (key) {
    case 'osType':
      return osLabel(value as string, t)
    case 'architecture':
      return t(`arch.${value as string}`)
    case 'virtualization':
      return t(`virt.${value as string}`)
    case 'bootMode':
      return t(`boot.${value as string}`)
    case 'minDiskGiB':
    case 'minRamGiB':
      return `${value as number} GiB`
    case 'description':
      return String(value)
    default:
      return value ? t('app.yes') : t('app.no')
  }
}

/** Labels where a details view shows the value with its unit ("10 GiB"): the form's labels say "(GiB)". */
const VIEW_LABELS: Partial<Record<keyof ConsoleFields, string>> = { minDiskGiB: 'field.minDiskShort', minRamGiB: 'field.minRamShort' }

/** Rows for a details view: every console field (but `omit`) with its label and plain value, the unit said once. */
export function consoleFieldRows(
  fields: ConsoleFields,
  t: Translate,
  opts: { omit?: (keyof ConsoleFields)[] } = {},
): { key: keyof ConsoleFields; label: string; value: string }[] {
  return FIELD_ORDER.filter((k) => !opts.omit?.includes(k) && (k !== 'bootMode' || fields.virtualization === 'baremetal' || fields.bootMode)).map((k) => ({
    key: k,
    label: t(VIEW_LABELS[k] ?? FIELD_LABELS[k]),
    value: fieldValue(k, fields[k], t),
  }))
}

export function statusLabel(status: string, t: Translate): string {
  const key = `status.${status}`
  const s = t(key)
  return s === key ? status : s
}

export type TagType = 'success' | 'info' | 'warning' | 'danger' | 'primary'
export function statusTagType(status: string): TagType {
  switch (status) {
    case 'active':
      return 'success'
    case 'queued':
    case 'saving':
    case 'uploading':
    case 'importing':
      return 'primary'
    case 'deactivated':
    case 'pending_delete':
      return 'warning'
    case 'killed':
    case 'deleted':
      return 'danger'
    default:
      return 'info'
  }
}

/** Tags used across a list, most used first then alphabetical: suggestions for the tag editor. */
export function tagsInUse(images: readonly Pick<ImageDTO, 'tags'>[]): string[] {
  const counts = new Map<string, number>()
  for (const im of images) for (const tag of im.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k)
}

/** The console's defaults for a new image. */
export function defaultFields(): ConsoleFields {
  return {
    osType: undefined,
    architecture: 'x86',
    virtualization: 'qemu',
    minDiskGiB: 0,
    minRamGiB: 0,
    public: false,
    protected: false,
    onlineResize: false,
    agent: false,
    multiqueue: false,
    encryptedPassword: false,
    bootMode: undefined,
    description: '',
  }
}
