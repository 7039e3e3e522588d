/**
 * Needs a second, small loopback cloud: image_size_cap 1 MiB and 30 s tokens, found through
 *   OS_SMALLCAP_AUTH_URL (e.g. http://127.0.0.1:15000/v3), OS_SMALLCAP_USERNAME / _PASSWORD / _PROJECT_NAME (default admin/admin-secret/admin)
 * Start it with:
 *   GLANCE_IMAGE_SIZE_CAP=1048576 KEYSTONE_TOKEN_EXPIRATION=30 KEYSTONE_PORT=15000 GLANCE_PORT=19292 GLANCE2_PORT=19293 \
 *   ENABLE_CINDER=0 /work/shared/testbed/start.sh /tmp/core-cloud2
 * Skipped with the reason when absent.
 */
import { describe, expect, it } from 'vitest'
import { GlanceClient } from '../../../main/openstack/glance'
import { buildCreateBody } from '../../../main/openstack/properties'
import { Cleanup, bytes, sessionFor, streamOf, unique } from './helpers'
import type { CloudCreds } from '../../support/cloud'

const e = process.env
const creds: CloudCreds | null = e.OS_SMALLCAP_AUTH_URL
  ? {
      authUrl: e.OS_SMALLCAP_AUTH_URL,
      username: e.OS_SMALLCAP_USERNAME ?? 'admin',
      password: e.OS_SMALLCAP_PASSWORD ?? 'admin-secret',
      projectName: e.OS_SMALLCAP_PROJECT_NAME ?? 'admin',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      region: 'RegionOne',
      interface: 'public',
    }
  : null
const fields = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }
const d = creds ? describe : describe.skip
const title = creds ? 'small cloud: size cap and short tokens' : 'small cloud (skipped: set OS_SMALLCAP_AUTH_URL to a cloud with image_size_cap=1048576 and 30 s tokens)'

d(title, () => {
  it('413 TOO_LARGE over the size cap; the image stays queued', async () => {
    const s = sessionFor(creds!)
    const g = new GlanceClient(s, 'RegionOne')
    const c = new Cleanup()
    try {
      const img = await g.create(buildCreateBody({ name: unique('cap'), fields, diskFormat: 'raw' }))
      c.add(g, img.id)
      const big = bytes(2 * 1024 * 1024)
      const err = await g.uploadData(img.id, streamOf(big), big.length).catch((x: unknown) => x)
      expect(err).toMatchObject({ code: 'TOO_LARGE', status: 413, method: 'PUT' })
      expect((await g.get(img.id)).status).toBe('queued')
    } finally {
      await c.run()
      s.close()
    }
  })

  it('a token that expires during the test is renewed (proactively, and on the 401)', async () => {
    const s = sessionFor(creds!, { renewBeforeSeconds: 0 })
    const g = new GlanceClient(s, 'RegionOne')
    try {
      await g.listPage({ limit: 1 })
      const first = await s.getToken()
      const life = s.expiresAt.getTime() - Date.now()
      expect(life).toBeLessThan(31_000)
      await new Promise((r) => setTimeout(r, life + 1500))
      // the old token is really dead
      const base = await g.baseUrl()
      await expect(s.http.request({ method: 'GET', url: `${base}/v2/images?limit=1`, headers: { 'x-auth-token': first } })).rejects.toMatchObject({ code: 'AUTH_FAILED' })
      // pretend the clock is behind so the session still believes in it: the 401 path renews once
      const realNow = s.now
      s.now = () => realNow() - 3600_000
      await g.listPage({ limit: 1 })
      s.now = realNow
      const second = await s.getToken()
      expect(second).not.toBe(first)
      // proactive renewal: after this one expires too, the next call renews before sending
      await new Promise((r) => setTimeout(r, s.expiresAt.getTime() - Date.now() + 500))
      await g.listPage({ limit: 1 })
      expect(await s.getToken()).not.toBe(second)
    } finally {
      s.close()
    }
  }, 120_000)
})
