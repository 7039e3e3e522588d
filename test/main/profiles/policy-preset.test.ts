/** Issue 14.6: the policy preset is a profile field: validated, saved, and read back after a restart. */
import { describe, expect, it } from 'vitest'
import { ProfileService } from '../../../main/profiles/service'
import { zProfileInput } from '../../../main/profiles/model'
import { harness, sampleProfile } from './helpers'

describe('profile policy preset', () => {
  it('is saved and survives a restart; an unknown preset is refused; absent means Glance default', async () => {
    const h = harness({})
    const svc = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    const a = svc.create({ ...sampleProfile({ name: 'Vendor' }), policyPreset: 'vendorConsole' })
    const b = svc.create(sampleProfile({ name: 'Plain' }))
    expect(a.policyPreset).toBe('vendorConsole')
    expect(b.policyPreset ?? 'glanceDefault').toBe('glanceDefault')
    const again = await ProfileService.open({ platform: h.platform, events: h.events, log: h.log })
    expect(again.list().find((p) => p.id === a.id)?.policyPreset).toBe('vendorConsole')
    expect(zProfileInput.safeParse({ ...sampleProfile({ name: 'X' }), policyPreset: 'whatever' }).success).toBe(false)
  })
})
