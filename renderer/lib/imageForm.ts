/** The create / modify image form: model, validation, cross-field checks, and mapping to the contract. Pure. */
import type { ConsoleFields, DiskFormat, FileRef, ImageCreateInput, ImageDTO, InspectionReport } from '@contract/api'
import { inspectionText, type InspectionLocale } from '@contract/rules/inspection'
import { defaultFields } from './fields'
import { bytesToGiBCeil } from './format'

/** A message to translate: an i18n key and its parameters (param values that are keys are marked with `@`). */
export interface Issue {
  key: string
  params?: Record<string, string | number>
}

export type SourceKind = 'file' | 'url' | 'none'

export interface CreateForm {
  name: string
  sourceKind: SourceKind
  file: FileRef | null
  url: string
  diskFormat: DiskFormat | 'auto'
  fields: ConsoleFields
  tags: string[]
  /** When not public: private (the default) or shared. */
  visibility: 'private' | 'shared'
}

export type Visibility3 = 'private' | 'shared' | 'public'

/** The form's visibility, public included. */
export function visibilityOf(form: Pick<CreateForm, 'fields' | 'visibility'>): Visibility3 {
  return form.fields.public ? 'public' : form.visibility
}

/** The form with visibility `v` (public sets the console field, private/shared the extra attribute). */
export function withVisibility<T extends Pick<CreateForm, 'fields' | 'visibility'>>(form: T, v: Visibility3): T {
  return { ...form, fields: { ...form.fields, public: v === 'public' }, visibility: v === 'shared' ? 'shared' : 'private' }
}

export type InspectionState = { state: 'idle' } | { state: 'running' } | { state: 'done'; report: InspectionReport } | { state: 'failed'; message: string }

export interface FormCheck {
  /** Blocking errors, keyed by form field (`name`, `source`, `minDiskGiB`, ...). */
  errors: Record<string, Issue[]>
  /** Cross-field warnings: shown before submit, the user may go on. */
  warnings: Issue[]
}

export const MAX_NAME = 255
export const MAX_DESCRIPTION = 255
export const MAX_GIB = 1024 * 1024 // 1 PiB: Glance's min_disk is an int in GB; anything beyond is a typo
export const MAX_TAGS = 128

export function emptyCreateForm(): CreateForm {
  return { name: '', sourceKind: 'file', file: null, url: '', diskFormat: 'auto', fields: defaultFields(), tags: [], visibility: 'private' }
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s.trim())
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname
  } catch {
    return false
  }
}

function add(errors: Record<string, Issue[]>, field: string, issue: Issue): void {
  ;(errors[field] ??= []).push(issue)
}

function checkGiB(errors: Record<string, Issue[]>, field: 'minDiskGiB' | 'minRamGiB', v: unknown, label: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) add(errors, field, { key: 'valid.integer', params: { field: `@${label}` } })
  else if (v > MAX_GIB) add(errors, field, { key: 'valid.tooBig', params: { field: `@${label}` } })
}

export function validTag(tag: string): boolean {
  return tagIssue(tag) === null
}

/** What is wrong with a tag (an i18n key), or null. Glance refuses 4-byte UTF-8 ("Param values can't contain 4 byte unicode"). */
export function tagIssue(tag: string): 'valid.badTag' | 'valid.tagFourByte' | null {
  if (!tag.trim().length || tag.length > 255 || tag.includes('/')) return 'valid.badTag'
  for (const ch of tag) if (ch.codePointAt(0)! > 0xffff) return 'valid.tagFourByte'
  return null
}

/**
 * Whether a declared disk format contradicts what inspection found (the same rule as main/transfers/inspect.ts):
 *   | found             | declared                          | verdict  |
 *   | = declared        |                                   | ok       |
 *   | iso               | raw                               | ok       |
 *   | anything          | ami, ari, aki, ploop (no magic)   | ok       |
 *   | raw / unknown     | raw                               | ok       |
 *   | otherwise         |                                   | mismatch |
 */
export function formatContradicts(found: InspectionReport['format'], declared: DiskFormat): boolean {
  const f = found === 'unknown' ? 'raw' : found
  if (f === declared) return false
  if (f === 'iso' && declared === 'raw') return false
  return !['ami', 'ari', 'aki', 'ploop'].includes(declared)
}

