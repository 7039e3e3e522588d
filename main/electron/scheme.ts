/** The app's own origin. Pure constants (no Electron import), shared by protocol.ts and origin.ts. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'glance'
export const APP_ORIGIN_STRING = `${APP_SCHEME}://${APP_HOST}`
export const APP_URL = `${APP_ORIGIN_STRING}/`
