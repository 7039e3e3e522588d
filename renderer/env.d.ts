/// <reference types="vite/client" />
import type { Api } from '../preload/api'

declare global {
  interface Window {
    api: Api
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
