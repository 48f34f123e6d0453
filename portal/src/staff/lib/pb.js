// The staff console's own PocketBase client. Its session lives under its
// own localStorage key, so a staff login never mixes with (or replaces) a
// customer's portal session in the same browser.
import PocketBase, { LocalAuthStore } from 'pocketbase'
import { reactive } from 'vue'

export const STAFF_AUTH_KEY = 'ezscale_staff_auth'
// The key of the customer portal's session (the SDK's default store key).
export const PORTAL_AUTH_KEY = 'pocketbase_auth'

export const pb = new PocketBase(window.location.origin, new LocalAuthStore(STAFF_AUTH_KEY))
// Pages load several lists of one collection at once: no auto-cancelling.
pb.autoCancellation(false)

function staffRecord() {
  return pb.authStore.isValid && pb.authStore.isSuperuser ? pb.authStore.record : null
}

// The signed-in superuser, reactive, kept in step with the auth store;
// needsPasskey: whether the settings require a passkey they have not
// registered (null until asked).
export const staff = reactive({ user: staffRecord(), needsPasskey: null })

pb.authStore.onChange(() => {
  const user = staffRecord()
  if (user?.id !== staff.user?.id) staff.needsPasskey = null
  staff.user = user
})

export function staffSignedIn() {
  return staff.user !== null && pb.authStore.isValid
}

// refreshStaff renews the token; a token the server no longer accepts
// signs the person out of the console.
export async function refreshStaff() {
  if (!pb.authStore.isValid) return
  try {
    await pb.collection('_superusers').authRefresh()
  } catch (err) {
    if (err?.status === 401 || err?.status === 403 || err?.status === 404) pb.authStore.clear()
  }
}

export function staffSignOut() {
  pb.realtime.unsubscribe()
  pb.authStore.clear()
}
