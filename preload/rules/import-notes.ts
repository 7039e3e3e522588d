/**
 * B3 (issue 14.7): the warnings and errors of a profile-import candidate in the UI's language.
 *
 * | the candidate has                          | line shown                                          |
 * |--------------------------------------------|-----------------------------------------------------|
 * | issues.<kind>[i] the catalogue knows       | errorReason.PROFILE_IMPORT.<reason> with its params |
 * | no issues, or a reason the catalogue lacks | the English string <kind>[i] (the fallback)         |
 * Pure: the translator is passed in (vue-i18n's t in the dialog).
 */
import { describeReason, type Translate } from './messages'
import type { ImportCandidate } from '../api'

export function importNotes(c: Pick<ImportCandidate, 'warnings' | 'errors' | 'issues'>, kind: 'warnings' | 'errors', t: Translate): string[] {
  const english = (kind === 'warnings' ? c.warnings : c.errors) ?? []
  const coded = c.issues?.[kind] ?? []
  return english.map((line, i) => {
    const r = coded[i]
    return (r && describeReason('PROFILE_IMPORT', r, t)) || line
  })
}
