/** Regions from the catalog (main/fleet/service.ts offeredRegions, main/openstack/session.ts serviceRegions): the tables in their headers. */
import { describe, expect, it } from 'vitest'
import { offeredRegions } from '../../../main/fleet/service'
import { serviceRegions } from '../../../main/openstack/session'
import type { CatalogEntry } from '../../../main/openstack/types'

const ep = (region: string, iface = 'public') => ({ region, region_id: region, interface: iface, url: `http://${region}/` })
const catalog: CatalogEntry[] = [
  { type: 'identity', endpoints: [ep('RegionOne'), ep('RegionThree')] },
  { type: 'image', endpoints: [ep('RegionTwo'), ep('RegionOne'), ep('RegionOne', 'internal'), ep('RegionFour', 'internal')] },
  { type: 'volumev3', endpoints: [ep('RegionFive')] },
]

describe('serviceRegions', () => {
  it('the regions with an image endpoint of the interface, sorted (not identity or volume regions)', () => {
    expect(serviceRegions(catalog, 'image', 'public')).toEqual(['RegionOne', 'RegionTwo'])
    expect(serviceRegions(catalog, 'image', 'internal')).toEqual(['RegionFour', 'RegionOne'])
  })
  it('an endpoint override REGION/image adds its region; a plain override does not', () => {
    expect(serviceRegions(catalog, 'image', 'public', { 'RegionX/image': 'http://x', image: 'http://y' })).toEqual(['RegionOne', 'RegionTwo', 'RegionX'])
  })
})

describe('offeredRegions', () => {
  const cat = ['RegionOne', 'RegionTwo']
  it('no list of its own (a new or env profile): every catalog region', () => {
    expect(offeredRegions({ regions: [], defaultRegion: '' }, cat)).toEqual(cat)
  })
  it('OS_REGION_NAME / region_name alone names the default, not a narrowing', () => {
    expect(offeredRegions({ regions: ['RegionOne'], defaultRegion: 'RegionOne' }, cat)).toEqual(cat)
  })
  it('the profile narrows the list, in its own order', () => {
    expect(offeredRegions({ regions: ['RegionTwo'], defaultRegion: 'RegionOne' }, cat)).toEqual(['RegionTwo'])
    expect(offeredRegions({ regions: ['RegionTwo', 'RegionOne', 'Gone'], defaultRegion: 'RegionOne' }, cat)).toEqual(['RegionTwo', 'RegionOne'])
  })
  it('a typed list that matches nothing stays (so that its error shows); no catalog: the profile list or default', () => {
    expect(offeredRegions({ regions: ['R3'], defaultRegion: '' }, cat)).toEqual(['R3'])
    expect(offeredRegions({ regions: ['RegionOne'], defaultRegion: 'RegionOne' }, [])).toEqual(['RegionOne'])
    expect(offeredRegions({ regions: [], defaultRegion: 'R9' }, [])).toEqual(['R9'])
  })
})
