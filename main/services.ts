/**
 * The composition root: builds every main-process service over a Platform, and the one handler map that the
 * Electron binder (main/ipc/electron.ts) and the browser harness (web/harness.ts) both serve.
 */
import { join } from 'node:path'
import type { Platform } from './platform'
import { EventBus } from './events'
import { createFileLogger, type Logger } from './log'
import { FileRegistry } from './files/registry'
import { ProfileService, type ProfileServiceDeps } from './profiles/service'
import { CloudConnector } from './profiles/connector'
import { WarmStart } from './profiles/warm'
import { ImageService } from './images/service'
import { VolumeService } from './volumes/service'
import { TransferService } from './transfers/service'
import { FleetService } from './fleet/service'
import { CopyService } from './copy/service'
import { copyConnectorConnect } from './copy/job'
import { createHandlers } from './ipc/handlers'
import type { HandlerMap } from './ipc/types'

export interface Services {
  platform: Platform
  events: EventBus
  log: Logger
  files: FileRegistry
  profiles: ProfileService
  clouds: CloudConnector
  images: ImageService
  volumes: VolumeService
  transfers: TransferService
  fleet: FleetService
  copy: CopyService
  /** Issue 16.4: the sign-in started at start-up (main/profiles/warm.ts). */
  warmStart: WarmStart
  handlers: HandlerMap
  close(): Promise<void>
}

export interface ServiceOptions {
  logger?: Logger
  /** Start the transfer queue (recover and run persisted jobs). Default true. */
  startQueue?: boolean
  /** C4: the settings backend (the Electron build: electron-store; default: conf, main/profiles). */
  settingsBackend?: ProfileServiceDeps['backend']
  /**
   * Issue 16.4: sign in with the last listed profile and warm its Glance at once, before any window asks (the app
   * and the harness; default false, so that tests sign in only when they mean to).
   */
  warmStart?: boolean
}

export async function createServices(platform: Platform, opts: ServiceOptions = {}): Promise<Services> {
  const events = new EventBus()
  const log = opts.logger ?? createFileLogger({ file: join(platform.dataDir, 'logs', 'main.log') })
  const files = new FileRegistry()
  const profiles = await ProfileService.open({ platform, events, log, ...(opts.settingsBackend ? { backend: opts.settingsBackend } : {}) })
  const clouds = new CloudConnector({ profiles, log, env: platform.env })
  const warmStart = new WarmStart({ dataDir: platform.dataDir, profiles, clouds, log })
  // First, before the queue recovers its jobs: the first rows wait for this sign-in, the queue does not.
  if (opts.warmStart) void warmStart.start()
  const transfers = await TransferService.open({ platform, events, log, clouds, files })
  const images = new ImageService({ clouds, files, log, platform, transfers, warmStart })
  const volumes = new VolumeService({ clouds })
  const fleet = new FleetService({ clouds, profiles, images })
  const copy = new CopyService({ connect: copyConnectorConnect(clouds), transfers }) // D1
  const partial = { platform, events, log, files, profiles, clouds, images, volumes, transfers, fleet, copy, warmStart }
  const handlers = createHandlers(partial)
  if (opts.startQueue !== false) transfers.start()
  return {
    ...partial,
    handlers,
    async close() {
      await Promise.all([transfers.stop(), warmStart.close()])
    },
  }
}
