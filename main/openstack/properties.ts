/**
 * The property map, in ONE place: the vendor console's fields (ConsoleFields) <-> Glance attributes and properties.
 *
 * | console field      | Glance                                          | encoding                         |
 * |--------------------|-------------------------------------------------|----------------------------------|
 * | osType             | os_distro + os_type                             | windows -> os_type windows, else linux |
 * | architecture       | architecture                                    | arm -> aarch64, x86 -> x86_64    |
 * | virtualization     | keys.virtualization (default hypervisor_type)   | qemu -> qemu, baremetal -> ironic|
 * | minDiskGiB         | min_disk                                        | GB                               |
 * | minRamGiB          | min_ram                                         | MB = GiB x 1024                  |
 * | public             | visibility                                      | public / private                 |
 * | protected          | protected                                       | boolean                          |
 * | onlineResize       | keys.onlineResize (default hw_online_resize)    | 'true' / 'false'                 |
 * | agent              | hw_qemu_guest_agent                             | 'yes' / 'no'                     |
 * | multiqueue         | hw_vif_multiqueue_enabled                       | 'true' / 'false'                 |
 * | encryptedPassword  | keys.encryptedPassword (default hw_passwd_encrypted) | 'true' / 'false'            |
 * | bootMode           | hw_firmware_type                                | 'bios' / 'uefi'                  |
 * | description        | description                                     | string                           |
 * Custom property values are always strings.
 */
import {
  AppError,
  OS_TYPES,
  type Architecture,
  type BootMode,
  type ConsoleFields,
  type ImageDTO,
  type OsType,
  type PropertyKeyMap,
  type Virtualization,
  type Visibility,
} from '../../preload/api'
import { DEFAULT_PROPERTY_KEYS } from '../../preload/api'

export { DEFAULT_PROPERTY_KEYS }

/** Glance's own image attributes (not custom properties). */
export const CORE_ATTRIBUTES = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'os_hidden',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'owner',
  'size',
  'virtual_size',
  'min_ram',
  'min_disk',
  'container_format',
  'disk_format',
  'created_at',
  'updated_at',
  'tags',
  'self',
  'file',
  'schema',
  'direct_url',
  'locations',
  'stores',
])

/** Attributes a client never writes through PATCH. */
export const READ_ONLY_ATTRIBUTES = new Set([
  'id',
  'status',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'size',
  'virtual_size',
  'created_at',
  'updated_at',
  'self',
  'file',
  'schema',
  'direct_url',
  'locations',
  'stores',
  'owner',
  'tags',
])

/** Whether a key is reserved by Glance (clients must not set it). */
export function isReservedKey(key: string): boolean {
  return key.startsWith('os_glance') || READ_ONLY_ATTRIBUTES.has(key)
}

const OS_ALIASES: Record<string, OsType> = {
  redhat: 'rhel',
  'red hat': 'rhel',
  sles: 'suse',
  opensuse: 'suse',
  sled: 'suse',
  arch: 'archlinux',
  ol: 'oraclelinux',
  oracle: 'oraclelinux',
  win: 'windows',
  'fedora-coreos': 'coreos',
  fcos: 'coreos',
}

const ARCH: Record<Architecture, string> = { arm: 'aarch64', x86: 'x86_64' }
const VIRT: Record<Virtualization, string> = { qemu: 'qemu', baremetal: 'ironic' }

function truthy(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (typeof v !== 'string') return undefined
  const s = v.trim().toLowerCase()
  if (['true', 'yes', '1', 'on', 'y'].includes(s)) return true
  if (['false', 'no', '0', 'off', 'n'].includes(s)) return false
  return undefined
}

