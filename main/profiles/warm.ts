/**
 * Issue 16.4, the warm start: as soon as the main process starts (before any window asks), sign in with the profile
 * the images view showed last and send Glance one cheap authenticated request, so that by the time the renderer's
 * first list arrives the token is issued (the same session: one token, not two) and Glance's keystonemiddleware has
 * validated it (its in-process cache answers the list's validation).
 *
 * Which profile: the one recorded in `<dataDir>/warm-start.json` (profile id + region; no secret) by the last first
 * page of an image list, if it still exists; else the first profile in order (what the renderer picks when it
 * remembers nothing). Only that profile's own stored secret, to that profile's own auth URL and catalog, through the
 * connector (CloudConnector.warm): never a secret to anywhere the profile was not saved for.
 *
 * Never fails start-up and never shows anything: no profile, no secret (or one saved for another identity),
 * offline, Keystone or Glance down: skipped, one debug line (no secret, no token).
 *
 * The Glance request is the first page of the image list the images view starts with (PREFETCH_QUERY: no filter,
 * newest first, FIRST_PAGE_LIMIT images), which validates the token as well as any request would; the page is kept
 * in memory (never on disk) and handed ONCE to the first list of that page (ImageService.list, take()) if it asks
 * for the same page (the same Glance URL) through the same session (the same profile, credentials and region: the
 * same token, so the same permissions; a profile edited since has another session) within PREFETCH_MAX_AGE_MS of
 * the prefetch being sent; any other image call drops it (it might change what the page shows). Otherwise that list
 * asks Glance as usual; every later page and list does.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CloudContext } from '../../preload/api'
import type { Logger } from '../log'
import { atomicWriteFile } from '../files/atomic'
import type { CloudConnector, WarmOutcome } from './connector'
import type { ProfileService } from './service'
import { DEFAULT_IMAGE_SORT, type ImageQuery } from '../../preload/api'
import { buildListQuery, type ImagePageRaw } from '../openstack/glance'
import type { CloudClient } from '../openstack/types'
import { firstPageQuery } from '../images/service'

export const WARM_START_FILE = 'warm-start.json'

/** The query of the image list's first page as the images view first asks for it (its page size: 1000). */
export const PREFETCH_QUERY: ImageQuery = firstPageQuery({ limit: 1000, sort: DEFAULT_IMAGE_SORT.map((k) => ({ ...k })) })

/** How long after its request was sent a prefetched first page may still be handed out (then: asked again). */
export const PREFETCH_MAX_AGE_MS = 5_000

/** The Glance path a first-page query is sent to: two queries with the same path get the same answer. */
function listPath(q: ImageQuery): string | null {
  try {
    return `/v2/images?${buildListQuery(q).toString()}`
  } catch {
    return null
  }
}

interface Prefetched {
  profileId: string
  region: string
  /** The session it was listed with (a profile edited or signed in again since has another one). */
  session: CloudClient['session']
  path: string
  page: ImagePageRaw
  /** performance.now() when its request was sent. */
  sentAt: number
}

export interface WarmStartDeps {
  dataDir: string
  profiles: Pick<ProfileService, 'list'>
  clouds: Pick<CloudConnector, 'warm'>
  log: Logger
  /** The clock of PREFETCH_MAX_AGE_MS (tests). */
  now?: () => number
}

export class WarmStart {
  private readonly file: string
  private last: { profileId: string; region?: string } | null
  private writing: Promise<void> = Promise.resolve()
  private readonly abort = new AbortController()
  private running: Promise<WarmOutcome> | null = null
  private prefetched: Prefetched | null = null
  private readonly now: () => number

  constructor(private readonly deps: WarmStartDeps) {
    this.file = join(deps.dataDir, WARM_START_FILE)
    this.last = readLast(this.file)
    this.now = deps.now ?? (() => performance.now())
  }

  /** The context to warm: the last listed profile + region if the profile still exists, else the first profile. */
  target(): CloudContext | null {
    const profiles = this.deps.profiles.list()
    const last = this.last
    if (last && profiles.some((p) => p.id === last.profileId))
      return last.region ? { profileId: last.profileId, region: last.region } : { profileId: last.profileId }
    const first = [...profiles].sort((a, b) => a.order - b.order)[0]
    return first ? { profileId: first.id } : null
  }

  /** Starts the warm-up (once); resolves with what happened, never rejects. */
  start(): Promise<WarmOutcome> {
    this.running ??= (async (): Promise<WarmOutcome> => {
      const ctx = this.target()
      if (!ctx) {
        this.deps.log.debug('warm start skipped', { outcome: 'noProfile' })
        return 'noProfile'
      }
      const t0 = performance.now()
      const outcome = await this.deps.clouds.warm(ctx, this.abort.signal, (c, signal) => this.prefetch(c, signal)).catch(() => 'failed' as const)
      this.deps.log.debug('warm start', {
        profileId: ctx.profileId,
        region: ctx.region,
        outcome,
        prefetched: this.prefetched?.page.images.length ?? null,
        ms: Math.round(performance.now() - t0),
      })
      return outcome
    })()
    return this.running
  }

  /** The warm-up's Glance request: the first page of PREFETCH_QUERY, kept for take(). */
  private async prefetch(c: CloudClient, signal: AbortSignal): Promise<void> {
    const path = listPath(PREFETCH_QUERY)!
    const sentAt = this.now()
    const page = await c.glance.listPage(PREFETCH_QUERY, undefined, { signal })
    this.prefetched = { profileId: c.profile.id, region: c.region, session: c.session, path, page, sentAt }
  }

  /**
   * The prefetched first page, once, for a first-page list of `query` through client `c`: only for the same session
   * (profile, credentials, region) and the same Glance URL, within PREFETCH_MAX_AGE_MS of its request; else null.
   */
  take(c: CloudClient, query: ImageQuery): ImagePageRaw | null {
    const p = this.prefetched
    if (!p) return null
    if (this.now() - p.sentAt > PREFETCH_MAX_AGE_MS) {
      this.prefetched = null
      return null
    }
    if (p.profileId !== c.profile.id || p.region !== c.region || p.session !== c.session || p.path !== listPath(query)) return null
    this.prefetched = null
    return p.page
  }

  /** Another image call: the prefetched page is not handed out any more. */
  drop(): void {
    this.prefetched = null
  }

  /** The images view listed this profile + region (a first page): remember it for the next start. */
  remember(ctx: Required<CloudContext>): void {
    if (this.last && this.last.profileId === ctx.profileId && this.last.region === ctx.region) return
    this.last = { profileId: ctx.profileId, region: ctx.region }
    const text = `${JSON.stringify(this.last)}\n`
    this.writing = this.writing
      .then(() => atomicWriteFile(this.file, text, 0o600))
      .catch((e: unknown) => this.deps.log.debug('warm start file not written', { error: e instanceof Error ? e.message : String(e) }))
  }

  /**
   * Stops a warm-up still running (its Glance request; a sign-in in flight ends on its own, unwaited: quitting never
   * waits for an unreachable Keystone) and waits for the last write.
   */
  async close(): Promise<void> {
    this.abort.abort()
    this.prefetched = null
    await this.writing
  }
}

function readLast(file: string): { profileId: string; region?: string } | null {
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'))
    if (!v || typeof v !== 'object') return null
    const { profileId, region } = v as Record<string, unknown>
    if (typeof profileId !== 'string' || !profileId || profileId.length > 200) return null
    return typeof region === 'string' && region && region.length <= 200 ? { profileId, region } : { profileId }
  } catch {
    return null
  }
}
