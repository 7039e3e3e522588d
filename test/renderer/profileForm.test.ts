import { describe, expect, it } from 'vitest'
import { appCredentialAuth, passwordAuth, type ProfileDTO } from '@contract/api'
import {
  emptyProfile,
  formFromProfile,
  groupProfiles,
  moveId,
  normalizeProfile,
  profileFromForm,
  profileInputFrom,
  uniqueName,
  validateProfile,
  type ProfileForm,
} from '@/lib/profileForm'

/** Profiles are built as the dialog builds them: a flat form state, through the form's edge (profileFromForm). */
const valid = (): ProfileForm => ({ ...formFromProfile(emptyProfile()), name: 'prod', authUrl: 'https://k:5000/v3', username: 'admin', projectName: 'admin' })
const errs = (f: ProfileForm, others: string[] = []) =>
  Object.fromEntries(Object.entries(validateProfile(profileFromForm(f), others).errors).map(([k, v]) => [k, v.map((i) => i.key)]))

describe('profile validation', () => {
  it('a complete password profile is valid', () => expect(errs(valid())).toEqual({}))
  it('name required and unique (case-insensitive)', () => {
    expect(errs({ ...valid(), name: ' ' }).name).toEqual(['valid.required'])
    expect(errs(valid(), ['PROD']).name).toEqual(['valid.notUnique'])
  })
  it('auth URL must be http(s)', () => {
    expect(errs({ ...valid(), authUrl: '' }).authUrl).toEqual(['valid.required'])
    expect(errs({ ...valid(), authUrl: 'keystone:5000' }).authUrl).toEqual(['valid.badUrl'])
  })
  it('password auth needs a user and a project', () => {
    const e = errs({ ...valid(), username: '', projectName: '' })
    expect(e.username).toEqual(['valid.needUser'])
    expect(e.projectName).toEqual(['valid.needProject'])
    expect(errs({ ...valid(), username: '', userId: 'u1', projectName: '', projectId: 'p1' })).toEqual({})
  })
  it('application credential needs its id, or its name with a user', () => {
    const ac = { ...valid(), authType: 'applicationCredential' as const, username: '', projectName: '' }
    expect(errs(ac).appCredentialId).toEqual(['valid.needAppCred'])
    expect(errs({ ...ac, appCredentialId: 'abc' })).toEqual({})
    expect(errs({ ...ac, appCredentialName: 'n', username: 'u' })).toEqual({})
  })
  it('default region must be in the regions; overrides must be URLs; property keys sane', () => {
    expect(errs({ ...valid(), regions: ['RegionOne'], defaultRegion: 'RegionTwo' }).defaultRegion).toEqual(['valid.defaultRegion'])
    expect(errs({ ...valid(), endpointOverrides: { image: 'nope' } }).endpointOverrides).toEqual(['valid.badOverride'])
    expect(errs({ ...valid(), propertyKeys: { ...valid().propertyKeys, onlineResize: 'os_glance_x' } }).propertyKeys).toEqual(['valid.badKey'])
    expect(errs({ ...valid(), color: 'red' }).color).toEqual(['valid.badColor'])
  })
})

describe('the form edge: flat state <-> the auth union', () => {
  it('a profile goes through the form unchanged (either kind, domain ids kept)', () => {
    const pw = { ...emptyProfile(), auth: passwordAuth({ username: 'u', userDomainId: 'du', projectId: 'p1', projectDomainId: 'dp' }) }
    const ac = { ...emptyProfile(), auth: appCredentialAuth({ appCredentialName: 'n', userId: 'u1', userDomainId: 'du' }) }
    for (const p of [pw, ac]) expect(profileFromForm(formFromProfile(p))).toEqual(p)
  })
  it('sends only the chosen kind: switching keeps what was typed, the other kind is not sent', () => {
    const f = { ...valid(), appCredentialId: 'ac-1' }
    expect(profileFromForm(f).auth).toEqual(passwordAuth({ username: 'admin', projectName: 'admin' }))
    const ac = profileFromForm({ ...f, authType: 'applicationCredential' })
    expect(ac.auth).toEqual(appCredentialAuth({ appCredentialId: 'ac-1', username: 'admin' }))
    expect(ac.auth).not.toHaveProperty('projectName')
    expect(formFromProfile(ac)).toMatchObject({ authType: 'applicationCredential', appCredentialId: 'ac-1', username: 'admin', projectName: '' })
  })
})

describe('profile helpers', () => {
  it('normalize trims, dedupes regions, picks a default region', () => {
    const n = normalizeProfile(
      profileFromForm({ ...valid(), name: ' p ', regions: [' R1', 'R1', 'R2', ''], endpointOverrides: { ' image ': ' http://x ', '': '' } }),
    )
    expect(n.name).toBe('p')
    expect(n.regions).toEqual(['R1', 'R2'])
    expect(n.defaultRegion).toBe('R1')
    expect(n.endpointOverrides).toEqual({ image: 'http://x' })
  })
  it('profileInputFrom drops DTO-only fields and keeps optional ones', () => {
    const dto: ProfileDTO = { ...profileFromForm({ ...valid(), userDomainId: 'd1' }), id: 'x', source: 'saved', secretState: 'stored', order: 1 }
    const i = profileInputFrom(dto)
    expect(i).not.toHaveProperty('id')
    expect(i).not.toHaveProperty('secretState')
    expect(i.auth.userDomainId).toBe('d1')
  })
  it('groups (ungrouped last) and order', () => {
    const p = (name: string, group: string, order: number): ProfileDTO => ({
      ...profileFromForm(valid()),
      name,
      group,
      order,
      id: name,
      source: 'saved',
      secretState: 'none',
    })
    const g = groupProfiles([p('c', '', 0), p('b', 'prod', 2), p('a', 'prod', 1), p('d', 'dev', 3)])
    expect(g.map((x) => x.group)).toEqual(['dev', 'prod', ''])
    expect(g[1]!.profiles.map((x) => x.name)).toEqual(['a', 'b'])
  })
  it('moveId and uniqueName', () => {
    expect(moveId(['a', 'b', 'c'], 'b', -1)).toEqual(['b', 'a', 'c'])
    expect(moveId(['a', 'b'], 'a', -1)).toEqual(['a', 'b'])
    expect(uniqueName('x', ['x', 'X (2)'])).toBe('x (3)')
    expect(uniqueName('y', ['x'])).toBe('y')
  })
})
