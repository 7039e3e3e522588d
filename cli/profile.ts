/** Reads a saved profile's non-secret settings from the app's data folder (settings.json), for `--profile`. */
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { AppError, type ProfileInput } from '../preload/api'
import type { SettingsDocument } from '../main/profiles/profile-store'

const PRODUCT = 'Glance Desktop'

/** Where the app keeps its data (Electron's userData): GLANCE_DESKTOP_DATA_DIR overrides. */
export function defaultDataDir(env: NodeJS.ProcessEnv, platform = process.platform): string {
  if (env.GLANCE_DESKTOP_DATA_DIR) return env.GLANCE_DESKTOP_DATA_DIR
  const home = env.HOME ?? homedir()
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT)
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT)
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), PRODUCT)
}

export async function readSavedProfile(dataDir: string, nameOrId: string): Promise<ProfileInput> {
  const file = join(dataDir, 'settings.json')
  let doc: SettingsDocument
  try {
    // An older file (settings v2: flat credentials) is migrated in memory, never written (the app rewrites it when it
    // opens it). Imported on demand: the profile store brings conf, which no other CLI command loads.
    const { upgradeDocument } = await import('../main/profiles/profile-store')
    doc = upgradeDocument(JSON.parse(await readFile(file, 'utf8'))).doc
  } catch (e) {
    throw new AppError({ code: 'PROFILE_NOT_FOUND', message: `Cannot read the saved profiles (${file}): ${(e as Error).message}` })
  }
  const all = doc.profiles
  const p = all.find((x) => x.id === nameOrId) ?? all.find((x) => x.name === nameOrId)
  if (!p) {
    throw new AppError({
      code: 'PROFILE_NOT_FOUND',
      message: `No saved profile ${JSON.stringify(nameOrId)} in ${file}${all.length ? ` (have: ${all.map((x) => x.name).join(', ')})` : ''}.`,
    })
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { id, ...input } = p
  return input
}
