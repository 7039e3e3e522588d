/** A tiny app-wide command bus: shortcuts, menu commands and drops reach whichever view handles them. */
import { onBeforeUnmount, shallowRef } from 'vue'
import type { FileRef } from '@contract/api'
import type { AppCommand } from '@/lib/shortcuts'

type Listener = (cmd: AppCommand) => void
const listeners = new Set<Listener>()

export function emitCommand(cmd: AppCommand): void {
  for (const l of [...listeners]) l(cmd)
}

/** Listen to commands while the calling component is mounted. */
export function onCommand(l: Listener): void {
  listeners.add(l)
  onBeforeUnmount(() => listeners.delete(l))
}

/** A file dropped on the window, waiting for the create dialog. */
export const droppedFile = shallowRef<FileRef | null>(null)
/** Whether the transfers panel is open. */
export const transfersOpen = shallowRef(false)
/** An image to show (from a transfer's "show image" link). */
export const focusImage = shallowRef<{ profileId: string; region: string; imageId: string } | null>(null)
