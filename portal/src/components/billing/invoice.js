// Invoice helpers shared by the billing pages.
import { ref, onBeforeUnmount } from 'vue'
import { pb } from '../../lib/pb.js'

// Invoice statuses a customer can see (drafts never reach them), grouped
// into the list's filter tabs. Each tab's filter is a fixed string: no
// value typed by anyone is put into it.
export const invoiceTabs = [
  { key: 'all', label: 'All', filter: '' },
  { key: 'unpaid', label: 'Unpaid', filter: 'status = "open"' },
  { key: 'paid', label: 'Paid', filter: 'status = "paid"' },
  { key: 'refunded', label: 'Refunded', filter: '(status = "refunded" || status = "partially_refunded")' },
  { key: 'void', label: 'Void', filter: '(status = "void" || status = "uncollectible")' },
]

// invoiceLabel is what an invoice is called: its number, else its proforma
// number (an open invoice is numbered when paid in some setups).
export function invoiceLabel(inv) {
  if (!inv) return ''
  if (inv.number) return inv.number
  if (inv.proforma_number) return inv.proforma_number
  return `#${inv.id}`
}

// isProforma tells an unnumbered invoice that carries a proforma number.
export function isProforma(inv) {
  return !!inv && !inv.number && !!inv.proforma_number
}

// overdue is an open invoice past its due date.
export function overdue(inv, now = Date.now()) {
  if (!inv || inv.status !== 'open' || !inv.due_at) return false
  const due = new Date(String(inv.due_at).replace(' ', 'T'))
  return !Number.isNaN(due.getTime()) && due.getTime() < now
}

// useFileToken keeps a fresh file token for plain PDF links (they open in a
// new tab, without the Authorization header). File tokens are short-lived,
// so it renews the token every two minutes while the page is open, and
// `touch()` (on hover or focus of a link) renews one older than a minute.
export function useFileToken() {
  const token = ref('')
  let at = 0
  let pending = null
  async function renew() {
    pending ??= pb.files
      .getToken()
      .then((t) => {
        token.value = t
        at = Date.now()
      })
      .catch(() => {})
      .finally(() => (pending = null))
    return pending
  }
  function touch() {
    if (Date.now() - at > 60_000) renew()
  }
  renew()
  const timer = setInterval(renew, 120_000)
  onBeforeUnmount(() => clearInterval(timer))
  return { token, touch, renew }
}

// pdfHref is the PDF route of an invoice or a credit note with a file token.
export function pdfHref(kind, id, token) {
  if (!token) return undefined
  const path = kind === 'credit-note' ? 'credit-notes' : 'invoices'
  return `/api/${path}/${encodeURIComponent(id)}/pdf?token=${encodeURIComponent(token)}`
}

export const gatewayLabels = {
  stripe: 'Card',
  paypal: 'PayPal',
  manual: 'Bank transfer / manual',
  credit: 'Account credit',
  sandbox: 'Sandbox (test)',
}

export function gatewayLabel(g) {
  return gatewayLabels[g] || g || '—'
}

// Card brand names as people write them.
const brands = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB', unionpay: 'UnionPay' }

export function brandLabel(brand) {
  const b = String(brand || '').toLowerCase()
  return brands[b] || (b ? b.charAt(0).toUpperCase() + b.slice(1) : 'Card')
}

export function cardLabel(pm) {
  if (!pm) return ''
  if (pm.kind === 'paypal' || pm.gateway === 'paypal') return 'PayPal'
  return `${brandLabel(pm.brand)} •••• ${pm.last4 || '????'}`
}

export function cardExpiry(pm) {
  if (!pm?.exp_month || !pm?.exp_year) return ''
  return `${String(pm.exp_month).padStart(2, '0')}/${String(pm.exp_year).slice(-2)}`
}

// cardExpired: a card is valid through the end of its expiry month.
export function cardExpired(pm, now = new Date()) {
  if (!pm?.exp_month || !pm?.exp_year) return false
  const y = now.getFullYear()
  const m = now.getMonth() + 1
  return pm.exp_year < y || (pm.exp_year === y && pm.exp_month < m)
}

export const creditReasonLabels = {
  overpayment: 'Overpayment',
  downgrade: 'Plan downgrade',
  cancellation: 'Cancellation',
  refund: 'Refund to credit',
  manual: 'Adjustment',
  applied: 'Applied to invoice',
  import: 'Imported balance',
}

export function creditReasonLabel(r) {
  return creditReasonLabels[r] || r || '—'
}

// formatRate prints a tax rate stored in thousandths of a percent:
// 20000 -> "20%", 8875 -> "8.875%".
export function formatRate(rate) {
  const n = Math.trunc(Number(rate) || 0)
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(n)
  const whole = Math.floor(abs / 1000)
  const frac = String(abs % 1000).padStart(3, '0').replace(/0+$/, '')
  return `${sign}${whole}${frac ? `.${frac}` : ''}%`
}
