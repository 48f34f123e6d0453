// Invoice helpers of the staff console's invoice pages. Amounts travel as
// integer minor units; what staff type is read with the portal's one
// decimal parser (parseMoney), never through floating point.
import { ref, onBeforeUnmount } from 'vue'
import { pb } from '../../lib/pb.js'
import { parseMoney, minorDigits } from '../../../lib/format.js'

// invoiceLabel is what an invoice is called: its number, its proforma
// number, or "Draft" before it is issued.
export function invoiceLabel(inv) {
  if (!inv) return ''
  return inv.number || inv.proforma_number || (inv.status === 'draft' ? 'Draft invoice' : `#${inv.id}`)
}

export const gatewayLabels = {
  stripe: 'Card (Stripe)',
  paypal: 'PayPal',
  manual: 'Bank transfer / manual',
  credit: 'Account credit',
  sandbox: 'Sandbox (test)',
}

export function gatewayLabel(g) {
  return gatewayLabels[g] || g || '—'
}

// readAmount reads an amount staff typed in currency: minor units, or an
// error sentence saying what to type.
export function readAmount(text, currency) {
  const minor = parseMoney(text, currency)
  if (minor === null || !Number.isSafeInteger(minor) || minor <= 0) {
    const digits = minorDigits(currency)
    return { error: `Enter a positive amount in ${currency}, with at most ${digits} decimals (e.g. ${digits ? '25.' + '0'.repeat(digits) : '2500'}).` }
  }
  return { minor }
}

// readLine checks a line typed in the form ({description, quantity,
// amount}) and returns it as the API takes it, or an error sentence.
export function readLine(l, currency) {
  const description = String(l.description || '').trim()
  if (!description) return { error: 'Each line needs a description.' }
  const quantity = Number(String(l.quantity).trim())
  if (!Number.isInteger(quantity) || quantity < 1) return { error: `Line "${description}": the quantity is a whole number, at least 1.` }
  const amount = readAmount(l.amount, currency)
  if (amount.error) return { error: `Line "${description}": ${amount.error}` }
  return { line: { description, quantity, unit_amount: amount.minor } }
}

// useStaffFileToken keeps a fresh file token for the PDF links (they open
// in a new tab, without the Authorization header), renewed every two
// minutes while the page is open.
export function useStaffFileToken() {
  const token = ref('')
  const renew = () =>
    pb.files
      .getToken()
      .then((t) => (token.value = t))
      .catch(() => {})
  renew()
  const timer = setInterval(renew, 120_000)
  onBeforeUnmount(() => clearInterval(timer))
  return { token, renew }
}

// pdfHref is the PDF route of an invoice or a credit note with a file token.
export function pdfHref(kind, id, token) {
  if (!token) return undefined
  const path = kind === 'credit-note' ? 'credit-notes' : 'invoices'
  return `/api/${path}/${encodeURIComponent(id)}/pdf?token=${encodeURIComponent(token)}`
}
