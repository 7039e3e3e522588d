/**
 * Before a web-download import: look at the URL from here (a HEAD, then a GET of the first PROBE_BYTES with a
 * Range header; a server that ignores the Range is read only that far), so that a web page or a wrong format is
 * caught before Glance imports it as an "active" image (this Glance does not check formats: HTML sent as qcow2 goes
 * active with virtual_size null). The probed bytes go through the same header inspection as a local file.
 *
 * The verdict (pure, `judgeProbe`):
 *   | what was seen                                           | verdict                                   |
 *   |---------------------------------------------------------|-------------------------------------------|
 *   | no answer (DNS, refused, timeout, TLS), or the body     | `unreachable`: go on (Glance may reach it), not verified |
 *   |   could not be read (stalled past the timeout, reset)    |                                           |
 *   | HTTP status >= 400                                      | refuse VALIDATION `urlStatus` {status}     |
 *   | Content-Type text/html / xhtml, or the bytes are HTML   | refuse VALIDATION `urlWebPage`             |
 *   | the inspector failed on the bytes                       | `unchecked`: go on, the format could not be told |
 *   | bytes of a known format (qcow2, vmdk, vhdx, vdi, iso,   | `checked` when it is the declared format   |
 *   |   qed, luks)                                             |   (iso as raw: allowed); else refuse FORMAT_MISMATCH `urlFormat` {detected, declared} |
 *   | no known header, declared a format that has one          | refuse FORMAT_MISMATCH `urlFormat` {detected: raw} |
 *   |   (qcow2, vmdk, vhdx, vdi)                               |                                           |
 *   | no known header, the bytes are text                      | refuse VALIDATION `urlText`               |
 *   | no known header, declared raw/vhd/ami/... (no magic at   | `unchecked`: go on, the format could not be told |
 *   |   the start)                                             |                                           |
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { AppError, type DiskFormat, type InspectionReport } from '../../preload/api'
import { stripUserinfo } from '../openstack/http-errors'
import { HttpClient } from '../openstack/http'
import type { ProxyEnv } from '../openstack/proxy'
import { inspectFile } from '../transfers/inspect'

/** Enough for every header the inspector reads at the start (ISO's descriptor is at 32 KiB + 1). */
export const PROBE_BYTES = 64 * 1024
const TIMEOUT_MS = 10_000

export interface ProbeSeen {
  /** undefined: no HTTP answer at all. */
  status?: number
  contentType?: string
  /** The first bytes of the body (at most PROBE_BYTES). */
  head?: Buffer
  /** The format the inspector found in `head`. */
  detected?: InspectionReport['format']
  /** The inspector failed on `head` (nothing could be told about the format). */
  inspectFailed?: boolean
}

export type ProbeVerdict = { outcome: 'checked' | 'unchecked' | 'unreachable'; detected?: string }

/** Formats whose files start with a magic number the inspector knows. */
const HAS_MAGIC = new Set<string>(['qcow2', 'vmdk', 'vhdx', 'vdi'])

export function looksLikeHtml(b: Buffer): boolean {
  const s = b
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase()
  return s.startsWith('<!doctype html') || s.startsWith('<html') || s.startsWith('<?xml') || /^<(head|body|title|meta|div|p)[\s>]/.test(s)
}

/** Mostly printable text in the first 512 bytes (no NUL, at least 95 % printable or whitespace). */
export function looksLikeText(b: Buffer): boolean {
  const s = b.subarray(0, 512)
  if (s.length < 16 || s.includes(0)) return false
  let printable = 0
  for (const c of s) if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0x80) printable++
  return printable / s.length >= 0.95
}

/** The verdict on what the probe saw (pure; the table in the header). Throws the refusal. */
export function judgeProbe(fullUrl: string, declared: DiskFormat, seen: ProbeSeen): ProbeVerdict {
  const url = stripUserinfo(fullUrl)
  if (seen.status === undefined) return { outcome: 'unreachable' }
  if (seen.status >= 400) {
    throw new AppError({
      code: 'VALIDATION',
      message: `${url} answered HTTP ${seen.status}: there is no image to import there.`,
      details: { reason: 'urlStatus', params: { url, status: seen.status } },
    })
  }
  const type = (seen.contentType ?? '').toLowerCase()
  const head = seen.head ?? Buffer.alloc(0)
  if (/^(text\/html|application\/xhtml\+xml)/.test(type) || looksLikeHtml(head)) {
    throw new AppError({
      code: 'VALIDATION',
      message: `${url} is a web page (${type || 'HTML'}), not a disk image.`,
      details: { reason: 'urlWebPage', params: { url, contentType: type || 'text/html' } },
    })
  }
  if (seen.inspectFailed) return { outcome: 'unchecked' }
  const found = seen.detected ?? 'unknown'
  const mismatch = (detected: string): AppError =>
    new AppError({
      code: 'FORMAT_MISMATCH',
      message: `${url} starts like ${detected === 'raw' ? 'no known disk format' : `a ${detected} image`}, not ${declared}: Glance would import it without checking. Choose disk format ${detected === 'raw' ? 'raw' : detected}, or check the URL.`,
      details: { reason: 'urlFormat', params: { url, detected, declared } },
    })
  if (found !== 'unknown' && found !== 'raw') {
    if (found === declared || (found === 'iso' && declared === 'raw')) return { outcome: 'checked', detected: found }
    if (['ami', 'ari', 'aki', 'ploop'].includes(declared)) return { outcome: 'unchecked', detected: found }
    throw mismatch(found)
  }
  if (HAS_MAGIC.has(declared)) throw mismatch('raw')
  if (looksLikeText(head)) {
    throw new AppError({
      code: 'VALIDATION',
      message: `${url} is text (${type || 'no Content-Type'}), not a disk image.`,
      details: { reason: 'urlText', params: { url, contentType: type } },
    })
  }
  return { outcome: 'unchecked' }
}

