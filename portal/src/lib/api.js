// @ts-check
// The customer portal's calls to the platform's own routes (the custom
// /api/... routes registered in hooks/): one function per route, typed by
// what its Go handler writes, so a page never spells a path or guesses a
// field. Collection reads and auth go through the SDK (pb.collection) as
// before. Errors stay the SDK's ClientResponseError: pages read
// err.status, err.response and err.data for field errors.
// A Go test (e2e/portal_api_test.go) fails when pb.send( appears outside
// this file or when a path here has no route on the server.
import { pb } from './pb.js'

/** @typedef {import('pocketbase').RecordModel} RecordModel */

/** The path segment of an id, escaped. @param {string|number} id */
const seg = (id) => encodeURIComponent(String(id))

/** @param {string} path @param {any} [body] @param {Record<string, any>} [query] */
const post = (path, body = {}, query) => pb.send(path, { method: 'POST', body, ...(query ? { query } : {}) })

/** @param {string} path @param {Record<string, any>} [query] */
const get = (path, query) => pb.send(path, { method: 'GET', ...(query ? { query } : {}) })

// ---- shared shapes --------------------------------------------------------
// Money is int64 minor units of the record's currency, never a float.

/**
 * An invoice record as PocketBase writes it (hidden fields left out).
 * @typedef {RecordModel & {
 *   customer: string, number: string, status: 'draft'|'open'|'paid'|'void'|'uncollectible'|'refunded'|'partially_refunded',
 *   currency: string, subtotal: number, discount_total: number, tax_total: number, total: number,
 *   credit_applied: number, amount_paid: number, amount_refunded: number, amount_due: number,
 *   issued_at: string, due_at: string, paid_at: string, reverse_charge: boolean, notes: string,
 * }} Invoice
 */

/**
 * An invoice line (quotes carry unsaved ones).
 * @typedef {RecordModel & {
 *   invoice: string, kind: string, description: string, quantity: number, unit_amount: number,
 *   amount: number, tax_rate_value: number, tax_amount: number, period_start: string, period_end: string,
 *   renews?: string,
 * }} InvoiceItem
 */

/**
 * A service record (platform ids, credentials and staff notes are hidden).
 * @typedef {RecordModel & {
 *   customer: string, subscription: string, plan: string, label: string, service_type: string, platform: string,
 *   status: 'pending'|'provisioning'|'active'|'suspended'|'terminated'|'cancelled'|'failed', suspend_reason: string,
 *   power_state: ''|'online'|'offline'|'starting'|'stopping'|'restarting'|'unknown', cpu_percent: number,
 *   memory_used_mb: number, memory_total_mb: number, disk_used_mb: number, disk_total_mb: number, cpu_cores: number,
 *   hostname: string, domain: string, ip_addresses: string[]|null, options: Record<string, string>|null,
 *   payment_method: string, server_address: string,
 * }} Service
 */

/**
 * A subscription record.
 * @typedef {RecordModel & {
 *   customer: string, plan_price: string, payment_method: string, status: string, cycle: string,
 *   currency: string, amount: number, current_period_start: string,
 *   current_period_end: string, cancel_at_period_end: boolean, cancelled_at: string, cancel_reason: string,
 * }} Subscription
 */

/**
 * A customer's session as the SDK's auth routes answer (RecordAuthResponse).
 * @typedef {{ token: string, record: RecordModel, meta?: Record<string, any> }} AuthAnswer
 */

// ---- account ----------------------------------------------------------------

/**
 * Who the session is; when staff impersonate, who and until when.
 * @typedef {{
 *   customer: { id: string, name: string, email: string },
 *   impersonated: boolean, expires?: string, staff?: { id: string, email?: string },
 * }} AccountSession
 */

/** GET /api/account/session. @returns {Promise<AccountSession>} */
export function accountSession() {
  return get('/api/account/session')
}

/**
 * Account credit per currency, minor units; the account's currency is always present.
 * @typedef {{ currency: string, balances: Record<string, number> }} AccountCredit
 */

/** GET /api/account/credit. @returns {Promise<AccountCredit>} */
export function accountCredit() {
  return get('/api/account/credit')
}