/** The custom properties (string values) for the console fields that are custom properties. */
export function fieldsToProperties(fields: Partial<ConsoleFields>, keys: PropertyKeyMap = DEFAULT_PROPERTY_KEYS): Record<string, string> {
  const p: Record<string, string> = {}
  if (fields.osType !== undefined) {
    p.os_distro = fields.osType
    p.os_type = fields.osType === 'windows' ? 'windows' : 'linux'
  }
  if (fields.architecture !== undefined) p.architecture = ARCH[fields.architecture]
  if (fields.virtualization !== undefined) p[keys.virtualization] = VIRT[fields.virtualization]
  if (fields.onlineResize !== undefined) p[keys.onlineResize] = String(fields.onlineResize)
  if (fields.agent !== undefined) p.hw_qemu_guest_agent = fields.agent ? 'yes' : 'no'
  if (fields.multiqueue !== undefined) p.hw_vif_multiqueue_enabled = String(fields.multiqueue)
  if (fields.encryptedPassword !== undefined) p[keys.encryptedPassword] = String(fields.encryptedPassword)
  if (fields.bootMode !== undefined) p.hw_firmware_type = fields.bootMode
  if (fields.description !== undefined) p.description = fields.description
  return p
}

/** The core attributes behind the console fields (min_disk, min_ram in MB, visibility, protected). */
export function fieldsToCore(fields: Partial<ConsoleFields>): Record<string, unknown> {
  const c: Record<string, unknown> = {}
  if (fields.minDiskGiB !== undefined) c.min_disk = Math.max(0, Math.ceil(fields.minDiskGiB))
  if (fields.minRamGiB !== undefined) c.min_ram = Math.max(0, Math.round(fields.minRamGiB * 1024))
  if (fields.public !== undefined) c.visibility = fields.public ? 'public' : 'private'
  if (fields.protected !== undefined) c.protected = fields.protected
  return c
}

/** Every attribute (core and custom) that a (partial) set of console fields stands for. */
export function fieldsToAttributes(fields: Partial<ConsoleFields>, keys: PropertyKeyMap = DEFAULT_PROPERTY_KEYS): Record<string, unknown> {
  return { ...fieldsToCore(fields), ...fieldsToProperties(fields, keys) }
}

/** Decodes the console fields from a raw image; `consumed` lists the property keys the fields stand for. */
export function propertiesToFields(
  raw: Record<string, unknown>,
  keys: PropertyKeyMap = DEFAULT_PROPERTY_KEYS,
): { fields: ConsoleFields; consumed: Set<string> } {
  const consumed = new Set<string>()
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined)
  const fields: ConsoleFields = {
    minDiskGiB: typeof raw.min_disk === 'number' ? raw.min_disk : 0,
    minRamGiB: typeof raw.min_ram === 'number' ? raw.min_ram / 1024 : 0,
    public: raw.visibility === 'public',
    protected: raw.protected === true,
  }
  const distro = str('os_distro')?.trim().toLowerCase()
  const osTypeProp = str('os_type')?.trim().toLowerCase()
  if (distro !== undefined) {
    const os = (OS_TYPES as readonly string[]).includes(distro) ? (distro as OsType) : OS_ALIASES[distro]
    if (os) {
      fields.osType = os
      consumed.add('os_distro')
      // os_type is derived from os_distro; consume it when it agrees.
      if (osTypeProp === (os === 'windows' ? 'windows' : 'linux')) consumed.add('os_type')
    }
  } else if (osTypeProp === 'windows') {
    fields.osType = 'windows'
    consumed.add('os_type')
  }
  const arch = str('architecture')?.toLowerCase()
  if (arch) {
    if (['aarch64', 'arm64', 'armv7l', 'armv8', 'arm'].includes(arch)) fields.architecture = 'arm'
    else if (['x86_64', 'amd64', 'x86', 'i686', 'i386', 'x64'].includes(arch)) fields.architecture = 'x86'
    if (fields.architecture) consumed.add('architecture')
  }
  const virt = str(keys.virtualization)?.toLowerCase()
  if (virt) {
    if (['qemu', 'kvm'].includes(virt)) fields.virtualization = 'qemu'
    else if (['ironic', 'baremetal', 'bare_metal'].includes(virt)) fields.virtualization = 'baremetal'
    if (fields.virtualization) consumed.add(keys.virtualization)
  }
  const bool = (k: string, set: (v: boolean) => void) => {
    const v = truthy(raw[k])
    if (v !== undefined) {
      set(v)
      consumed.add(k)
    }
  }
  bool(keys.onlineResize, (v) => (fields.onlineResize = v))
  bool('hw_qemu_guest_agent', (v) => (fields.agent = v))
  bool('hw_vif_multiqueue_enabled', (v) => (fields.multiqueue = v))
  bool(keys.encryptedPassword, (v) => (fields.encryptedPassword = v))
  const fw = str('hw_firmware_type')?.toLowerCase()
  if (fw === 'bios' || fw === 'uefi') {
    fields.bootMode = fw as BootMode
    consumed.add('hw_firmware_type')
  }
  const desc = str('description')
  if (desc !== undefined) {
    fields.description = desc
    consumed.add('description')
  }
  return { fields, consumed }
}

