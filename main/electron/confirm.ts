/**
 * The main process's confirmations as native message boxes (Platform.dialogs.confirm), worded in the UI's language
 * from the shared catalogues (renderer/i18n/*: confirmBox.*) through main/i18n.ts, in this process: no renderer is
 * involved (a compromised one must not be able to answer or reword them).
 */
import type { MessageBoxOptions } from 'electron'
import type { ConfirmRequest } from '../platform'
import { toUiLocale, translator } from '../i18n'

/** The message box for a confirmation (pure). "Cancel" is the default and the Escape answer. */
export function confirmBoxOptions(req: ConfirmRequest, locale: string): MessageBoxOptions {
  const t = translator(toUiLocale(locale))
  return {
    type: 'warning',
    title: t('confirmBox.title'),
    message: t(`confirmBox.ask.${req.purpose}`, { name: req.name ?? '' }),
    detail: req.subjects.slice(0, 20).join('\n'),
    buttons: [t('confirmBox.no'), t('confirmBox.yes')],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  }
}
