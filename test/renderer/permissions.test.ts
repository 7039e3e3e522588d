import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { PERMISSION_CODES, type Capabilities } from '@contract/api'
import { can, canOnImage, canOnOne, canOnSelection, skippedOnSelection, volumeEligible, type CapsState } from '@/lib/permissions'
import { issueText } from '@/lib/imageForm'
import { messages } from '@/i18n'
import { image } from './support/mockApi'

const allow = { allowed: true }
function caps(over: Partial<Capabilities> = {}, denied: Partial<Record<keyof Capabilities['can'], string>> = {}): CapsState {
  const can = {
    create: allow,
    modify: allow,
    delete: allow,
    download: allow,
    createVolume: allow,
    editTags: allow,
    publicize: allow,
    deactivate: allow,
    share: allow,
    import: allow,
  } as Capabilities['can']
  for (const [k, reason] of Object.entries(denied)) can[k as keyof typeof can] = { allowed: false, reason }
  return { state: 'ready', caps: { roles: ['admin'], isAdmin: true, projectId: 'proj-a', can, importMethods: [], stores: [], volumeService: true, ...over } }
}
const i18n = createI18n({ legacy: false, locale: 'en', messages })
const t = (k: string, p?: Record<string, unknown>) => (p ? i18n.global.t(k, p) : i18n.global.t(k))
const why = (v: { reason?: Parameters<typeof issueText>[0] }) => (v.reason ? issueText(v.reason, t) : '')

describe('permissions and their tooltips', () => {
  it('never guesses: loading or failed capabilities disable with a reason', () => {
    expect(can('create', undefined)).toMatchObject({ allowed: false })
    expect(why(can('create', { state: 'loading' }))).toBe('Checking your permissions…')
    expect(why(can('create', { state: 'failed' }))).toMatch(/could not be loaded/)
  })

  it('shows the capability’s own reason text', () => {
    const v = can('publicize', caps({ isAdmin: false }, { publicize: 'Only an administrator can make an image public.' }))
    expect(v.allowed).toBe(false)
    expect(why(v)).toBe('Only an administrator can make an image public.')
  })

  it('the main process’s reason code is shown in the user’s language, for every code it can send', () => {
    const zh = createI18n({ legacy: false, locale: 'zh-CN', messages })
    for (const code of PERMISSION_CODES) {
      const st = caps({ isAdmin: false })
      if (st.state === 'ready') st.caps.can.modify = { allowed: false, reason: 'English text', code }
      const v = can('modify', st)
      const en = why(v)
      const cn = v.reason ? issueText(v.reason, (k) => zh.global.t(k)) : ''
      expect(en, code).not.toBe(`perm.cap.${code}`)
      expect(cn, code).not.toBe(`perm.cap.${code}`)
      expect(cn, code).toMatch(/[\u4e00-\u9fff]/)
      expect(en, code).not.toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it('a known i18n key as reason is translated', () => {
    expect(why(can('create', caps({}, { create: 'perm.adminOnly' })))).toBe('Only cloud administrators can do this.')
    const zh = createI18n({ legacy: false, locale: 'zh-CN', messages })
    expect(issueText({ key: 'perm.adminOnly' }, (k) => zh.global.t(k))).toBe('仅云管理员可执行此操作。')
  })

  it('protected images cannot be deleted, with the reason', () => {
    const v = canOnImage('delete', image({ protected: true }), caps())
    expect(v.allowed).toBe(false)
    expect(why(v)).toMatch(/protected/)
    expect(canOnImage('delete', image(), caps()).allowed).toBe(true)
  })

  it('a member cannot change another project’s image', () => {
    const member = caps({ isAdmin: false, roles: ['member'], projectId: 'proj-b' })
    const other = image({ owner: 'proj-a', visibility: 'public' })
    expect(why(canOnImage('modify', other, member))).toMatch(/another project/)
    expect(canOnImage('download', other, member).allowed).toBe(true)
    expect(canOnImage('modify', image({ owner: 'proj-b' }), member).allowed).toBe(true)
  })

  it('create volume only for active QEMU qcow2/raw images with a volume service', () => {
    expect(canOnImage('createVolume', image({ diskFormat: 'qcow2' }), caps()).allowed).toBe(true)
    expect(why(canOnImage('createVolume', image({ diskFormat: 'iso' }), caps()))).toMatch(/QEMU images in qcow2 or raw/)
    const bm = image({ diskFormat: 'raw', fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false, virtualization: 'baremetal' } })
    expect(canOnImage('createVolume', bm, caps()).allowed).toBe(false)
    expect(why(canOnImage('createVolume', image(), caps({ volumeService: false })))).toMatch(/no block storage/)
    expect(volumeEligible({ diskFormat: 'raw', fields: { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false } })).toBe(true)
  })

  it('download and deactivate need an active image; reactivate a deactivated one', () => {
    expect(why(canOnImage('download', image({ status: 'queued' }), caps()))).toBe('Only active images can do this (the image is Queued).')
    expect(canOnImage('reactivate', image({ status: 'deactivated' }), caps()).allowed).toBe(true)
    expect(canOnImage('reactivate', image(), caps()).allowed).toBe(false)
  })

  it('sharing needs visibility shared', () => {
    expect(canOnImage('share', image({ visibility: 'shared' }), caps()).allowed).toBe(true)
    expect(why(canOnImage('share', image({ visibility: 'public' }), caps()))).toMatch(/Public/)
  })

  it('batch: allowed when some are; lists them; single actions need exactly one', () => {
    const a = image({ protected: true })
    const b = image()
    const v = canOnSelection('delete', [a, b], caps())
    expect(v.allowed).toBe(true)
    expect(v.allowedIds).toEqual([b.id])
    expect(canOnSelection('delete', [a], caps()).allowed).toBe(false)
    expect(why(canOnSelection('delete', [], caps()))).toBe('Select one or more images.')
    expect(why(canOnOne('modify', [a, b], caps()))).toBe('Select exactly one image.')
  })

  it('a batch names what it skips, grouped by reason', () => {
    const member = caps({ isAdmin: false, roles: ['member'], projectId: 'proj-a' })
    const prot = image({ protected: true })
    const foreign = image({ owner: 'proj-z' })
    const fine = image()
    const groups = skippedOnSelection('delete', [prot, foreign, fine], member)
    expect(groups.map((g) => [why(g), g.images.map((i) => i.id)])).toEqual([
      [why({ reason: { key: 'perm.cap.protectedImage' } }), [prot.id]],
      [why({ reason: { key: 'perm.cap.notOwner' } }), [foreign.id]],
    ])
    expect(why(groups[0]!)).toMatch(/protected/)
  })
})
