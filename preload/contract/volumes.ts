/**
 * Volumes (from an image): part of the contract (preload/api.ts re-exports it, so `import ... from 'preload/api'` keeps working);
 * pure TypeScript. Moved out of preload/api.ts unchanged (issue 11).
 */

export interface VolumeCreateInput {
  imageId: string
  name: string
  sizeGiB: number
  volumeType?: string
  availabilityZone?: string
  description?: string
}

export interface VolumeDTO {
  id: string
  name: string
  status: string
  size: number
}
