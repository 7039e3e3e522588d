/**
 * Issue 14.7 (B3): the profile-import dialog shows a candidate's errors and warnings in the UI's language (worded from
 * issues.*: reason + params), and the English string when the catalogue lacks the reason.
 */
import { afterEach, expect, it } from 'vitest'
import { defaultProfileInput, type ImportPreview } from '../../preload/api'
import ImportProfilesDialog from '@/components/ImportProfilesDialog.vue'
import { installMockApi, ok } from './support/mockApi'
import { byTestId, flush, mountWith } from './support/mount'

// The shape main/profiles/service.ts importPreview returns for `auth_type: token` + an ftp auth URL (see
// test/main/profiles/import-words.test.ts for the main side).
const preview: ImportPreview = {
  sources: ['clouds.yaml'],
  candidates: [
    {
      key: 'c0-bad',
      profile: defaultProfileInput({ name: 'bad', authUrl: 'ftp://x/v3' }),
      hasSecret: false,
      warnings: ['TLS certificate verification is turned off for this cloud (verify: false).', 'A new English-only note.'],
      errors: ['auth.auth_url "ftp://x/v3" is not an http(s) URL.'],
      issues: {
        warnings: [{ reason: 'verifyOff', params: {} }, { reason: 'notInCatalogue' }],
        errors: [{ reason: 'authUrlNotHttp', params: { url: 'ftp://x/v3' } }],
      },
    },
  ],
}

afterEach(() => {
  document.body.innerHTML = ''
})

it.each([
  ['zh-CN', 'auth.auth_url “ftp://x/v3” 不是 http(s) 地址。', '此云已关闭 TLS 证书校验（verify: false）。'],
  ['en', 'auth.auth_url “ftp://x/v3” is not an http(s) URL.', 'TLS certificate verification is turned off for this cloud (verify: false).'],
] as const)('an import candidate with an error shows the sentence in %s', async (locale, error, warning) => {
  const api = installMockApi()
  api.profiles.importPreview!.mockImplementation(() => ok(preview))
  const w = mountWith(ImportProfilesDialog, { props: { modelValue: true } }, locale)
  await flush()
  byTestId('import-preview')!.click()
  for (let i = 0; i < 5; i++) await flush()
  const row = byTestId('import-candidate-c0-bad')!
  expect(row.querySelector('[data-testid="import-error"]')!.textContent).toContain(error)
  expect(row.textContent).toContain(warning)
  expect(row.textContent).toContain('A new English-only note.')
  w.unmount()
})
