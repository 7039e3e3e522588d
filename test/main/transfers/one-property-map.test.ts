/**
 * Issue 11.2: ONE property mapping. The console fields' Glance keys are written in main/openstack/properties.ts only;
 * the transfer engine builds its bodies through it (transfers/cloud.ts buildBody -> buildCreateBody with the profile's
 * key map), so a profile's key (e.g. Skyline's usage_type) reaches uploads and imports alike.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cloudFromClient } from '../../../main/transfers/cloud'
import { DEFAULT_PROPERTY_KEYS } from '../../../main/openstack/properties'

const root = join(import.meta.dirname, '../../..')
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|vue)$/.test(n) ? [p] : []
  })
}

describe('one property mapping', () => {
  it('no module but properties.ts writes the console fields’ Glance keys', () => {
    const keys = ['hw_qemu_guest_agent', 'hw_vif_multiqueue_enabled', 'hw_firmware_type', "'x86_64'", "'ironic'"]
    const offenders: string[] = []
    for (const dir of ['main', 'cli', 'preload', 'web']) {
      for (const f of sources(join(root, dir))) {
        const rel = relative(root, f)
        if (rel === join('main', 'openstack', 'properties.ts')) continue
        const text = readFileSync(f, 'utf8')
        for (const k of keys) if (text.includes(k)) offenders.push(`${rel}: ${k}`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('a transfer body carries the profile’s own keys', () => {
    const keys = { ...DEFAULT_PROPERTY_KEYS, virtualization: 'usage_type' }
    const cloud = cloudFromClient({ keys, glance: {}, session: {} } as never, 'p1')
    const body = cloud.buildBody({
      name: 'x',
      diskFormat: 'qcow2',
      fields: { minDiskGiB: 1, minRamGiB: 0.5, public: false, protected: false, virtualization: 'baremetal', agent: true },
    })
    expect(body).toMatchObject({ name: 'x', disk_format: 'qcow2', usage_type: 'ironic', hw_qemu_guest_agent: 'yes', min_ram: 512 })
    expect(body).not.toHaveProperty('hypervisor_type')
  })
})
