// fieldErrors turns an API error's per-field reasons ({field: {code,
// message}}) into {field: "Message."} for the messages under the inputs.
export function fieldErrors(err) {
  const data = err?.response?.data
  const out = {}
  if (!data || typeof data !== 'object') return out
  for (const [field, v] of Object.entries(data)) {
    const msg = typeof v === 'string' ? v : v?.message
    if (msg) out[field] = sentence(msg)
  }
  return out
}

function sentence(s) {
  const t = String(s).trim()
  if (!t) return t
  const c = t.charAt(0).toUpperCase() + t.slice(1)
  return /[.!?]$/.test(c) ? c : `${c}.`
}

// mfaRequired tells the answer of a password login that wants a TOTP code.
export function mfaRequired(err) {
  return err?.status === 401 && (err?.response?.mfa_required === 'totp' || err?.data?.mfa_required === 'totp')
}
