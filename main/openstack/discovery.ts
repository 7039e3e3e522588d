/**
 * THE Glance discovery: what Glance says about itself (version, import methods, stores, quota). One routine for the
 * connection test (main/profiles/connector.ts) and the capabilities of a connected profile (main/images/service.ts).
 *
 *   call                 | required (connection test)              | not required (capabilities)
 *   ---------------------|-----------------------------------------|------------------------------
 *   GET /v2/info/import  | must answer: proves Glance + the token  | a failure gives []
 *   GET /versions        | asked (glanceVersion)                   | not asked (version: false)
 *   GET /v2/info/stores  | a failure gives [] (debug log)          | same
 *   GET /v2/info/usage   | a failure gives no quota (debug log)    | same
 */
import type { QuotaInfo, StoreInfo } from '../../preload/api'
import type { Logger } from '../log'
import type { GlanceClient } from './glance'

export interface DiscoveryResult {
  glanceVersion?: string
  importMethods: string[]
  stores: StoreInfo[]
  quota?: QuotaInfo
}

export interface DiscoveryOptions {
  /** The import-methods call must succeed (its error is thrown). Default true. */
  requireImportInfo?: boolean
  /** Ask GET /versions. Default true. */
  version?: boolean
  log?: Logger
}

export type GlanceDiscoveryPort = Pick<GlanceClient, 'importInfo' | 'stores' | 'usage'> & Partial<Pick<GlanceClient, 'versions'>>

export async function discoverGlance(glance: GlanceDiscoveryPort, opts: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const { requireImportInfo = true, version = true, log } = opts
  const [versions, imp, stores, usage] = await Promise.allSettled([
    version && glance.versions ? glance.versions() : Promise.resolve(undefined),
    glance.importInfo(),
    glance.stores(),
    glance.usage(),
  ])
  if (imp.status === 'rejected') {
    if (requireImportInfo) throw imp.reason
    log?.debug('glance import methods unavailable', { error: String(imp.reason) })
  }
  const out: DiscoveryResult = { importMethods: imp.status === 'fulfilled' ? imp.value : [], stores: [] }
  if (versions.status === 'fulfilled') {
    const v = versions.value && (versions.value.current ?? versions.value.versions[0]?.id)
    if (v) out.glanceVersion = v
  } else log?.debug('glance versions unavailable', { error: String(versions.reason) })
  if (stores.status === 'fulfilled') out.stores = stores.value
  else log?.debug('glance stores unavailable', { error: String(stores.reason) })
  if (usage.status === 'fulfilled') {
    if (usage.value && Object.keys(usage.value).length) out.quota = usage.value
  } else log?.debug('glance usage unavailable', { error: String(usage.reason) })
  return out
}
