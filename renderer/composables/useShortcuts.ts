/** Keyboard shortcuts and the native menu's commands -> the command bus. */
import { onBeforeUnmount, onMounted } from 'vue'
import { EVENTS } from '@contract/api'
import { api } from '@/api'
import { shortcutFor } from '@/lib/shortcuts'
import { emitCommand } from './bus'

function inTextField(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)
}

export function useShortcuts(): void {
  const onKey = (e: KeyboardEvent): void => {
    const cmd = shortcutFor({
      key: e.key,
      ctrlKey: e.ctrlKey,
      metaKey: e.metaKey,
      altKey: e.altKey,
      shiftKey: e.shiftKey,
      inTextField: inTextField(e.target),
    })
    if (!cmd) return
    e.preventDefault()
    emitCommand(cmd)
  }
  let off: (() => void) | null = null
  onMounted(() => {
    window.addEventListener('keydown', onKey)
    try {
      off = api.on(EVENTS.app.command, (p) => emitCommand(p.command))
    } catch {
      off = null
    }
  })
  onBeforeUnmount(() => {
    window.removeEventListener('keydown', onKey)
    off?.()
  })
}
