/**
 * The IPC sender check: a command is served only when it comes from the main window's own WebContents, from its
 * main frame (not an iframe), and that frame is showing our origin.
 */
import type { IpcMainInvokeEvent, WebContents } from 'electron'

export function senderCheck(mainContents: () => WebContents | null, isAppUrl: (url: string) => boolean): (event: IpcMainInvokeEvent) => boolean {
  return (event) => {
    const wc = mainContents()
    if (!wc || wc.isDestroyed()) return false
    if (event.sender !== wc) return false
    const frame = event.senderFrame
    if (!frame) return false
    const main = wc.mainFrame
    if (frame !== main && !(frame.processId === main.processId && frame.routingId === main.routingId)) return false
    if (frame.parent !== null) return false
    return isAppUrl(frame.url)
  }
}
