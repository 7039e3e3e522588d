/**
 * The main process's confirmations as native message boxes (Platform.dialogs.confirm). The words are here, in both
 * languages, because no renderer is involved (a compromised one must not be able to answer or reword them); they
 * can move to the shared catalogues once the main process reads them (main/i18n.ts).
 */
import type { MessageBoxOptions } from 'electron'
import type { ConfirmRequest } from '../platform'

type Words = { title: string; yes: string; no: string; ask: Record<ConfirmRequest['purpose'], string> }

const WORDS: Record<'en' | 'zh', Words> = {
  en: {
    title: 'Please confirm',
    yes: 'Continue',
    no: 'Cancel',
    ask: {
      insecureTls: 'Turn off certificate checks for “{name}”? Its saved secret would then be sent to a server whose identity is not verified.',
      caFile: 'Trust another CA certificate for “{name}”? Its saved secret will be sent to servers that certificate vouches for.',
      endpointOverride: 'Send the sign-in token of “{name}” to these endpoints?',
      plainHttp: 'The auth URL of “{name}” uses http:// to another computer: the password or secret travels unencrypted. Continue?',
      publicImage: 'Make the image “{name}” public (visible to every project of the cloud)?',
      manifestFile: 'The manifest names files that were not chosen in a dialog. Upload them?',
    },
  },
  zh: {
    title: '请确认',
    yes: '继续',
    no: '取消',
    ask: {
      insecureTls: '要为“{name}”关闭证书校验吗？保存的密钥将被发送到身份未经验证的服务器。',
      caFile: '要为“{name}”信任另一个 CA 证书吗？保存的密钥将被发送到该证书担保的服务器。',
      endpointOverride: '要把“{name}”的登录令牌发送到以下端点吗？',
      plainHttp: '“{name}”的认证地址使用 http:// 连接另一台计算机：密码或密钥将以明文传输。继续吗？',
      publicImage: '要将镜像“{name}”设为公有（云中所有项目可见）吗？',
      manifestFile: '清单中的文件不是通过对话框选择的。要上传它们吗？',
    },
  },
}

/** The message box for a confirmation (pure). "Cancel" is the default and the Escape answer. */
export function confirmBoxOptions(req: ConfirmRequest, locale: string): MessageBoxOptions {
  const w = WORDS[locale.toLowerCase().startsWith('zh') ? 'zh' : 'en']
  return {
    type: 'warning',
    title: w.title,
    message: w.ask[req.purpose].replace('{name}', req.name ?? ''),
    detail: req.subjects.slice(0, 20).join('\n'),
    buttons: [w.no, w.yes],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  }
}
