/**
 * C4: the Electron build's settings backend: electron-store (the design card's choice) over the same file and options
 * as the plain-Node conf backend (main/profiles: `<dataDir>/settings.json`, mode 0600, no dot-paths, an invalid file
 * kept for recovery, not cleared), so the harness, the CLI and the app read and write one format. electron-store is
 * conf plus Electron's defaults (userData, app version); the profile service only sees the SettingsBackend shape.
 */
import ElectronStore from 'electron-store'
import type { ProfileServiceDeps } from '../profiles/service'

type SettingsBackendFactory = NonNullable<ProfileServiceDeps['backend']>

/** The file's base name (conf's configName): the same as the conf backend's. */
export const ELECTRON_SETTINGS_NAME = 'settings'

export const electronStoreBackend: SettingsBackendFactory = (dir) =>
  new ElectronStore<Record<string, unknown>>({
    cwd: dir,
    name: ELECTRON_SETTINGS_NAME,
    configFileMode: 0o600,
    accessPropertiesByDotNotation: false,
    clearInvalidConfig: false,
  }) as unknown as ReturnType<SettingsBackendFactory>
