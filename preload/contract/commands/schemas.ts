/**
 * zod schemas shared by several command tables (and by main-process readers of the same shapes, e.g. draft
 * manifests). Pure: zod and the contract's constants, no Node, no Electron. main/ipc/validate.ts re-exports them.
 */
import { z } from 'zod'
import { OS_TYPES, type CloudContext, type ConsoleFields } from '../../api'

/** Object keys that must never come from the renderer (prototype pollution). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

export const zId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\w.:-]+$/, 'must be an identifier')
  // `.` and `..` would be normalised away in a URL path (/v2/images/.. is /v2/).
  .refine((s) => !/^\.+$/.test(s), 'must be an identifier')

export const zIds = z.array(zId).max(1000)

export const zHandle = z.string().regex(/^fh_[A-Za-z0-9_-]{16,64}$/, 'must be a file handle')

export const zCloudContext = z.strictObject({
  profileId: zId,
  region: z.string().min(1).max(255).optional(),
}) satisfies z.ZodType<CloudContext>

/** The console's fields (ConsoleFields in preload/api.ts): IPC arguments and draft manifests alike. */
export const zConsoleFields = z.strictObject({
  osType: z.enum(OS_TYPES).optional(),
  architecture: z.enum(['arm', 'x86']).optional(),
  virtualization: z.enum(['qemu', 'baremetal']).optional(),
  minDiskGiB: z.number().int().min(0).max(1_000_000),
  minRamGiB: z.number().min(0).max(1_000_000),
  public: z.boolean(),
  protected: z.boolean(),
  onlineResize: z.boolean().optional(),
  agent: z.boolean().optional(),
  multiqueue: z.boolean().optional(),
  encryptedPassword: z.boolean().optional(),
  bootMode: z.enum(['bios', 'uefi']).optional(),
  description: z.string().max(65_535).optional(),
}) satisfies z.ZodType<ConsoleFields>

// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const noControl = (s: string): boolean => !/[\u0000-\u001f\u007f]/.test(s)
