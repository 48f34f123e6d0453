// Staff passkeys: a second factor after the password. The WebAuthn
// conversions are the portal's (lib/webauthn.js); the routes are the
// staff ones, called with the console's own client.
import { pb, staff } from './pb.js'
import { creationOptions, attestationJSON, requestOptions, assertionJSON, PasskeyCancelled } from '../../lib/webauthn.js'

export { passkeysSupported, browserError, PasskeyCancelled } from '../../lib/webauthn.js'

const LOGIN = '/api/collections/_superusers/auth-with-passkey'

// staffPasskeys is the signed-in superuser's passkeys, whether the
// settings require one, and the other staff's (for a lost device).
export async function staffPasskeys() {
  const res = await pb.send('/api/staff/passkeys', { method: 'GET' })
  staff.needsPasskey = res.required && res.items.length === 0
  return res
}

// mustRegisterPasskey tells the router whether the settings require a
// passkey this superuser has not registered yet (asked once a session).
export async function mustRegisterPasskey() {
  if (staff.needsPasskey === null) {
    try {
      await staffPasskeys()
    } catch {
      return false // the page's own requests show what went wrong
    }
  }
  return staff.needsPasskey
}

// registerStaffPasskey runs the registration ceremony; browser errors are
// thrown as they are (word them with browserError).
export async function registerStaffPasskey(name) {
  const begun = await pb.send('/api/staff/passkeys/register/begin', { method: 'POST', body: {} })
  const cred = await navigator.credentials.create(creationOptions(begun.options))
  if (!cred) throw new PasskeyCancelled('The passkey prompt was cancelled. Nothing was added.')
  const query = name ? { session: begun.session, name } : { session: begun.session }
  return pb.send('/api/staff/passkeys/register/finish', { method: 'POST', query, body: attestationJSON(cred) })
}

export function removeStaffPasskey(id) {
  return pb.send(`/api/staff/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

// beginPasskeyStep asks whether the account whose password opened mfaId
// has a passkey: the ceremony's options, or null when it has none.
export async function beginPasskeyStep(mfaId) {
  try {
    return await pb.send(`${LOGIN}/begin`, { method: 'POST', body: { mfaId } })
  } catch (err) {
    if (err?.status === 404) return null
    throw err
  }
}

// finishPasskeyStep signs in with the passkey and saves the session.
export async function finishPasskeyStep(mfaId, begun) {
  let cred
  try {
    cred = await navigator.credentials.get(requestOptions(begun.options))
  } catch (err) {
    if (err?.name === 'NotAllowedError' || err?.name === 'AbortError') throw new PasskeyCancelled('The passkey prompt was cancelled or timed out.')
    throw new Error(err?.message || 'This browser could not use a passkey.')
  }
  if (!cred) throw new PasskeyCancelled('The passkey prompt was cancelled.')
  const auth = await pb.send(`${LOGIN}/finish`, { method: 'POST', query: { mfaId, session: begun.session }, body: assertionJSON(cred) })
  pb.authStore.save(auth.token, auth.record)
  return auth
}
