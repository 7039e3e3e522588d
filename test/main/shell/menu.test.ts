import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { MenuItemConstructorOptions } from 'electron'
import { fake, resetFake } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron())

const { menuTemplate, installMenu } = await import('../../../main/menu')

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])])
}
const click = (i: MenuItemConstructorOptions | undefined): void => (i?.click as unknown as () => void)()

describe('application menu', () => {
  beforeEach(() => resetFake())

  const build = (isDev: boolean, platform: NodeJS.Platform = 'linux') => {
    const commands: string[] = []
    const docs = vi.fn()
    const items = flatten(menuTemplate({ isDev, platform, appName: 'Glance Desktop', command: (c) => commands.push(c), openDocs: docs }))
    return { items, commands, docs }
  }

  it('sends app:command for File / View / Help actions', () => {
    const { items, commands, docs } = build(false)
    for (const id of ['newImage', 'importProfiles', 'refresh', 'search', 'about']) click(items.find((i) => i.id === id))
    expect(commands).toEqual(['newImage', 'importProfiles', 'refresh', 'search', 'about'])
    click(items.find((i) => i.id === 'docs'))
    expect(docs).toHaveBeenCalledOnce()
    expect(items.some((i) => i.role === 'quit')).toBe(true)
    expect(items.some((i) => i.role === 'editMenu')).toBe(true)
    expect(items.some((i) => i.role === 'windowMenu')).toBe(true)
  })

  it('offers reload and devtools in development only', () => {
    expect(build(false).items.some((i) => i.role === 'reload' || i.role === 'toggleDevTools' || i.role === 'forceReload')).toBe(false)
    const dev = build(true).items
    expect(dev.some((i) => i.role === 'reload')).toBe(true)
    expect(dev.some((i) => i.role === 'toggleDevTools')).toBe(true)
  })

  it('has the app menu on macOS', () => {
    const { items } = build(false, 'darwin')
    expect(items[0]?.label).toBe('Glance Desktop')
  })

  it('installs itself as the application menu', () => {
    const commands: string[] = []
    installMenu({ isDev: false, platform: 'linux', appName: 'G', command: (c) => commands.push(c), openDocs: () => {} })
    expect(fake.menu.applied).toBeTruthy()
    click(flatten(fake.menu.template as MenuItemConstructorOptions[]).find((i) => i.id === 'newImage'))
    expect(commands).toEqual(['newImage'])
  })
})
