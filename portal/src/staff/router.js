// The staff console's routes, under /staff/. Every page but the login
// needs a superuser session of the console's own client.
import { createRouter, createWebHistory } from 'vue-router'
import { staffSignedIn } from './lib/pb.js'
import { mustRegisterPasskey } from './lib/passkeys.js'

const routes = [
  { path: '/', name: 'analytics', component: () => import('./pages/Analytics.vue'), meta: { auth: true, title: 'Analytics' } },
  { path: '/queue', name: 'queue', component: () => import('./pages/Queue.vue'), meta: { auth: true, title: 'Work queue' } },
  { path: '/operations', redirect: (to) => ({ path: '/queue', query: to.query }) },
  { path: '/bandwidth', name: 'bandwidth', component: () => import('./pages/Bandwidth.vue'), meta: { auth: true, title: 'Bandwidth' } },
  { path: '/search', name: 'search', component: () => import('./pages/Search.vue'), meta: { auth: true, title: 'Search' } },
  { path: '/customers', name: 'customers', component: () => import('./pages/Customers.vue'), meta: { auth: true, title: 'Customers' } },
  { path: '/customers/:id', name: 'customer', component: () => import('./pages/Customer.vue'), meta: { auth: true, title: 'Customer' } },
  { path: '/invoices/new', name: 'invoice-new', component: () => import('./pages/InvoiceNew.vue'), meta: { auth: true, title: 'New invoice' } },
  { path: '/invoices/:id', name: 'invoice', component: () => import('./pages/Invoice.vue'), meta: { auth: true, title: 'Invoice' } },
  { path: '/services/:id', name: 'service', component: () => import('./pages/Service.vue'), meta: { auth: true, title: 'Service' } },
  { path: '/orders/hardware', name: 'hardware', component: () => import('./pages/Hardware.vue'), meta: { auth: true, title: 'Hardware to assign' } },
  { path: '/orders/waitlist', name: 'waitlist', component: () => import('./pages/Waitlist.vue'), meta: { auth: true, title: 'Wait-listed orders' } },
  { path: '/security', name: 'security', component: () => import('./pages/Security.vue'), meta: { auth: true, title: 'Security' } },
  { path: '/login', name: 'login', component: () => import('./pages/Login.vue'), meta: { guest: true, title: 'Staff log in' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFound.vue'), meta: { auth: true, title: 'Not found' } },
]

export const router = createRouter({
  history: createWebHistory('/staff/'),
  routes,
  scrollBehavior: (to, from, saved) => saved || { top: 0 },
})

// safeNext keeps a post-login redirect inside the console.
export function safeNext(next) {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/'
}

// A superuser the settings require a passkey of, who has none, can do
// nothing else (the server refuses it): the console sends them to add one.
router.beforeEach(async (to) => {
  if (to.meta.auth && !staffSignedIn()) {
    return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  }
  if (to.meta.guest && staffSignedIn()) return { name: 'analytics' }
  if (to.meta.auth && to.name !== 'security' && (await mustRegisterPasskey())) {
    return { name: 'security', query: { next: to.fullPath } }
  }
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · EZSCALE staff` : 'EZSCALE staff'
})
