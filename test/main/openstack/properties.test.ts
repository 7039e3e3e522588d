import { describe, expect, it } from 'vitest'
import type { ConsoleFields } from '../../../preload/api'
import { DEFAULT_PROPERTY_KEYS, buildCreateBody, fieldsToCore, fieldsToProperties, toImageDTO } from '../../../main/openstack/properties'

const all: ConsoleFields = {
  osType: 'windows',
  architecture: 'arm',
  virtualization: 'baremetal',
  minDiskGiB: 20,
  minRamGiB: 2,
  public: true,
  protected: true,
  onlineResize: true,
  agent: false,
  multiqueue: true,
  encryptedPassword: false,
  bootMode: 'uefi',
  description: '说明 text',
}

describe('console fields -> Glance', () => {
  it('maps every field with the default keys, values as strings', () => {
    expect(fieldsToProperties(all)).toEqual({
      os_distro: 'windows',
      os_type: 'windows',
      architecture: 'aarch64',
      hypervisor_type: 'ironic',
      hw_online_resize: 'true',
      hw_qemu_guest_agent: 'no',
      hw_vif_multiqueue_enabled: 'true',
      hw_passwd_encrypted: 'false',
      hw_firmware_type: 'uefi',
      description: '说明 text',
    })
    expect(fieldsToCore(all)).toEqual({ min_disk: 20, min_ram: 2048, visibility: 'public', protected: true })
  })
  it('linux distros get os_type linux; x86 -> x86_64; qemu -> qemu; agent yes', () => {
    expect(fieldsToProperties({ osType: 'ubuntu', architecture: 'x86', virtualization: 'qemu', agent: true })).toEqual({
      os_distro: 'ubuntu',
      os_type: 'linux',
      architecture: 'x86_64',
      hypervisor_type: 'qemu',
      hw_qemu_guest_agent: 'yes',
    })
  })
  it('honours a per-profile key map', () => {
    const keys = { virtualization: 'usage_type', onlineResize: 'vendor_resize', encryptedPassword: 'vendor_pw' }
    expect(fieldsToProperties({ virtualization: 'qemu', onlineResize: false, encryptedPassword: true }, keys)).toEqual({
      usage_type: 'qemu',
      vendor_resize: 'false',
      vendor_pw: 'true',
    })
  })
  it('builds a create body with client id, container format default, tags and extra properties', () => {
    const body = buildCreateBody({
      id: '7b0f7d3e-0000-4000-8000-000000000001',
      name: 'img',
      fields: { ...all, public: false },
      diskFormat: 'qcow2',
      tags: ['a', 'a', 'b'],
      properties: { custom: 'x' },
    })
    expect(body).toMatchObject({
      id: '7b0f7d3e-0000-4000-8000-000000000001',
      name: 'img',
      disk_format: 'qcow2',
      container_format: 'bare',
      visibility: 'private',
      min_ram: 2048,
      custom: 'x',
      tags: ['a', 'b'],
      os_type: 'windows',
    })
  })
  it('refuses reserved property keys', () => {
    const base = { name: 'x', fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }, diskFormat: 'raw' }
    expect(() => buildCreateBody({ ...base, properties: { os_glance_x: '1' } })).toThrow(/reserved/)
    expect(() => buildCreateBody({ ...base, properties: { os_hash_value: '1' } })).toThrow(/reserved/)
    expect(() => buildCreateBody({ ...base, properties: { status: 'active' } })).toThrow(/reserved/)
  })
})

describe('Glance -> console fields (toImageDTO)', () => {
  it('round-trips every field', () => {
    const raw = { id: 'i', name: 'n', status: 'active', ...fieldsToCore(all), ...fieldsToProperties(all), extra: 'kept', tags: ['t'] }
    const dto = toImageDTO(raw, DEFAULT_PROPERTY_KEYS)
    expect(dto.fields).toEqual(all)
    expect(dto.properties).toEqual({ extra: 'kept' })
    expect(dto.tags).toEqual(['t'])
    expect(dto.visibility).toBe('public')
    expect(dto.minRam).toBe(2048)
  })
  it('decodes aliases, keeps undecodable values as properties', () => {
    const dto = toImageDTO({
      id: 'i',
      status: 'queued',
      os_distro: 'opensuse',
      os_type: 'linux',
      architecture: 'amd64',
      hypervisor_type: 'kvm',
      hw_firmware_type: 'weird',
    })
    expect(dto.fields.osType).toBe('suse')
    expect(dto.fields.architecture).toBe('x86')
    expect(dto.fields.virtualization).toBe('qemu')
    expect(dto.fields.bootMode).toBeUndefined()
    expect(dto.properties).toEqual({ hw_firmware_type: 'weird' })
    const unknown = toImageDTO({ id: 'i', status: 'active', os_distro: 'plan9' })
    expect(unknown.fields.osType).toBeUndefined()
    expect(unknown.properties.os_distro).toBe('plan9')
  })
  it('os_type windows alone means Windows; defaults for an empty image', () => {
    expect(toImageDTO({ id: 'i', status: 'active', os_type: 'windows' }).fields.osType).toBe('windows')
    const d = toImageDTO({ id: 'i', status: 'queued', visibility: 'shared', size: null })
    expect(d.fields).toEqual({ minDiskGiB: 0, minRamGiB: 0, public: false, protected: false })
    expect(d.visibility).toBe('shared')
    expect(d.size).toBeNull()
  })
})
