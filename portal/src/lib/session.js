// The signed-in customer, reactive, kept in step with the SDK's auth store.
import { reactive } from 'vue'
import { pb } from './pb.js'

export const session = reactive({
  customer: pb.authStore.isValid && pb.authStore.record?.collectionName === 'customers' ? pb.authStore.record : null,
})

pb.authStore.onChange((_token, record) => {
  session.customer = pb.authStore.isValid && record?.collectionName === 'customers' ? record : null
})

export function signedIn() {
  return session.customer !== null
}

// refreshSession re-reads the customer (balance, verified) and renews the
// token; a token the server no longer accepts signs the customer out.
export async function refreshSession() {
  if (!pb.authStore.isValid) return
  try {
    await pb.collection('customers').authRefresh()
  } catch (err) {
    if (err?.status === 401 || err?.status === 403 || err?.status === 404) pb.authStore.clear()
  }
}

export function signOut() {
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
