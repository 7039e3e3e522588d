/**
 * The `faults` loopback cloud (test/cloud/profiles/faults.env: image_size_cap 1 MiB, tokens live 30 s), found with
 * faultCloud() / describeFaultCloud() (test/support/cloud.ts). Start it with `test/cloud/up.sh --profile faults`;
 * without it the suite is skipped with the reason (a failure under REQUIRE_CLOUD=1).
 */
import { expect, it } from 'vitest'
import { GlanceClient } from '../../../main/openstack/glance'
import { buildCreateBody } from '../../../main/openstack/properties'
import { Cleanup, bytes, sessionFor, streamOf, unique } from './helpers'
import { cloudSettings, describeFaultCloud, profileStateDir } from '../../support/cloud'

const fields = { minDiskGiB: 0, minRamGiB: 0, public: false, protected: false }

describeFaultCloud('small cloud: size cap and short tokens', (creds) => {
  const settings = cloudSettings(profileStateDir('faults'))
  const cap = Number(settings.GLANCE_IMAGE_SIZE_CAP ?? 1024 * 1024)
  const tokenSeconds = Number(settings.KEYSTONE_TOKEN_EXPIRATION ?? 30)

  it('413 TOO_LARGE over the size cap; the image stays queued', async () => {
    const s = sessionFor(creds)
    const g = new GlanceClient(s, creds.region)
    const c = new Cleanup()
    try {
      const img = await g.create(buildCreateBody({ name: unique('cap'), fields, diskFormat: 'raw' }))
      c.add(g, img.id)
      const big = bytes(2 * cap)
      const err = await g.uploadData(img.id, streamOf(big), big.length).catch((x: unknown) => x)
      expect(err).toMatchObject({ code: 'TOO_LARGE', status: 413, method: 'PUT' })
      expect((await g.get(img.id)).status).toBe('queued')
    } finally {
      await c.run()
      s.close()
    }
  })

  it('a token that expires during the test is renewed (proactively, and on the 401)', async () => {
    const s = sessionFor(creds, { renewBeforeSeconds: 0 })
    const g = new GlanceClient(s, creds.region)
    try {
      await g.listPage({ limit: 1 })
      const first = await s.getToken()
      const life = s.expiresAt.getTime() - Date.now()
      expect(life).toBeLessThan(tokenSeconds * 1000 + 1000)
      await new Promise((r) => setTimeout(r, life + 1500))
      // the old token is really dead
      const base = await g.baseUrl()
      await expect(s.http.request({ method: 'GET', url: `${base}/v2/images?limit=1`, headers: { 'x-auth-token': first } })).rejects.toMatchObject({
        code: 'AUTH_FAILED',
      })
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
