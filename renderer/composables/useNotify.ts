/** Messages to the user: errors in plain words with the request id, successes. (UI side: stores never call this.) */
import { ElMessage } from 'element-plus/es/components/message/index'
import { ElNotification } from 'element-plus/es/components/notification/index'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/notification/style/css'
import { useI18n } from 'vue-i18n'
import { describeError, errorLine } from '@/lib/errors'
import { issueText, type Issue } from '@/lib/imageForm'

export function useNotify() {
  const { t } = useI18n()
  const tr = (k: string, p?: Record<string, unknown>): string => (p ? t(k, p) : t(k))

  function error(e: unknown, title?: string): void {
    const d = describeError(e, tr)
    const lines = [d.text]
    if (d.detail) lines.push(d.detail)
    if (d.requestId) lines.push(tr('error.requestId', { id: d.requestId }))
    ElNotification({
      type: 'error',
      title: title ?? tr('error.title'),
      message: lines.join('\n'),
      duration: 8000,
      customClass: 'gd-notify-error',
    })
  }
  function success(msg: string): void {
    ElMessage({ type: 'success', message: msg, grouping: true })
  }
  function info(msg: string): void {
    ElMessage({ type: 'info', message: msg, grouping: true })
  }
  function warn(msg: string): void {
    ElMessage({ type: 'warning', message: msg, grouping: true })
  }
  function reason(issue: Issue | undefined): string {
    return issue ? issueText(issue, tr) : ''
  }
  return { error, success, info, warn, reason, line: (e: unknown) => errorLine(e, tr), tr }
}
