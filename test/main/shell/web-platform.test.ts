/** The browser harness's Platform and wire format (plain Node: no electron involved). */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createWebPlatform, memoryCipher, unavailableCipher } from '../../../web/platform'
import { decodeRequest, encodeRequest } from '../../../web/wire'
import { injectBridge } from '../../../web/harness'

describe('web platform', () => {
  it('reports encryption unavailable by default, and never pretends to encrypt', () => {
    const c = unavailableCipher()
    expect(c.isAvailable()).toBe(false)
    expect(() => c.encrypt('pw')).toThrow(/not available/)
  })

  it('memory cipher: AES-GCM round trip, per-process key, tamper detected', () => {
    const a = memoryCipher()
    const enc = a.encrypt('s3cret')
    expect(enc.toString('utf8')).not.toContain('s3cret')
    expect(a.decrypt(enc)).toBe('s3cret')
    expect(() => memoryCipher().decrypt(enc)).toThrow()
    enc.writeUInt8(enc.readUInt8(enc.length - 1) ^ 1, enc.length - 1)
    expect(() => a.decrypt(enc)).toThrow()
  })

  it('takes its data dir from GLANCE_DESKTOP_DATA_DIR, else a fresh temp dir', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'glance-wp-')), 'data')
    const p = createWebPlatform({ env: { GLANCE_DESKTOP_DATA_DIR: dir } })
    expect(p.kind).toBe('web')
    expect(p.dataDir).toBe(dir)
    expect(existsSync(dir)).toBe(true)
    const q = createWebPlatform({ env: {} })
    expect(q.dataDir).not.toBe(dir)
    expect(q.cipher.isAvailable()).toBe(false)
    expect(createWebPlatform({ env: { GLANCE_HARNESS_CIPHER: 'memory' }, dataDir: dir }).cipher.isAvailable()).toBe(true)
    rmSync(join(dir, '..'), { recursive: true, force: true })
    rmSync(q.dataDir, { recursive: true, force: true })
  })

  it('scripted dialogs answer in order, then "cancelled"', async () => {
    const p = createWebPlatform({ dataDir: mkdtempSync(join(tmpdir(), 'glance-wp-')) })
    p.dialogs.queue('/a.qcow2')
    p.dialogs.queue(null)
    p.dialogs.queue('/out.csv')
    expect(await p.dialogs.openFile({ purpose: 'image' })).toBe('/a.qcow2')
    expect(await p.dialogs.openFile({ purpose: 'image' })).toBeNull()
    expect(await p.dialogs.saveFile({ purpose: 'csv', defaultName: 'x.csv' })).toBe('/out.csv')
    expect(await p.dialogs.openFile({ purpose: 'openrc' })).toBeNull()
    expect(p.dialogs.asked.map((d) => d.kind)).toEqual(['open', 'open', 'save', 'open'])
    await p.shell.openExternal('https://example.com/')
    await expect(p.shell.openExternal('file:///etc/passwd')).rejects.toThrow()
    expect(p.shell.opened).toEqual(['https://example.com/'])
    rmSync(p.dataDir, { recursive: true, force: true })
  })
})

describe('harness wire and page', () => {
  it('keeps undefined arguments apart from null', () => {
    const frame = encodeRequest(7, 'images:list', [{ profileId: 'p' }, {}, undefined])
    expect(decodeRequest(frame)).toEqual({ id: 7, channel: 'images:list', args: [{ profileId: 'p' }, {}, undefined] })
    expect(decodeRequest(encodeRequest(8, 'x', [null]))).toEqual({ id: 8, channel: 'x', args: [null] })
    expect(decodeRequest('{"id":1,"channel":"x","args":[1],"u":[3]}')?.args).toBe('bad')
    expect(decodeRequest('{"id":1,"channel":"x","args":[1],"u":["0"]}')?.args).toBe('bad')
    expect(decodeRequest('not json')).toBeNull()
    expect(decodeRequest('{"channel":"x"}')).toBeNull()
  })

  it('injects the bridge before the first script', () => {
    const html = '<head><script type="module" src="./assets/app.js"></script></head>'
    const out = injectBridge(html)
    expect(out.indexOf('/__harness/bridge.js')).toBeLessThan(out.indexOf('./assets/app.js'))
    expect(injectBridge('<head></head><body></body>')).toContain('<script type="module" src="/__harness/bridge.js"></script>')
  })
})
