import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router.js'
import { startWithCurrencies } from './lib/start.js'
import './style.css'

startWithCurrencies(() => createApp(App).use(router).mount('#app'))