/** Checks shared by create and modify: name, numbers, description. */
export function checkFields(name: string, fields: ConsoleFields, errors: Record<string, Issue[]>): void {
  if (!name.trim()) add(errors, 'name', { key: 'valid.required', params: { field: '@field.name' } })
  else if (name.length > MAX_NAME) add(errors, 'name', { key: 'valid.tooLong', params: { field: '@field.name', max: MAX_NAME } })
  else if (/[\r\n]/.test(name)) add(errors, 'name', { key: 'valid.nameNoNewline' })
  checkGiB(errors, 'minDiskGiB', fields.minDiskGiB, 'field.minDisk')
  checkGiB(errors, 'minRamGiB', fields.minRamGiB, 'field.minRam')
  if ((fields.description ?? '').length > MAX_DESCRIPTION)
    add(errors, 'description', { key: 'valid.tooLong', params: { field: '@field.description', max: MAX_DESCRIPTION } })
}

/** Cross-field checks: warnings, not errors (the user knows their images). */
export function crossFieldWarnings(fields: ConsoleFields, virtualSize: number | null | undefined, diskFormat?: string | null): Issue[] {
  const w: Issue[] = []
  if (fields.architecture === 'arm' && fields.virtualization === 'baremetal' && fields.bootMode === 'bios') w.push({ key: 'valid.armBios' })
  const needed = bytesToGiBCeil(virtualSize)
  if (needed > 0 && typeof fields.minDiskGiB === 'number' && fields.minDiskGiB < needed)
    w.push({ key: 'valid.minDiskBelowVirtual', params: { minDisk: fields.minDiskGiB, needed } })
  if (fields.virtualization === 'baremetal' && diskFormat && !['raw', 'qcow2', 'auto'].includes(diskFormat))
    w.push({ key: 'valid.baremetalFormat', params: { format: diskFormat } })
  return w
}

/**
 * The inspector's refusals or warnings as sentences in the UI's language: the coded `report.issues` worded through
 * preload/rules/inspection.ts; the English `report.unsafe` / `report.warnings` only for a report without them.
 *
 *   report.issues | locale  | returns
 *   --------------|---------|----------------------------------------------------------
 *   present       | zh-CN   | inspectionText(issue, 'zh-CN') for each issue of `kind`
 *   present       | other   | inspectionText(issue, 'en') for each issue of `kind`
 *   absent        | any     | report[kind] (the English fallback strings), as is
 */
export function inspectionLines(report: InspectionReport, kind: 'unsafe' | 'warnings', locale: string): string[] {
  if (!report.issues) return report[kind]
  const lang: InspectionLocale = locale === 'zh-CN' ? 'zh-CN' : 'en'
  return report.issues[kind].map((i) => inspectionText(i, lang))
}

export function validateCreate(form: CreateForm, inspection: InspectionState, locale = 'en'): FormCheck {
  const errors: Record<string, Issue[]> = {}
  checkFields(form.name, form.fields, errors)
  if (form.sourceKind === 'file') {
    if (!form.file) add(errors, 'source', { key: 'valid.chooseFile' })
    else if (inspection.state === 'running') add(errors, 'source', { key: 'valid.inspecting' })
    else if (inspection.state === 'failed') add(errors, 'source', { key: 'valid.inspectFailed', params: { reason: inspection.message } })
    else if (inspection.state === 'done') {
      const unsafe = inspectionLines(inspection.report, 'unsafe', locale)
      if (unsafe.length) add(errors, 'source', { key: 'valid.unsafe', params: { reason: unsafe.join(locale === 'zh-CN' ? '；' : '; ') } })
    }
  } else if (form.sourceKind === 'url') {
    if (!form.url.trim()) add(errors, 'source', { key: 'valid.required', params: { field: '@field.url' } })
    else if (!isHttpUrl(form.url)) add(errors, 'source', { key: 'valid.badUrl' })
  }
  if (form.sourceKind !== 'file' && form.diskFormat === 'auto') add(errors, 'diskFormat', { key: 'valid.chooseFormat' })
  if (form.sourceKind === 'file' && form.diskFormat !== 'auto' && inspection.state === 'done' && formatContradicts(inspection.report.format, form.diskFormat)) {
    const detected = inspection.report.format === 'unknown' ? 'raw' : inspection.report.format
    add(errors, 'diskFormat', { key: 'valid.formatMismatch', params: { detected, declared: form.diskFormat } })
  }
  const badTag = form.tags.map(tagIssue).find((k) => k !== null)
  if (form.tags.length > MAX_TAGS) add(errors, 'tags', { key: 'valid.tooManyTags' })
  else if (badTag) add(errors, 'tags', { key: badTag })
  const virtualSize = form.sourceKind === 'file' && inspection.state === 'done' ? inspection.report.virtualSize : null
  const fmt = form.diskFormat === 'auto' && inspection.state === 'done' ? inspection.report.proposedDiskFormat : form.diskFormat
  return { errors, warnings: crossFieldWarnings(form.fields, virtualSize, fmt) }
}

