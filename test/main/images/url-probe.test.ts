import { describe, expect, it } from 'vitest'
import { judgeProbe, looksLikeHtml, looksLikeText } from '../../../main/images/url-probe'
import { stripUserinfo } from '../../../main/openstack/http-errors'
import { judgeImport } from '../../../main/transfers/importer'

const U = 'http://example.test/disk'
const bin = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x00, 0x10, 0x20, 0x30, 0x00, 0x00, 0x90, 0xeb, 0x3c, 0x00, 0x00, 0x00, 0x00, 0x80])

describe('judgeProbe (the table in url-probe.ts)', () => {
  it('no answer: go on, not verified', () => {
    expect(judgeProbe(U, 'qcow2', {})).toEqual({ outcome: 'unreachable' })
  })
  it('an HTTP error is refused with its status', () => {
    expect(() => judgeProbe(U, 'qcow2', { status: 404 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', details: { reason: 'urlStatus', params: { url: U, status: 404 } } }),
    )
  })
  it('a web page by its type or by its bytes', () => {
    expect(() => judgeProbe(U, 'raw', { status: 200, contentType: 'text/html; charset=utf-8', head: bin })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ reason: 'urlWebPage' }) }),
    )
    expect(() => judgeProbe(U, 'qcow2', { status: 200, contentType: 'application/octet-stream', head: Buffer.from('\n  <!doctype HTML><html>') })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ reason: 'urlWebPage' }) }),
    )
  })
  it('the declared format is checked against the detected one', () => {
    expect(judgeProbe(U, 'qcow2', { status: 200, head: bin, detected: 'qcow2' })).toEqual({ outcome: 'checked', detected: 'qcow2' })
    expect(judgeProbe(U, 'raw', { status: 206, head: bin, detected: 'iso' })).toEqual({ outcome: 'checked', detected: 'iso' })
    expect(() => judgeProbe(U, 'raw', { status: 206, head: bin, detected: 'qcow2' })).toThrow(
      expect.objectContaining({ code: 'FORMAT_MISMATCH', details: { reason: 'urlFormat', params: { url: U, detected: 'qcow2', declared: 'raw' } } }),
    )
    expect(() => judgeProbe(U, 'vmdk', { status: 206, head: bin, detected: 'unknown' })).toThrow(expect.objectContaining({ code: 'FORMAT_MISMATCH' }))
    expect(judgeProbe(U, 'raw', { status: 206, head: bin, detected: 'unknown' })).toEqual({ outcome: 'unchecked' })
  })
  it('text is not a disk', () => {
    expect(() => judgeProbe(U, 'raw', { status: 200, contentType: 'text/plain', head: Buffer.from('Not found, sorry. Try again later please.') })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ reason: 'urlText' }) }),
    )
  })
  it('credentials in the URL never reach the message', () => {
    const e = (() => {
      try {
        judgeProbe('https://user:s3cret@example.test/x', 'qcow2', { status: 403 })
      } catch (x) {
        return x as Error
      }
    })()
    expect(e?.message).not.toContain('s3cret')
    expect(JSON.stringify(e)).not.toContain('s3cret')
    expect(stripUserinfo('https://a:b@h/p')).toBe('https://h/p')
  })
  it('sniffers', () => {
    expect(looksLikeHtml(Buffer.from('\uFEFF<html lang="en">'))).toBe(true)
    expect(looksLikeHtml(bin)).toBe(false)
    expect(looksLikeText(bin)).toBe(false)
  })
})

describe('judgeImport (the table in importer.ts)', () => {
  const base = { id: 'i', status: 'active', size: 100, checksum: 'abc' }
  it('verified only when Glance read a virtual size of the declared format', () => {
    expect(judgeImport({ ...base, disk_format: 'qcow2', virtual_size: 1 << 20 }, 'qcow2')).toEqual({ outcome: 'verified' })
    expect(judgeImport({ ...base, disk_format: 'raw', virtual_size: null }, 'raw')).toEqual({ outcome: 'unverified' })
    expect(judgeImport({ ...base, disk_format: 'raw', virtual_size: 100, checksum: null }, 'raw')).toEqual({ outcome: 'unverified' })
  })
  it('a header format without a virtual size, or another format, is bad', () => {
    expect(judgeImport({ ...base, disk_format: 'qcow2', virtual_size: null }, 'qcow2')).toEqual({ outcome: 'bad', why: 'noVirtualSize' })
    expect(judgeImport({ ...base, disk_format: 'raw', virtual_size: 5 }, 'qcow2')).toEqual({ outcome: 'bad', why: 'formatChanged' })
    expect(judgeImport({ ...base, disk_format: 'vhd', virtual_size: null }, 'vhd')).toEqual({ outcome: 'unverified' })
  })
})
