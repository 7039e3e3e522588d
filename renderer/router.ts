import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/images' },
  { path: '/images', name: 'images', component: () => import('./views/ImagesView.vue') },
  { path: '/profiles', name: 'profiles', component: () => import('./views/ProfilesView.vue') },
  { path: '/transfers', name: 'transfers', component: () => import('./views/TransfersView.vue') },
  { path: '/fleet', name: 'fleet', component: () => import('./views/FleetView.vue') },
  { path: '/:rest(.*)*', redirect: '/images' },
]

export function createAppRouter() {
  return createRouter({ history: createWebHashHistory(), routes })
}