/**
 * What the renewal run will bill next per service, priced as it will bill
 * it: amount is the gross in minor units (tax included), null when nothing
 * (ending) or an unknown amount (hourly) will be billed; date is when the
 * invoice is issued (for an ending service, when it ends). trial_end is set during a free trial: the charge
 * is the first, for the period starting then.
 * @typedef {{
 *   service: string, subscription: string, kind: 'renewal'|'hourly'|'ending',
 *   date: string, period_start?: string, period_end?: string,
 *   amount: number|null, tax: number, currency: string, tax_included: boolean, tax_name?: string, label: string,
 *   trial_end?: string,
 * }} UpcomingCharge
 * @typedef {{ charges: UpcomingCharge[], totals: Record<string, number> }} UpcomingCharges
 */

/** GET /api/account/upcoming-charges. @returns {Promise<UpcomingCharges>} */
export function upcomingCharges() {
  return get('/api/account/upcoming-charges')
}

/** POST /api/account/sessions/revoke-others: a new token for this browser, all others signed out. @returns {Promise<AuthAnswer>} */
export function revokeOtherSessions() {
  return post('/api/account/sessions/revoke-others')
}

/**
 * A new authenticator secret to confirm: its otpauth:// URL, the secret and a QR code (data: URL).
 * @typedef {{ otpauth_url: string, secret: string, qr: string }} TotpEnrolment
 */

/** POST /api/account/totp/enroll. @returns {Promise<TotpEnrolment>} */
export function enrollTotp() {
  return post('/api/account/totp/enroll')
}

/** POST /api/account/totp/confirm: turns two-factor on. @param {string} code @returns {Promise<{ recovery_codes: string[] }>} */
export function confirmTotp(code) {
  return post('/api/account/totp/confirm', { code })
}

/** POST /api/account/totp/disable (204). @param {string} code @returns {Promise<void>} */
export function disableTotp(code) {
  return post('/api/account/totp/disable', { code })
}

/**
 * A WebAuthn ceremony begun: its session id and the options for navigator.credentials (base64url buffers).
 * @typedef {{ session: string, options: { publicKey: Record<string, any> } & Record<string, any> }} PasskeyCeremony
 */

/** POST /api/account/passkeys/register/begin. @returns {Promise<PasskeyCeremony>} */
export function beginPasskeyRegistration() {
  return post('/api/account/passkeys/register/begin')
}

/**
 * POST /api/account/passkeys/register/finish.
 * @param {string} session from beginPasskeyRegistration
 * @param {Record<string, any>} attestation the credential as JSON
 * @param {string} [name] the passkey's label
 * @returns {Promise<{ id: string, name: string }>}
 */
export function finishPasskeyRegistration(session, attestation, name) {
  return post('/api/account/passkeys/register/finish', attestation, name ? { session, name } : { session })
}

/** DELETE /api/account/passkeys/{id} (204). @param {string} id @returns {Promise<void>} */
export function deletePasskey(id) {
  return pb.send(`/api/account/passkeys/${seg(id)}`, { method: 'DELETE' })
}

// ---- API keys ----------------------------------------------------------------

/**
 * An API key as its owner sees it: never the secret (shown once, in `key`, when created) nor its hash.
 * @typedef {{ id: string, name: string, prefix: string, access: 'read'|'full', families: string[],
 *   expires: string, revoked: string, last_used: string, last_used_ip: string, created: string, key?: string }} ApiKey
 */

/** GET /api/account/api-keys: the customer's keys, newest first, revoked ones included. @returns {Promise<{ items: ApiKey[] }>} */
export function listApiKeys() {
  return get('/api/account/api-keys')
}

/**
 * POST /api/account/api-keys: a new key, answered once with `key`.
 * @param {{ name: string, access: 'read'|'full', families: string[], expires_in_days: number }} key
 * @returns {Promise<ApiKey>}
 */
export function createApiKey(key) {
  return post('/api/account/api-keys', key)
}

/** DELETE /api/account/api-keys/{id}: revoked at once. @param {string} id @returns {Promise<ApiKey>} */
export function revokeApiKey(id) {
  return pb.send(`/api/account/api-keys/${seg(id)}`, { method: 'DELETE' })
}

// ---- payments ---------------------------------------------------------------

/**
 * What the server offers: Stripe's publishable key when cards are on, PayPal, the dev sandbox.
 * @typedef {{ stripe: { publishable_key: string } | null, paypal: boolean, sandbox: boolean }} PaymentOptions
 */

/** @type {Promise<PaymentOptions> | undefined} */
let paymentOptionsAnswer

/**
 * GET /api/payment-options, asked once per page load (the configuration
 * does not change under a page); a failure is not kept, the next call asks again.
 * @returns {Promise<PaymentOptions>}
 */
