import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type { CloudCreds } from '../../support/cloud'
import { Session } from '../../../main/openstack/session'
import { GlanceClient } from '../../../main/openstack/glance'
import type { SessionOptions } from '../../../main/openstack/types'

export function sessionFor(c: CloudCreds, extra: Partial<SessionOptions> = {}): Session {
  const o: SessionOptions = {
    authUrl: c.authUrl,
    auth: {
      type: 'password',
      password: c.password,
      username: c.username,
      userDomainName: c.userDomainName,
      projectName: c.projectName,
      projectDomainName: c.projectDomainName,
    },
    interface: c.interface,
    ...extra,
  }
  if (c.cacert) o.caFile = c.cacert
  if (c.insecure) o.insecure = true
  return new Session(o)
}

export const unique = (p: string) => `gd-it-${p}-${randomUUID().slice(0, 8)}`

/** Deletes what a test created, whatever happened (unprotecting first). */
export class Cleanup {
  private readonly items: { glance: GlanceClient; id: string }[] = []
  add(glance: GlanceClient, id: string): string {
    this.items.push({ glance, id })
    return id
  }
  async run(): Promise<void> {
    for (const { glance, id } of this.items.splice(0).reverse()) {
      try {
        const img = await glance.get(id)
        if (img.protected) await glance.patch(id, [{ op: 'replace', path: '/protected', value: false }])
        await glance.delete(id)
      } catch {
        /* already gone */
      }
    }
  }
}

export const bytes = (n: number, seed = 1) => {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff
  return b
}
export const streamOf = (b: Buffer) => Readable.from([b.subarray(0, b.length >> 1), b.subarray(b.length >> 1)])

export async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of s) parts.push(c as Buffer)
  return Buffer.concat(parts)
}