/** Reads at most `max` bytes of a response body, then stops the download. */
async function readHead(body: Readable, max: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let n = 0
  try {
    for await (const chunk of body) {
      const b = chunk as Buffer
      parts.push(b)
      n += b.length
      if (n >= max) break
    }
  } finally {
    body.destroy()
  }
  return Buffer.concat(parts).subarray(0, max)
}

/** Inspects probed bytes with the local-file inspector (through a private temporary file); undefined: it failed. */
async function inspectBytes(head: Buffer): Promise<InspectionReport['format'] | undefined> {
  if (!head.length) return 'unknown'
  const dir = await mkdtemp(join(tmpdir(), 'gd-probe-'))
  try {
    const path = join(dir, 'head.bin')
    await writeFile(path, head, { mode: 0o600 })
    return (await inspectFile(path, 'auto')).format
  } catch {
    return undefined
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The redirects the probe follows (as Glance's web-download would). */
const MAX_REDIRECTS = 10

export interface ProbeOptions {
  /**
   * Issue 14: the profile's proxy variables (proxyEnvFor): the probe looks at the URL the way this computer reaches
   * it, through the profile's proxy (Glance fetches it from its own network). Default: the process's.
   */
  proxyEnv?: ProxyEnv
}

/** The HTTP status of a refusal from HttpClient (an error status), undefined for a transport or proxy failure. */
function statusOf(e: unknown): number | undefined {
  if (!AppError.is(e) || typeof e.status !== 'number') return undefined
  return String(e.details?.reason ?? '').startsWith('proxy') ? undefined : e.status
}

/**
 * Probes the URL (HEAD, then a ranged GET) and judges it. No credentials are sent; redirects are followed as
 * Glance would. Throws the refusal of `judgeProbe`. Through main/openstack/http.ts (not fetch: fetch ignores
 * proxies), so the profile's proxy applies.
 */
export async function probeImageUrl(url: string, declared: DiskFormat, timeoutMs = TIMEOUT_MS, opts: ProbeOptions = {}): Promise<ProbeVerdict> {
  const seen: ProbeSeen = {}
  const http = new HttpClient({ env: opts.proxyEnv ?? process.env, connectTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs, userAgent: 'glance-desktop' })
  const base = { headers: { accept: '*/*' }, maxRedirects: MAX_REDIRECTS, signal: AbortSignal.timeout(timeoutMs) }
  /** Fills `seen`; throws only for no answer or a body that could not be read (never a verdict). */
  const look = async (): Promise<void> => {
    let headType: string | undefined
    try {
      const head = await http.request({ ...base, method: 'HEAD', url, responseType: 'none' })
      headType = head.headers['content-type']
    } catch (e) {
      // a server that refuses HEAD (405, 501) is asked with the GET alone; no answer at all: the GET tells
      const status = statusOf(e)
      if (status !== undefined && status >= 400 && status !== 405 && status !== 501) {
        seen.status = status
        return
      }
    }
    let res
    try {
      res = await http.request({ ...base, method: 'GET', url, headers: { ...base.headers, range: `bytes=0-${PROBE_BYTES - 1}` }, responseType: 'stream' })
    } catch (e) {
      const status = statusOf(e)
      if (status === undefined || status < 400) throw e
      // 416: the range is past an empty file; judged as an empty 200
      seen.status = status === 416 ? 200 : status
      seen.contentType = headType ?? ''
      return
    }
    seen.status = res.status
    seen.contentType = res.headers['content-type'] ?? headType ?? ''
    seen.head = await readHead(res.stream!, PROBE_BYTES)
    const detected = await inspectBytes(seen.head)
    if (detected === undefined) seen.inspectFailed = true
    else seen.detected = detected
  }
  try {
    await look()
  } catch {
    // no answer, or the body could not be read (a timeout while reading, a reset): the URL was not checked; an
    // incomplete head must not be judged (a qcow2 cut short reads as "no known header")
    if (seen.status === undefined || seen.status < 400) return { outcome: 'unreachable' }
  } finally {
    http.close()
  }
  return judgeProbe(url, declared, seen)
}
