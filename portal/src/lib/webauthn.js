// Passkeys (WebAuthn) in the browser: registration on the security page and
// sign-in on the login page. The server's options carry binary values as
// base64url strings, the browser API wants ArrayBuffers, and the answers go
// back as JSON with base64url again (the shapes go-webauthn parses).
import { pb } from './pb.js'
import { beginPasskeyLogin, finishPasskeyLogin } from './api.js'

export function passkeysSupported() {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function' && !!navigator.credentials
}

function base64urlToBuffer(value) {
  const s = String(value || '').replace(/-/g, '+').replace(/_/g, '/')
  const bin = atob(s + '='.repeat((4 - (s.length % 4)) % 4))
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return bytes.buffer
}

function bufferToBase64url(buffer) {
  if (!buffer) return ''
  const bytes = new Uint8Array(buffer)
  let bin = ''
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i])
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

// decodeOptions turns the server's {publicKey: {...}} into what the browser
// API takes: the challenge and the ids in the credential list named `list`
// as ArrayBuffers, and no empty fields.
function decodeOptions(options, list) {
  const pk = { ...(options?.publicKey || options || {}) }
  pk.challenge = base64urlToBuffer(pk.challenge)
  if (Array.isArray(pk[list])) pk[list] = pk[list].map((c) => ({ ...c, id: base64urlToBuffer(c.id) }))
  for (const key of Object.keys(pk)) if (pk[key] === null || pk[key] === undefined) delete pk[key]
  return pk
}

// credentialJSON is a credential as go-webauthn parses it, with the
// ceremony's own response fields.
function credentialJSON(cred, response) {
  return {
    id: cred.id,
    rawId: bufferToBase64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: cred.getClientExtensionResults?.() || {},
    response,
  }
}

// creationOptions is what navigator.credentials.create() takes.
export function creationOptions(options) {
  const pk = decodeOptions(options, 'excludeCredentials')
  pk.user = { ...pk.user, id: base64urlToBuffer(pk.user?.id) }
  return { publicKey: pk }
}

// attestationJSON is the new credential as the server expects it.
export function attestationJSON(cred) {
  const r = cred.response
  return credentialJSON(cred, {
    clientDataJSON: bufferToBase64url(r.clientDataJSON),
    attestationObject: bufferToBase64url(r.attestationObject),
    transports: typeof r.getTransports === 'function' ? r.getTransports() : undefined,
  })
}

// browserError explains why the browser's passkey prompt failed.
export function browserError(err) {
  switch (err?.name) {
    case 'NotAllowedError':
    case 'AbortError':
      return 'The passkey prompt was cancelled or timed out. Nothing was added.'
    case 'InvalidStateError':
      return 'This device already holds a passkey for your account.'
    case 'SecurityError':
      return 'Passkeys cannot be used on this address. Open the portal at its usual address and try again.'
    case 'NotSupportedError':
      return 'This browser or device cannot create a passkey.'
    default:
      return err?.message || 'The browser could not create a passkey.'
  }
}

// requestOptions is what navigator.credentials.get() takes.
export function requestOptions(options) {
  return { publicKey: decodeOptions(options, 'allowCredentials') }
}

// assertionJSON is the sign-in answer as the server expects it.
export function assertionJSON(cred) {
  const r = cred.response
  return credentialJSON(cred, {
    clientDataJSON: bufferToBase64url(r.clientDataJSON),
    authenticatorData: bufferToBase64url(r.authenticatorData),
    signature: bufferToBase64url(r.signature),
    userHandle: r.userHandle ? bufferToBase64url(r.userHandle) : undefined,
  })
}

// PasskeyCancelled is thrown when the person closes the browser's prompt.
export class PasskeyCancelled extends Error {}

// signInWithPasskey runs the whole ceremony and saves the session.
export async function signInWithPasskey() {
  const begun = await beginPasskeyLogin()
  let cred
  try {
    cred = await navigator.credentials.get({ publicKey: decodeOptions(begun.options, 'allowCredentials') })
  } catch (err) {
    if (err?.name === 'NotAllowedError' || err?.name === 'AbortError') throw new PasskeyCancelled('Passkey sign-in was cancelled or timed out.')
    throw new Error(err?.message || 'This browser could not use a passkey.')
  }
  if (!cred) throw new PasskeyCancelled('Passkey sign-in was cancelled.')
  const auth = await finishPasskeyLogin(begun.session, assertionJSON(cred))
  pb.authStore.save(auth.token, auth.record)
  return auth
}
