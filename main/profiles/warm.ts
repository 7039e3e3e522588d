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
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CloudContext } from '../../preload/api'
import type { Logger } from '../log'
import { atomicWriteFile } from '../files/atomic'
import type { CloudConnector, WarmOutcome } from './connector'
import type { ProfileService } from './service'

export const WARM_START_FILE = 'warm-start.json'

export interface WarmStartDeps {
  dataDir: string
  profiles: Pick<ProfileService, 'list'>
  clouds: Pick<CloudConnector, 'warm'>
  log: Logger
}

export class WarmStart {
  private readonly file: string
  private last: { profileId: string; region?: string } | null
  private writing: Promise<void> = Promise.resolve()
  private readonly abort = new AbortController()
  private running: Promise<WarmOutcome> | null = null

  constructor(private readonly deps: WarmStartDeps) {
    this.file = join(deps.dataDir, WARM_START_FILE)
    this.last = readLast(this.file)
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
      const outcome = await this.deps.clouds.warm(ctx, this.abort.signal).catch(() => 'failed' as const)
      this.deps.log.debug('warm start', { profileId: ctx.profileId, region: ctx.region, outcome, ms: Math.round(performance.now() - t0) })
      return outcome
    })()
    return this.running
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