export function paymentOptions() {
  paymentOptionsAnswer ??= get('/api/payment-options').catch((err) => {
    paymentOptionsAnswer = undefined
    throw err
  })
  return paymentOptionsAnswer
}

/** A Stripe SetupIntent to add a card with. @typedef {{ client_secret: string, publishable_key: string }} CardSetup */

/** POST /api/payment-methods/setup. @returns {Promise<CardSetup>} */
export function setupCard() {
  return post('/api/payment-methods/setup')
}

/** POST /api/payment-methods/sync (204): copies the customer's cards from Stripe. @returns {Promise<void>} */
export function syncCards() {
  return post('/api/payment-methods/sync')
}

/** POST /api/payment-methods/{id}/default (204). @param {string} id @returns {Promise<void>} */
export function makeDefaultCard(id) {
  return post(`/api/payment-methods/${seg(id)}/default`)
}

/** DELETE /api/payment-methods/{id} (204). @param {string} id @returns {Promise<void>} */
export function removeCard(id) {
  return pb.send(`/api/payment-methods/${seg(id)}`, { method: 'DELETE' })
}

/**
 * POST /api/services/{id}/payment-method: the card a service renews with ('' = the account default).
 * @param {string} serviceId @param {string} paymentMethod
 * @returns {Promise<Service>}
 */
export function setServicePaymentMethod(serviceId, paymentMethod) {
  return post(`/api/services/${seg(serviceId)}/payment-method`, { payment_method: paymentMethod })
}

// ---- invoices ---------------------------------------------------------------

/**
 * A card charge's outcome; action_url is set when the bank asks for 3-D Secure.
 * @typedef {{ status: string, failure_code: string, failure_message: string, action_url: string }} CardCharge
 */

/**
 * POST /api/invoices/{id}/pay: charge a saved card ('' = the default one).
 * @param {string} invoiceId @param {string} [paymentMethod]
 * @returns {Promise<CardCharge>}
 */
export function payInvoice(invoiceId, paymentMethod = '') {
  return post(`/api/invoices/${seg(invoiceId)}/pay`, { payment_method: paymentMethod })
}

/** POST /api/invoices/{id}/pay/credit: pays what account credit covers. @param {string} invoiceId @returns {Promise<Invoice>} */
export function payInvoiceWithCredit(invoiceId) {
  return post(`/api/invoices/${seg(invoiceId)}/pay/credit`)
}

/** POST /api/invoices/{id}/pay/sandbox (dev mode only): marks it paid. @param {string} invoiceId @returns {Promise<Invoice>} */
export function payInvoiceInSandbox(invoiceId) {
  return post(`/api/invoices/${seg(invoiceId)}/pay/sandbox`)
}

/** A PayPal order made for an invoice, and where the customer approves it. @typedef {{ order_id: string, approve_url: string }} PayPalCheckout */

/** POST /api/invoices/{id}/paypal. @param {string} invoiceId @returns {Promise<PayPalCheckout>} */
export function startPayPalCheckout(invoiceId) {
  return post(`/api/invoices/${seg(invoiceId)}/paypal`)
}

/** POST /api/invoices/{id}/paypal/capture: after approval at PayPal. @param {string} invoiceId @param {string} orderId @returns {Promise<{ status: string }>} */
export function capturePayPalOrder(invoiceId, orderId) {
  return post(`/api/invoices/${seg(invoiceId)}/paypal/capture`, { order_id: orderId })
}

// ---- orders -----------------------------------------------------------------

/**
 * An order as the customer builds it: a plan price, an optional coupon code and the plan's options.
 * @typedef {{ plan_price: string, coupon?: string, options?: Record<string, string> }} OrderRequest
 */

/**
 * What the order would invoice, taxes included, nothing saved. renews says how the price recurs, in the words
 * the invoice, PDF and emails use ("then $5.95 monthly plus 19% VAT"; "" for hourly plans); missing names the
 * billing fields the account still lacks (["country"]): such a quote is not final and the order is refused.
 * A trial coupon sets trial_days and trial_end: the invoice is zero and renews starts "Free for 14 days, then …".
 * @typedef {{ invoice: Invoice, items: InvoiceItem[], renews: string, missing: string[], trial_days: number, trial_end: string|null }} OrderQuote
 */

/** POST /api/orders/quote. @param {OrderRequest} order @returns {Promise<OrderQuote>} */
export function quoteOrder(order) {
  return post('/api/orders/quote', order)
}

