import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
// The first screen is part of the first bundle (issue 16.4, cold start): a lazy images view was fetched only once
// the app's scripts had run, and mounted (and asked for the list) after that fetch; now it mounts with the app and
// asks for the list as soon as the profile is known. The other views stay lazy.
import ImagesView from './views/ImagesView.vue'

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/images' },
  { path: '/images', name: 'images', component: ImagesView },
  { path: '/profiles', name: 'profiles', component: () => import('./views/ProfilesView.vue') },
  { path: '/transfers', name: 'transfers', component: () => import('./views/TransfersView.vue') },
  { path: '/fleet', name: 'fleet', component: () => import('./views/FleetView.vue') },
  { path: '/:rest(.*)*', redirect: '/images' },
]

export function createAppRouter() {
  return createRouter({ history: createWebHashHistory(), routes })
}
