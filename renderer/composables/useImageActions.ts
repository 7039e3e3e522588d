/** Image actions that need confirmation or a file dialog: delete (production guard asks twice), download, (de)activate. */
import { ElMessageBox } from 'element-plus/es/components/message-box/index'
import 'element-plus/es/components/message-box/style/css'
import type { CloudContext, ImageDTO } from '@contract/api'
import { api, call, toAppError } from '@/api'
import { safeFileName } from '@/lib/format'
import type { Issue } from '@/lib/imageForm'
import { useImagesStore } from '@/stores/images'
import { useProfilesStore } from '@/stores/profiles'
import { useTransfersStore } from '@/stores/transfers'
import { useNotify } from './useNotify'

export function useImageActions() {
  const images = useImagesStore()
  const profiles = useProfilesStore()
  const transfers = useTransfersStore()
  const notify = useNotify()
  const { tr } = notify

  async function confirm(message: string, title: string, danger = true, testid = 'confirm-dialog'): Promise<boolean> {
    try {
      await ElMessageBox.confirm(message, title, {
        type: danger ? 'warning' : 'info',
        confirmButtonText: danger ? tr('del.confirm') : tr('app.ok'),
        cancelButtonText: tr('app.cancel'),
        confirmButtonClass: danger ? 'el-button--danger gd-confirm-ok' : 'gd-confirm-ok',
        cancelButtonClass: 'gd-confirm-cancel',
        customClass: testid,
        distinguishCancelAndClose: true,
      })
      return true
    } catch {
      return false
    }
  }

  /** The production guard: a read-only profile asks a second time. Returns `confirmed` to pass on, or null to stop. */
  async function guard(what: string, kind: 'delete' | 'change' = 'delete'): Promise<boolean | null> {
    const p = profiles.current
    if (!p?.readOnly) return false
    const msg = kind === 'delete' ? tr('del.guard', { profile: p.name, what }) : tr('edit.guardAsk', { profile: p.name, name: what })
    const ok = await confirm(msg, tr('edit.guardTitle'), kind === 'delete', 'guard-dialog')
    return ok ? true : null
  }

  /** The names a batch confirmation shows: the first ten, then how many more. */
  function namesList(names: string[]): string {
    const shown = names
      .slice(0, 10)
      .map((n) => `“${n}”`)
      .join(', ')
    return names.length > 10 ? `${shown} ${tr('del.andMore', { n: names.length - 10 })}` : shown
  }

  /** "Skipped “a”, “b”: why" for each group of images an action leaves out (C2, issue 14.6). */
  function skippedText(groups: readonly { reason: Issue; images: readonly ImageDTO[] }[]): string {
    return groups.map((g) => tr('del.skipped', { names: namesList(g.images.map((im) => im.name || im.id)), reason: notify.reason(g.reason) })).join('\n')
  }

  /**
   * Delete images. The ones the selection cannot delete (`skipped`, from the permission rule: protected, another
   * project's, ...) and any protected one in `list` are left out, named, with the reason: in the confirmation and after.
   */
  async function remove(ctx: CloudContext, list: ImageDTO[], skipped: readonly { reason: Issue; images: readonly ImageDTO[] }[] = []): Promise<void> {
    const deletable = list.filter((im) => !im.protected)
    const groups = [...skipped]
    const prot = list.filter((im) => im.protected)
    if (prot.length) groups.push({ reason: { key: 'perm.cap.protectedImage' }, images: prot })
    const skippedMsg = skippedText(groups)
    if (!deletable.length) {
      notify.warn(skippedMsg || tr('perm.protected'))
      return
    }
    const what = deletable.length === 1 ? `“${deletable[0]!.name}”` : String(deletable.length)
    const ask =
      deletable.length === 1
        ? tr('del.ask', { name: deletable[0]!.name })
        : tr('del.askMany', { n: deletable.length, names: namesList(deletable.map((im) => im.name)) })
    if (!(await confirm(skippedMsg ? `${ask}\n${skippedMsg}` : ask, tr('del.title')))) return
    const confirmed = await guard(what)
    if (confirmed === null) return
    let ok = 0
    const failures: unknown[] = []
    for (const im of deletable) {
      try {
        await call(api.images.delete(ctx, im.id, confirmed || undefined))
        images.removeIds(ctx, [im.id])
        ok++
      } catch (e) {
        failures.push(e)
      }
    }
    if (ok) notify.success(tr('del.done', { n: ok }))
    if (skippedMsg) notify.warn(skippedMsg)
    if (failures.length) notify.error(failures[0], tr('del.failed', { n: failures.length }))
  }

  /** Download images: a native save dialog each (safe default name), then a queued job. */
  async function download(ctx: CloudContext, list: ImageDTO[]): Promise<void> {
    for (const im of list) {
      try {
        const ref = await call(api.files.pickSave('image', safeFileName(im.name, im.diskFormat, im.id)))
        if (!ref) return
        await transfers.download(ctx, im.id, ref.handle)
        notify.success(tr('download.queued', { name: im.name }))
      } catch (e) {
        notify.error(e)
      }
    }
  }

  async function setActive(ctx: CloudContext, im: ImageDTO, active: boolean): Promise<void> {
    try {
      if (active) await call(api.images.reactivate(ctx, im.id))
      else {
        const confirmed = await guard(im.name, 'change')
        if (confirmed === null) return
        await call(api.images.deactivate(ctx, im.id, confirmed || undefined))
      }
      notify.success(tr(active ? 'action.reactivated' : 'action.deactivated'))
      await images.refreshOne(ctx, im.id).catch(() => null)
    } catch (e) {
      notify.error(e)
    }
  }

  async function copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text)
      notify.success(tr('app.copied'))
    } catch (e) {
      notify.error(toAppError(e))
    }
  }

  return { remove, download, setActive, copy, confirm, guard }
}