/** The custom properties of a raw image (every non-core, string-ified). */
export function customProperties(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(raw)) {
    if (CORE_ATTRIBUTES.has(k) || v === undefined || v === null) continue
    out[k] = typeof v === 'string' ? v : JSON.stringify(v)
  }
  return out
}

const VISIBILITIES = new Set(['public', 'private', 'shared', 'community'])

/** A raw Glance image -> ImageDTO, with the console fields decoded through the profile's key map. */
export function toImageDTO(raw: Record<string, unknown>, keys: PropertyKeyMap = DEFAULT_PROPERTY_KEYS): ImageDTO {
  const s = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : null)
  const n = (k: string) => (typeof raw[k] === 'number' ? (raw[k] as number) : null)
  const { fields, consumed } = propertiesToFields(raw, keys)
  const properties: Record<string, string> = {}
  for (const [k, v] of Object.entries(customProperties(raw))) if (!consumed.has(k)) properties[k] = v
  const vis = s('visibility') ?? 'private'
  return {
    id: s('id') ?? '',
    name: s('name') ?? '',
    status: s('status') ?? 'unknown',
    diskFormat: s('disk_format'),
    containerFormat: s('container_format'),
    size: n('size'),
    virtualSize: n('virtual_size'),
    visibility: (VISIBILITIES.has(vis) ? vis : 'private') as Visibility,
    protected: raw.protected === true,
    owner: s('owner'),
    createdAt: s('created_at') ?? '',
    updatedAt: s('updated_at') ?? '',
    tags: Array.isArray(raw.tags) ? (raw.tags as unknown[]).map(String) : [],
    checksum: s('checksum'),
    hashAlgo: s('os_hash_algo'),
    hashValue: s('os_hash_value'),
    minDisk: n('min_disk') ?? 0,
    minRam: n('min_ram') ?? 0,
    hidden: raw.os_hidden === true,
    fields,
    properties,
    raw,
  }
}

export interface CreateBodyInput {
  name: string
  fields: ConsoleFields
  diskFormat: string
  containerFormat?: string
  tags?: string[]
  properties?: Record<string, string>
  /** A client-chosen id (makes a retried create idempotent). */
  id?: string
}

/** Refuses custom property keys a client must not set. */
export function checkPropertyKeys(props: Record<string, unknown>): void {
  for (const k of Object.keys(props)) {
    if (!k || k.length > 255) throw new AppError({ code: 'VALIDATION', message: `Invalid property key "${k.slice(0, 40)}".` })
    if (isReservedKey(k) || CORE_ATTRIBUTES.has(k)) {
      throw new AppError({ code: 'VALIDATION', message: `"${k}" is reserved by Glance and cannot be set as a property.` })
    }
  }
}

/** The POST /v2/images body for a new image: core attributes, console fields and custom properties (as strings). */
export function buildCreateBody(input: CreateBodyInput, keys: PropertyKeyMap = DEFAULT_PROPERTY_KEYS): Record<string, unknown> {
  const extra = input.properties ?? {}
  checkPropertyKeys(extra)
  const body: Record<string, unknown> = {}
  if (input.id) body.id = input.id
  body.name = input.name
  body.disk_format = input.diskFormat
  body.container_format =
    input.containerFormat ?? (input.diskFormat === 'ami' ? 'ami' : input.diskFormat === 'aki' ? 'aki' : input.diskFormat === 'ari' ? 'ari' : 'bare')
  for (const [k, v] of Object.entries(extra)) body[k] = String(v)
  Object.assign(body, fieldsToCore(input.fields), fieldsToProperties(input.fields, keys))
  if (input.tags && input.tags.length) body.tags = [...new Set(input.tags)]
  return body
}