/**
 * The order placed (201): the order, subscription and service records and the invoice to pay.
 * @typedef {{ order: RecordModel & { number: string, status: string }, subscription: Subscription, service: Service, invoice: Invoice }} PlacedOrder
 */

/** POST /api/orders. @param {OrderRequest} order @returns {Promise<PlacedOrder>} */
export function placeOrder(order) {
  return post('/api/orders', order)
}

// ---- services ---------------------------------------------------------------

/** GET /api/services/{id}/credentials: the stored logins (username, password, ...). @param {string} serviceId @returns {Promise<Record<string, string>>} */
export function serviceCredentials(serviceId) {
  return get(`/api/services/${seg(serviceId)}/credentials`)
}

/**
 * POST /api/services/{id}/power (202).
 * @param {string} serviceId @param {'start'|'stop'|'restart'|'kill'} action
 * @returns {Promise<{ action: string, status: 'sent', power_state: 'starting'|'stopping'|'restarting' }>}
 */
export function powerService(serviceId, action) {
  return post(`/api/services/${seg(serviceId)}/power`, { action })
}

/** GET /api/services/{id}/panel-login: a one-time sign-in link into the platform's panel. @param {string} serviceId @returns {Promise<{ url: string }>} */
export function panelLogin(serviceId) {
  return get(`/api/services/${seg(serviceId)}/panel-login`)
}

/**
 * One operating system or game a server can be reinstalled with; id is the platform's.
 * @typedef {{ id: string, name: string, group?: string, current: boolean }} ReinstallChoice
 */

/**
 * GET /api/services/{id}/reinstall-options: what the server may be reinstalled with, the text to type to
 * confirm (the service's name) and whether a reinstall is under way. Web hosting answers 400.
 * @param {string} serviceId @returns {Promise<{ choices: ReinstallChoice[], confirm: string, reinstalling: boolean }>}
 */
export function reinstallOptions(serviceId) {
  return get(`/api/services/${seg(serviceId)}/reinstall-options`)
}

/**
 * POST /api/services/{id}/reinstall (202): queues the reinstall; the service shows reinstalling until done.
 * @param {string} serviceId @param {string} choice a ReinstallChoice id @param {string} confirm the service's name typed
 * @returns {Promise<{ status: 'queued', job: string, choice: string }>}
 */
export function reinstallService(serviceId, choice, confirm) {
  return post(`/api/services/${seg(serviceId)}/reinstall`, { choice, confirm })
}

/**
 * A period after the current one already invoiced, and what the change does about it.
 * @typedef {{ invoice: string, status: string, period_start: string, period_end: string, effect: string }} LaterPeriod
 */

/**
 * What the customer should know before confirming a change; disk_too_small: the new plan's disk (plan_mb) is less than the service uses (used_mb).
 * @typedef {{ code: 'disk_too_small'|string, message: string, used_mb: number, plan_mb: number }} PlanChangeWarning
 */

/**
 * A plan change priced to the second, minor units of currency. A downgrade's
 * credit is what was paid for the time given up; net and total are then negative.
 * @typedef {{
 *   currency: string, from_plan_price: string, to_plan_price: string, from_amount: number, to_amount: number,
 *   period_start: string, period_end: string, at: string, seconds_left: number, seconds_total: number,
 *   credit: number, charge: number, net: number, tax: number, total: number,
 *   kind: 'upgrade'|'downgrade'|'same', next_period_amount: number, later_periods: LaterPeriod[] | null,
 *   coupon_dropped: string, warnings: PlanChangeWarning[],
 * }} PlanChangeQuote
 */

/** GET /api/services/{id}/change-plan. @param {string} serviceId @param {string} planPrice @returns {Promise<PlanChangeQuote>} */
export function quotePlanChange(serviceId, planPrice) {
  return get(`/api/services/${seg(serviceId)}/change-plan`, { plan_price: planPrice })
}

/**
 * The change made: applied at once, or after its invoice is paid.
 * @typedef {{ quote: PlanChangeQuote, applied: boolean, credit: number, invoice?: Invoice }} PlanChange
 */

/** POST /api/services/{id}/change-plan. @param {string} serviceId @param {string} planPrice @returns {Promise<PlanChange>} */
export function changePlan(serviceId, planPrice) {
  return post(`/api/services/${seg(serviceId)}/change-plan`, { plan_price: planPrice })
}

