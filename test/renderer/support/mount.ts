import { mount, type ComponentMountingOptions } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import { createAppI18n, type AppLocale } from '@/i18n'
import type { Component } from 'vue'

export function mountWith<C extends Component>(comp: C, opts: ComponentMountingOptions<C> = {}, locale: AppLocale = 'en') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const i18n = createAppI18n(locale)
  return mount(comp, {
    attachTo: document.body,
    ...opts,
    global: { plugins: [ElementPlus, pinia, i18n], ...(opts.global ?? {}) },
  } as ComponentMountingOptions<C>)
}

export const flush = () => new Promise((r) => setTimeout(r, 0))

/** Find in the whole document (dialogs are teleported to body). */
export function byTestId(id: string): HTMLElement | null {
  return document.body.querySelector(`[data-testid="${id}"]`)
}
