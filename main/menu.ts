/**
 * The application menu. Its actions become `EVENTS.app.command` events for the renderer (which owns the UI state), except
 * Quit, the window roles and "open documentation" (the checked external helper).
 */
import { Menu, type MenuItemConstructorOptions } from 'electron'
import type { AppCommand } from '../preload/api'

export type { AppCommand }

export const DOCS_URL = 'https://github.com/glance-desktop/glance-desktop#readme'

export interface MenuDeps {
  isDev: boolean
  platform: NodeJS.Platform
  appName: string
  /** Sends the command to the main window (`EVENTS.app.command`). */
  command(command: AppCommand): void
  openDocs(): void
}

export function menuTemplate(d: MenuDeps): MenuItemConstructorOptions[] {
  const send = (command: AppCommand) => (): void => d.command(command)
  const mac = d.platform === 'darwin'
  const template: MenuItemConstructorOptions[] = []
  if (mac) {
    template.push({
      label: d.appName,
      submenu: [
        { label: `About ${d.appName}`, click: send('about') },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    })
  }
  template.push({
    label: '&File',
    submenu: [
      { id: 'newImage', label: 'New Image…', accelerator: 'CmdOrCtrl+N', click: send('newImage') },
      { id: 'importProfiles', label: 'Import Profiles…', accelerator: 'CmdOrCtrl+I', click: send('importProfiles') },
      { type: 'separator' },
      { id: 'profiles', label: 'Profiles', accelerator: 'CmdOrCtrl+,', click: send('profiles') },
      { id: 'transfers', label: 'Transfers', accelerator: 'CmdOrCtrl+T', click: send('transfers') },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  })
  template.push({ role: 'editMenu' })
  const view: MenuItemConstructorOptions[] = [
    { id: 'refresh', label: 'Refresh', accelerator: 'CmdOrCtrl+R', click: send('refresh') },
    { id: 'search', label: 'Search', accelerator: 'CmdOrCtrl+F', click: send('search') },
  ]
  if (d.isDev) {
    view.push({ type: 'separator' }, { role: 'reload', accelerator: 'CmdOrCtrl+Shift+R' }, { role: 'toggleDevTools' })
  }
  view.push({ type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' })
  template.push({ label: '&View', submenu: view })
  template.push({ role: 'windowMenu' })
  template.push({
    role: 'help',
    submenu: [
      { id: 'docs', label: 'Documentation', click: () => d.openDocs() },
      ...(mac ? [] : [{ type: 'separator' as const }, { id: 'about', label: `About ${d.appName}`, click: send('about') }]),
    ],
  })
  return template
}

export function installMenu(d: MenuDeps): Menu {
  const menu = Menu.buildFromTemplate(menuTemplate(d))
  Menu.setApplicationMenu(menu)
  return menu
}