/** @typedef {{ when: 'period_end'|'now', reason?: string, comment?: string }} CancelRequest */

/** POST /api/services/{id}/cancel. @param {string} serviceId @param {CancelRequest} request @returns {Promise<{ subscription: Subscription, credit: number }>} */
export function cancelService(serviceId, request) {
  return post(`/api/services/${seg(serviceId)}/cancel`, request)
}

/**
 * PATCH /api/services/{id}/label: the name the customer gives the service (trimmed, 1–60 characters; 400 names
 * the field otherwise). Only the label changes.
 * @param {string} serviceId @param {string} label
 * @returns {Promise<{ id: string, label: string }>}
 */
export function renameService(serviceId, label) {
  return pb.send(`/api/services/${seg(serviceId)}/label`, { method: 'PATCH', body: { label } })
}

/**
 * GET /api/services/{id}/preparing: whether staff are preparing a dedicated server no free hardware matched,
 * with the usual time it takes (the business's setting) and when it is usually ready.
 * @param {string} serviceId
 * @returns {Promise<{ preparing: boolean, estimate_hours?: number, ready_by?: string }>}
 */
export function servicePreparing(serviceId) {
  return get(`/api/services/${seg(serviceId)}/preparing`)
}

// ---- support ----------------------------------------------------------------

/** @typedef {{ id: number, name: string }} SupportOption */

/** The help desk's departments and priorities, and whether its SSO link works. @typedef {{ departments: SupportOption[], priorities: SupportOption[], helpdesk: boolean }} SupportOptions */

/** GET /api/support/options (lib/support.js keeps the answer for the page load). @returns {Promise<SupportOptions>} */
export function fetchSupportOptions() {
  return get('/api/support/options')
}

/**
 * A ticket as the portal shows it; the thread view adds frontend_url and locked.
 * @typedef {{
 *   id: number, number: string, subject: string, status: string, status_colour: string, closed: boolean,
 *   priority: string, department: string, created_at?: string, updated_at?: string, last_reply_at?: string,
 *   last_reply_by: ''|'staff'|'customer', service: { id: string, name: string } | null,
 *   frontend_url?: string, locked?: boolean,
 * }} Ticket
 */

/** A message, its HTML sanitised by the server. @typedef {{ id: number, author: 'staff'|'customer', name: string, html: string, created_at: string }} TicketMessage */

/** A page of tickets; stale when the help desk did not answer and the mirror was shown. @typedef {{ page: number, perPage: number, totalItems: number, totalPages: number, items: Ticket[], stale: boolean }} TicketList */

/** GET /api/tickets. @param {{ page?: number, perPage?: number, status?: string }} [query] @returns {Promise<TicketList>} */
export function listTickets(query = {}) {
  return get('/api/tickets', query)
}

/** GET /api/tickets/{id}. @param {string|number} ticketId @returns {Promise<{ ticket: Ticket, messages: TicketMessage[] }>} */
export function getTicket(ticketId) {
  return get(`/api/tickets/${seg(ticketId)}`)
}

/** @typedef {{ department: number, priority: number, subject: string, message: string, service?: string }} NewTicket */

/** POST /api/tickets. @param {NewTicket} ticket @returns {Promise<{ ticket: Ticket }>} */
export function openTicket(ticket) {
  return post('/api/tickets', ticket)
}

/** POST /api/tickets/{id}/replies. @param {string|number} ticketId @param {string} message plain text @returns {Promise<{ message: TicketMessage }>} */
export function replyToTicket(ticketId, message) {
  return post(`/api/tickets/${seg(ticketId)}/replies`, { message })
}

/** GET /api/support/sso: a single-use help desk sign-in link. @param {string} [redirect] a help desk page @returns {Promise<{ url: string, expires_at: string }>} */
export function helpdeskLogin(redirect) {
  return get('/api/support/sso', redirect ? { redirect } : undefined)
}

// ---- auth -------------------------------------------------------------------

/** POST /api/auth/passkey/begin. @returns {Promise<PasskeyCeremony>} */
export function beginPasskeyLogin() {
  return post('/api/auth/passkey/begin')
}

/** POST /api/auth/passkey/finish: the session for the passkey's customer. @param {string} session @param {Record<string, any>} assertion @returns {Promise<AuthAnswer>} */
export function finishPasskeyLogin(session, assertion) {
  return post('/api/auth/passkey/finish', assertion, { session })
}
