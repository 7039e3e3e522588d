import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/dark/css-vars.css'
import 'element-plus/es/components/message-box/style/css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/notification/style/css'
import './styles/app.css'
import App from './App.vue'
import { i18n } from './i18n'
import { createAppRouter } from './router'

createApp(App).use(createPinia()).use(i18n).use(createAppRouter()).mount('#app')
