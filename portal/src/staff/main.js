// The EZSCALE staff console: a second page of the portal build, served at
// /staff/, for PocketBase superusers only.
import { createApp } from 'vue'
import StaffApp from './StaffApp.vue'
import { router } from './router.js'
import { startWithCurrencies } from '../lib/start.js'
import '../style.css'

startWithCurrencies(() => createApp(StaffApp).use(router).mount('#app'))
