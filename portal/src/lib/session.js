// The signed-in customer, reactive, kept in step with the SDK's auth store.
import { reactive } from 'vue'
import { pb } from './pb.js'
import { date } from './format.js'

export const session = reactive({
  customer: pb.authStore.isValid && pb.authStore.record?.collectionName === 'customers' ? pb.authStore.record : null,
})

pb.authStore.onChange((_token, record) => {
  session.customer = pb.authStore.isValid && record?.collectionName === 'customers' ? record : null
})

export function signedIn() {
  return session.customer !== null
}

// signOuts counts sign-outs, so that a refresh that was already on its way
// when the customer signed out cannot sign them back in with its answer.
let signOuts = 0
const refreshKey = 'session-refresh'

// refreshSession re-reads the customer (balance, verified) and renews the
// token; a token the server no longer accepts signs the customer out.
export async function refreshSession() {
  if (!pb.authStore.isValid) return
  const before = signOuts
  try {
    await pb.collection('customers').authRefresh({ requestKey: refreshKey })
  } catch (err) {
    if (err?.status === 401 || err?.status === 403 || err?.status === 404) pb.authStore.clear()
  }
  if (signOuts !== before) pb.authStore.clear()
}

export function signOut() {
  signOuts++
  pb.cancelRequest(refreshKey)
  pb.realtime.unsubscribe()
  pb.authStore.clear()
}

// A suspended account still signs in, pays and talks to support, but the
// server refuses every service action and order (403); the portal says so
// before the click instead of after it.
export const suspendedMessage = 'Your account is suspended: services cannot be managed or ordered until it is reinstated. You can still pay your invoices and open tickets; contact support.'

export function servicesLocked() {
  return session.customer?.status === 'suspended'
}

// A customer WHMCS still serves (the parallel run, before the cutover)
// sees everything here, but their orders, payments, cards, service changes
// and profile stay with WHMCS until then: the server refuses them (403),
// and the portal says so before the click. Their password, two-factor and
// passkeys stay theirs to change.
export function heldByWHMCS() {
  return session.customer?.whmcs_billed === true
}

export function heldMessage() {
  const planned = session.customer?.whmcs_cutover_planned
  const until = planned ? `until ${date(planned)}` : 'until we switch over'
  return `Your account is still served by our previous system ${until}. You can see your services and invoices here; ` +
    'orders, payments and changes are made in the previous client area until then.'
}

// actionsLocked: no order, power action or plan change (a suspended or a
// held account); lockedMessage says why.
export function actionsLocked() {
  return servicesLocked() || heldByWHMCS()
}

export function lockedMessage() {
  return heldByWHMCS() ? heldMessage() : suspendedMessage
}
