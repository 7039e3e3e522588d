/**
 * The image actions of the UI, one row each: the label, whether it is a button on the selection (toolbar) and on the
 * image (detail drawer), its icon and test id. The toolbar (ImagesView), the drawer (ImageDetailDrawer) and the rights
 * of a connection report (ConnectionReportView) are drawn from this table; `Record<ImageAction, ...>` makes the
 * typecheck ask for a row when an action is added to `ActionName` (preload/contract/images.ts), and ImagesView's `RUN` table
 * (`Record<ButtonAction, ...>`) for what a button does. Recipe: docs/architecture.md, "Add an image action".
 *
 *   on          | toolbar verdict                         | drawer
 *   ------------|-----------------------------------------|---------------------------
 *   'one'       | exactly one selected image may do it     | a button
 *   'selection' | the selected images that may do it       | a button
 *   absent      | not a button (create, publicize, import) | -
 */
import type { Component } from 'vue'
import { Delete, Download, Edit, Files, PriceTag, Share } from '@element-plus/icons-vue'
import type { ImageAction } from './permissions'

export type ActionScope = 'one' | 'selection'

interface ActionRow {
  /** The catalogue key of its label (renderer/i18n). */
  label: string
  on?: ActionScope
  icon?: Component
  /** Toolbar button test id (the drawer's is `detail-<action>`). */
  testid?: string
  danger?: boolean
}

/** In button order. */
export const IMAGE_ACTIONS = {
  create: { label: 'nav.newImage' },
  publicize: { label: 'field.public' },
  import: { label: 'transfers.kind.import' },
  modify: { label: 'action.modify', on: 'one', icon: Edit, testid: 'btn-modify' },
  editTags: { label: 'action.tags', on: 'selection', icon: PriceTag, testid: 'btn-tags' },
  download: { label: 'action.download', on: 'selection', icon: Download, testid: 'btn-download' },
  createVolume: { label: 'action.createVolume', on: 'one', icon: Files, testid: 'btn-create-volume' },
  share: { label: 'action.share', on: 'one', icon: Share, testid: 'btn-share' },
  deactivate: { label: 'action.deactivate', on: 'one', testid: 'btn-deactivate' },
  reactivate: { label: 'action.reactivate', on: 'one', testid: 'btn-reactivate' },
  delete: { label: 'action.delete', on: 'selection', icon: Delete, testid: 'btn-delete', danger: true },
} as const satisfies Record<ImageAction, ActionRow>

/** The actions that are buttons on images. */
export type ButtonAction = { [K in ImageAction]: (typeof IMAGE_ACTIONS)[K] extends { on: ActionScope } ? K : never }[ImageAction]

export const BUTTON_ACTIONS: readonly { name: ButtonAction; row: ActionRow & { on: ActionScope } }[] = (Object.keys(IMAGE_ACTIONS) as ImageAction[]).flatMap(
  (name) => {
    const row: ActionRow = IMAGE_ACTIONS[name]
    return row.on ? [{ name: name as ButtonAction, row: row as ActionRow & { on: ActionScope } }] : []
  },
)
