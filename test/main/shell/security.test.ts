import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { App, Session, WebContents } from 'electron'
import { fake, FakeSession, FakeWebContents, resetFake } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron())

const { hardenWebContents, hardenApp, denyAllPermissions } = await import('../../../main/electron/security')
const { openExternalChecked } = await import('../../../main/electron/open-external')
const { appUrlMatcher } = await import('../../../main/electron/origin')

function preventable(url: string): { url: string; prevented: boolean; preventDefault(): void } {
  return {
    url,
    prevented: false,
    preventDefault() {
      this.prevented = true
    },
  }
}

describe('web contents hardening', () => {
  let wc: FakeWebContents
  let opened: string[]
  let blocked: string[]
  beforeEach(() => {
    resetFake()
    wc = new FakeWebContents()
    opened = []
    blocked = []
    hardenWebContents(wc as unknown as WebContents, {
      isAppUrl: appUrlMatcher(),
      openExternal: async (u) => opened.push(u),
      onBlocked: (what) => blocked.push(what),
    })
  })

  it('denies every window.open; http(s) goes to the browser, anything else nowhere', async () => {
    const h = wc.windowOpenHandler!
    expect(h({ url: 'https://docs.openstack.org/' })).toEqual({ action: 'deny' })
    expect(h({ url: 'app://glance/other' })).toEqual({ action: 'deny' })
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'smb://host/share', 'https://user:pw@example.com/', 'data:text/html,x']) {
      expect(h({ url: bad })).toEqual({ action: 'deny' })
    }
    await Promise.resolve()
    expect(opened).toEqual(['https://docs.openstack.org/'])
  })

  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])('%s: only our origin is allowed', (name) => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'http://127.0.0.1:5173/', 'app://other/', 'javascript:1']) {
      const e = preventable(url)
      wc.emit(name, e, url)
      expect(e.prevented, url).toBe(true)
    }
    const ok = preventable('app://glance/#/images')
    wc.emit(name, ok, ok.url)
    expect(ok.prevented).toBe(false)
  })

  it('allows the dev server origin only when one is given', () => {
    const dev = appUrlMatcher('http://localhost:5173/')
    expect(dev('http://localhost:5173/#/x')).toBe(true)
    expect(dev('http://localhost:5174/')).toBe(false)
    expect(appUrlMatcher()('http://localhost:5173/')).toBe(false)
  })

  it('refuses to attach a <webview>', () => {
    const e = preventable('')
    wc.emit('will-attach-webview', e, {}, {})
    expect(e.prevented).toBe(true)
    expect(blocked).toContain('will-attach-webview')
  })

  it('hardens every web contents the app creates', () => {
    const app = fake.app
    hardenApp(app as unknown as App, { isAppUrl: () => false, openExternal: async () => {} })
    const other = new FakeWebContents()
    app.emit('web-contents-created', {}, other)
    expect(other.windowOpenHandler).not.toBeNull()
    expect(other.listenerCount('will-navigate')).toBe(1)
    expect(other.listenerCount('will-attach-webview')).toBe(1)
  })
})

describe('permissions', () => {
  it('denies every request and every check', () => {
    const s = new FakeSession()
    denyAllPermissions(s as unknown as Session)
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'hid', 'usb', 'serial', 'unknown']) {
      const cb = vi.fn()
      s.requestHandler!({}, p, cb, {})
      expect(cb).toHaveBeenCalledWith(false)
      expect(s.checkHandler!({}, p, 'app://glance', {})).toBe(false)
    }
    expect(s.deviceHandler!({})).toBe(false)
    const media = vi.fn()
    s.displayMediaHandler!({}, media)
    expect(media).toHaveBeenCalledWith(null)
    // Without an origin predicate even clipboard writes are denied.
    expect(s.checkHandler!({}, 'clipboard-sanitized-write', 'app://glance', {})).toBe(false)
  })

  it('allows only sanitized clipboard writes, only from our origin', () => {
    const s = new FakeSession()
    denyAllPermissions(s as unknown as Session, appUrlMatcher())
    expect(s.checkHandler!({}, 'clipboard-sanitized-write', 'app://glance', {})).toBe(true)
    expect(s.checkHandler!({}, 'clipboard-sanitized-write', 'https://evil.example', {})).toBe(false)
    expect(s.checkHandler!({}, 'clipboard-read', 'app://glance', {})).toBe(false)
    const ok = vi.fn()
    s.requestHandler!({}, 'clipboard-sanitized-write', ok, { requestingUrl: 'app://glance/#/images' })
    expect(ok).toHaveBeenCalledWith(true)
    const no = vi.fn()
    s.requestHandler!({}, 'clipboard-sanitized-write', no, { requestingUrl: 'https://evil.example/' })
    expect(no).toHaveBeenCalledWith(false)
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      const cb = vi.fn()
      s.requestHandler!({}, p, cb, { requestingUrl: 'app://glance/' })
      expect(cb).toHaveBeenCalledWith(false)
      expect(s.checkHandler!({}, p, 'app://glance', {})).toBe(false)
    }
  })
})

describe('openExternalChecked', () => {
  beforeEach(() => resetFake())
  it('opens http(s) URLs only', async () => {
    expect(await openExternalChecked('https://example.com/a?b=1')).toBe(true)
    expect(await openExternalChecked('http://example.com/')).toBe(true)
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'ms-msdt:/id', 'https://', '//example.com', 'https://u:p@x.org/']) {
      expect(await openExternalChecked(bad), bad).toBe(false)
    }
    expect(fake.shell.opened).toEqual(['https://example.com/a?b=1', 'http://example.com/'])
  })
})