export function hasErrors(c: FormCheck): boolean {
  return Object.values(c.errors).some((l) => l.length > 0)
}

/** Apply an inspection report to the form: disk format and min disk (never lowering what the user typed). */
export function applyInspection(form: CreateForm, report: InspectionReport): CreateForm {
  const fields = { ...form.fields }
  if (report.proposedMinDiskGiB > (fields.minDiskGiB ?? 0)) fields.minDiskGiB = report.proposedMinDiskGiB
  return { ...form, diskFormat: report.proposedDiskFormat, fields }
}

/** Fields as sent: boot mode only for bare metal, empty description dropped. */
export function cleanFields(fields: ConsoleFields): ConsoleFields {
  const out: ConsoleFields = { ...fields }
  if (out.virtualization !== 'baremetal') delete out.bootMode
  if (!out.description) delete out.description
  if (!out.osType) delete out.osType
  return out
}

export function toCreateInput(form: CreateForm, draft = false): ImageCreateInput {
  const source: ImageCreateInput['source'] =
    form.sourceKind === 'file' && form.file
      ? { kind: 'file', fileHandle: form.file.handle }
      : form.sourceKind === 'url'
        ? { kind: 'url', url: form.url.trim() }
        : { kind: 'none' }
  // no hidden default: without a file, "auto" stays "auto" (validateCreate refuses it; the main process too)
  const input: ImageCreateInput = {
    name: form.name.trim(),
    fields: cleanFields(form.fields),
    diskFormat: form.diskFormat,
    source,
  }
  if (!form.fields.public && form.visibility === 'shared') input.visibility = 'shared'
  if (form.tags.length) input.tags = [...form.tags]
  if (draft) input.draft = true
  return input
}

/** The modify-config form from an image. */
export function editFormFrom(im: ImageDTO): { name: string; fields: ConsoleFields } {
  return { name: im.name, fields: { ...defaultFields(), ...im.fields, description: im.fields.description ?? '' } }
}

/** Only what changed, for a PATCH. */
export function diffFields(before: ConsoleFields, after: ConsoleFields): Partial<ConsoleFields> {
  const out: Partial<ConsoleFields> = {}
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof ConsoleFields>
  for (const k of keys) {
    const a = before[k] ?? undefined
    const b = after[k] ?? undefined
    const na = a === '' ? undefined : a
    const nb = b === '' ? undefined : b
    if (na !== nb) (out as Record<string, unknown>)[k] = b
  }
  return out
}

/** Volume size the image needs: max(minDisk, ceil(virtualSize / GiB), ceil(size / GiB)), at least 1. */
export function volumeMinSize(im: Pick<ImageDTO, 'minDisk' | 'virtualSize' | 'size'>): number {
  const fromVirtual = bytesToGiBCeil(im.virtualSize)
  const fromSize = im.virtualSize ? 0 : bytesToGiBCeil(im.size)
  return Math.max(1, im.minDisk || 0, fromVirtual, fromSize)
}

/** Translate an Issue; parameters written `@some.key` are translated too. */
export function issueText(issue: Issue, t: (k: string, p?: Record<string, unknown>) => string): string {
  if (issue.key === '@raw') return String(issue.params?.text ?? '')
  const params: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(issue.params ?? {})) params[k] = typeof v === 'string' && v.startsWith('@') ? t(v.slice(1)) : v
  return t(issue.key, params)
}
