// Routes. Every page is its own chunk, so the first load carries only the
// shell and the page asked for.
import { createRouter, createWebHistory } from 'vue-router'
import { signedIn } from './lib/session.js'

const routes = [
  // Public site
  { path: '/', name: 'home', component: () => import('./pages/public/Home.vue'), meta: { title: 'Hosting plans' } },
  { path: '/news', name: 'news', component: () => import('./pages/public/News.vue'), meta: { title: 'News' } },
  { path: '/news/:slug', name: 'news-post', component: () => import('./pages/public/NewsPost.vue'), meta: { title: 'News' } },
  { path: '/kb', name: 'kb', component: () => import('./pages/public/KnowledgeBase.vue'), meta: { title: 'Knowledge base' } },
  { path: '/kb/:slug', name: 'kb-article', component: () => import('./pages/public/KbArticle.vue'), meta: { title: 'Knowledge base' } },
  { path: '/legal/:slug', name: 'legal', component: () => import('./pages/public/LegalPage.vue'), meta: { title: 'Legal' } },

  // Signing in
  { path: '/login', name: 'login', component: () => import('./pages/auth/Login.vue'), meta: { guest: true, title: 'Log in' } },
  { path: '/signup', name: 'signup', component: () => import('./pages/auth/Signup.vue'), meta: { guest: true, title: 'Create an account' } },
  { path: '/forgot-password', name: 'forgot', component: () => import('./pages/auth/ForgotPassword.vue'), meta: { guest: true, title: 'Reset your password' } },
  { path: '/reset-password/:token', name: 'reset', component: () => import('./pages/auth/ResetPassword.vue'), meta: { title: 'Choose a new password' } },
  { path: '/confirm-email/:token', name: 'confirm-email', component: () => import('./pages/auth/ConfirmEmail.vue'), meta: { title: 'Confirm your new email' } },
  { path: '/verify/:token', name: 'verify', component: () => import('./pages/auth/VerifyEmail.vue'), meta: { title: 'Verify your email' } },

  // Customer portal
  { path: '/dashboard', name: 'dashboard', component: () => import('./pages/portal/Dashboard.vue'), meta: { auth: true, title: 'Dashboard' } },
  { path: '/order', name: 'order', component: () => import('./pages/portal/Order.vue'), meta: { auth: true, title: 'Order' } },
  { path: '/services', name: 'services', component: () => import('./pages/portal/Services.vue'), meta: { auth: true, title: 'Services' } },
  { path: '/services/:id', name: 'service', component: () => import('./pages/portal/Service.vue'), meta: { auth: true, title: 'Service' } },
  { path: '/billing', redirect: '/billing/invoices' },
  { path: '/billing/invoices', name: 'invoices', component: () => import('./pages/billing/Invoices.vue'), meta: { auth: true, title: 'Invoices' } },
  { path: '/billing/invoices/:id', name: 'invoice', component: () => import('./pages/billing/Invoice.vue'), meta: { auth: true, title: 'Invoice' } },
  { path: '/billing/payments', name: 'payments', component: () => import('./pages/billing/Payments.vue'), meta: { auth: true, title: 'Payments' } },
  { path: '/billing/methods', name: 'methods', component: () => import('./pages/billing/PaymentMethods.vue'), meta: { auth: true, title: 'Payment methods' } },
  { path: '/billing/credit', name: 'credit', component: () => import('./pages/billing/Credit.vue'), meta: { auth: true, title: 'Account credit' } },
  { path: '/account', name: 'account', component: () => import('./pages/account/Profile.vue'), meta: { auth: true, title: 'Account' } },
  { path: '/account/security', name: 'security', component: () => import('./pages/account/Security.vue'), meta: { auth: true, title: 'Security' } },
  { path: '/support', name: 'support', component: () => import('./pages/support/Tickets.vue'), meta: { auth: true, title: 'Support' } },
  { path: '/support/new', name: 'new-ticket', component: () => import('./pages/support/NewTicket.vue'), meta: { auth: true, title: 'New ticket' } },
  { path: '/support/archive/:id', name: 'archived-ticket', component: () => import('./pages/support/ArchivedTicket.vue'), meta: { auth: true, title: 'Earlier ticket' } },
  { path: '/support/:id', name: 'ticket', component: () => import('./pages/support/Ticket.vue'), meta: { auth: true, title: 'Ticket' } },

  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFound.vue'), meta: { title: 'Not found' } },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (to, from, saved) => saved || { top: 0 },
})

router.beforeEach((to) => {
  if (to.meta.auth && !signedIn()) return { name: 'login', query: { next: to.fullPath } }
  if (to.meta.guest && signedIn()) return { name: 'dashboard' }
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · EZSCALE` : 'EZSCALE'
})
