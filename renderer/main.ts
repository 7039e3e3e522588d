import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/dark/css-vars.css'
import 'element-plus/es/components/message-box/style/css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/notification/style/css'
import App from './App.vue'
import { i18n } from './i18n'
import { createAppRouter } from './router'
// The app's own rules after every component stylesheet of the first bundle: they override Element Plus's with
// selectors of the same weight (`.gd-lang` over `.el-select`), so they must come last. (With the images view in
// the first bundle, Element Plus's select styles landed after them and the language switch grew to full width.)
import './styles/app.css'

createApp(App).use(createPinia()).use(i18n).use(createAppRouter()).mount('#app')
