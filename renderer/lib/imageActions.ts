/**
 * The image actions of the UI: the rows of THE action table, IMAGE_ACTIONS (preload/rules/permissions.ts: label key,
 * button scope, test id, danger, next to the permission rules), plus the toolbar icons, the one renderer-side
 * addition. The toolbar (ImagesView), the drawer (ImageDetailDrawer) and the rights of a connection report
 * (ConnectionReportView) are drawn from it; ImagesView's `RUN` table (`Record<ButtonAction, ...>`) makes the typecheck
 * ask what a new button does. Recipe: docs/architecture.md, "Add an image action".
 *
 *   on          | toolbar verdict                         | drawer
 *   ------------|-----------------------------------------|---------------------------
 *   'one'       | exactly one selected image may do it     | a button
 *   'selection' | the selected images that may do it       | a button
 *   absent      | not a button (create, publicize, import) | -
 */
import type { Component } from 'vue'
import { Delete, Download, Edit, Files, PriceTag, Share } from '@element-plus/icons-vue'
import { IMAGE_ACTIONS, type ActionRow, type ImageAction } from '@contract/rules/permissions'
import type { Messages } from '@/i18n/en'

export { IMAGE_ACTIONS }
export type ActionScope = 'one' | 'selection'

/** Toolbar icons; an action without one is a text button. */
const ICONS: Partial<Record<ImageAction, Component>> = {
  modify: Edit,
  editTags: PriceTag,
  download: Download,
  createVolume: Files,
  share: Share,
  delete: Delete,
}

/** The actions that are buttons on images. */
export type ButtonAction = { [K in ImageAction]: (typeof IMAGE_ACTIONS)[K] extends { on: ActionScope } ? K : never }[ImageAction]

export interface ButtonRow {
  /** The catalogue key of its label. */
  label: string
  on: ActionScope
  icon?: Component
  /** The toolbar button's test id (the drawer's is `detail-<action>`). */
  testid: string
  danger?: true
}

/** `a.b.c`: the keys of the English catalogue. */
type CatalogueKey<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : T[K] extends Record<string, unknown> ? CatalogueKey<T[K], `${P}${K}.`> : never
}[keyof T & string]

/** An action's label key. Typed: a row whose label is not in renderer/i18n/en.ts fails the typecheck here. */
export function labelOf(name: ImageAction): CatalogueKey<Messages> {
  return IMAGE_ACTIONS[name].label
}

/** The buttons, in table order. */
export const BUTTON_ACTIONS: readonly { name: ButtonAction; row: ButtonRow }[] = (Object.keys(IMAGE_ACTIONS) as ImageAction[]).flatMap((name) => {
  const row: ActionRow = IMAGE_ACTIONS[name]
  if (!row.on) return []
  const button: ButtonRow = { label: labelOf(name), on: row.on, testid: row.testid ?? `btn-${name}` }
  const icon = ICONS[name]
  if (icon) button.icon = icon
  if (row.danger) button.danger = row.danger
  return [{ name: name as ButtonAction, row: button }]
})
