/** `app:openExternal` (and window.open) reach only the documentation hosts, whatever a renderer asks for. */
import { describe, expect, it } from 'vitest'
import { appHandlers } from '../../../main/ipc/handlers/app'
import { isAllowedExternalUrl } from '../../../main/external'
import { FileRegistry } from '../../../main/files/registry'
import { createNullLogger } from '../../../main/log'
import { makePlatform, tempDir } from '../profiles/helpers'

describe('app:openExternal allowlist', () => {
  const platform = makePlatform(tempDir())
  const opened: string[] = []
  platform.shell.openExternal = async (u) => void opened.push(u)
  // app:openExternal uses only the platform; the other deps are there for the other app:* commands.
  const h = appHandlers({
    platform,
    files: new FileRegistry(),
    profiles: { state: () => ({ profiles: [], encryptionAvailable: false }) },
    transfers: { recovered: undefined, list: () => [] },
    log: createNullLogger(),
  })

  it('opens documentation links', async () => {
    await h['app:openExternal']!('https://docs.openstack.org/glance/latest/')
    await h['app:openExternal']!('https://github.com/glance-desktop/glance-desktop#readme')
    expect(opened).toEqual(['https://docs.openstack.org/glance/latest/', 'https://github.com/glance-desktop/glance-desktop#readme'])
  })

  it.each([
    'https://example.com/',
    'http://docs.openstack.org/',
    'https://docs.openstack.org:8443/',
    'https://docs.openstack.org.evil.example/',
    'https://evil.github.com.example/',
    'http://127.0.0.1:9292/v2/images',
    'https://user:pw@github.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
  ])('refuses %s with VALIDATION, opens nothing', async (url) => {
    const before = opened.length
    await expect(h['app:openExternal']!(url)).rejects.toMatchObject({ code: 'VALIDATION', details: { reason: 'externalNotAllowed' } })
    expect(opened.length).toBe(before)
    expect(isAllowedExternalUrl(url)).toBe(false)
  })
})
