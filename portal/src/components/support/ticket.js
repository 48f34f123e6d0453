// Small helpers of the support pages: status words, reply labels, field
// errors and the drafts kept in localStorage so nothing typed is lost (a
// reload, SupportPal being down, a closed tab).
import { session } from '../../lib/session.js'

export const PER_PAGE = 20

// The list filters; the key is what GET /api/tickets takes as ?status=.
export const ticketFilters = [
  { key: 'open', label: 'Open' },
  { key: 'closed', label: 'Closed' },
  { key: 'all', label: 'All' },
]

// statusKey is the ticket's status for StatusBadge: SupportPal's status name
// lower-cased ("In Progress" → "in_progress"); a closed ticket is "closed".
export function statusKey(t) {
  const name = String(t?.status || '').trim().toLowerCase().replace(/\s+/g, '_')
  if (name) return name
  return t?.closed ? 'closed' : 'open'
}

// awaitingCustomer: support answered last and the ticket is still open.
export function awaitingCustomer(t) {
  return !!t && !t.closed && t.last_reply_by === 'staff'
}

export function ticketNumber(t) {
  return t?.number ? `#${t.number}` : ''
}

// fieldErrors turns an API error's {field: {message}} into {field: "Text."}.
export function fieldErrors(err) {
  const data = err?.response?.data
  const out = {}
  if (!data || typeof data !== 'object') return out
  for (const [field, v] of Object.entries(data)) {
    const msg = String(typeof v === 'string' ? v : v?.message || '').trim()
    if (msg) out[field] = /[.!?]$/.test(msg) ? msg : `${msg}.`
  }
  return out
}

// Drafts, per customer (and per ticket for replies).
export function newTicketDraftKey() {
  return `ezscale_ticket_draft_${session.customer?.id || 'anon'}`
}
export function replyDraftKey(ticketId) {
  return `ezscale_reply_draft_${session.customer?.id || 'anon'}_${ticketId}`
}

export function loadDraft(key) {
  try {
    const raw = localStorage.getItem(key)
    const v = raw ? JSON.parse(raw) : null
    return v && typeof v === 'object' ? v : null
  } catch {
    return null
  }
}
export function saveDraft(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value))
  } catch {
    // storage full or disabled: the form still works, only the draft is lost
  }
}
export function clearDraft(key) {
  try {
    localStorage.removeItem(key)
  } catch {
    // nothing to do
  }
}
