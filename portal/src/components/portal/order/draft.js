// The order a customer is putting together, kept in localStorage for a day:
// the email verification link opens in a new tab (sessionStorage would be
// empty there), and the customer should land back on the order they left,
// plan, cycle, configuration and coupon as they were. Only the customer
// who started it gets it back.
const key = 'ezscale-order-draft'
const maxAge = 24 * 60 * 60 * 1000

// saveDraft keeps {plan, price, options, coupon} for the customer.
export function saveDraft(customer, draft) {
  if (!customer || !draft?.price) return
  try {
    localStorage.setItem(key, JSON.stringify({ ...draft, customer, at: Date.now() }))
  } catch {
    // Storage full or disabled: the order still works, it is only not kept.
  }
}

// loadDraft is the customer's draft, or null (none, too old, another
// customer's, unreadable). Without a customer (signed out) any fresh draft
// answers, so the verify page can offer to log in and continue.
export function loadDraft(customer) {
  let d
  try {
    d = JSON.parse(localStorage.getItem(key) || 'null')
  } catch {
    return null
  }
  if (!d || typeof d !== 'object' || typeof d.price !== 'string' || !(Date.now() - d.at < maxAge)) return null
  if (customer && d.customer !== customer) return null
  return {
    plan: String(d.plan || ''),
    price: d.price,
    options: d.options && typeof d.options === 'object' ? d.options : {},
    coupon: typeof d.coupon === 'string' ? d.coupon : '',
  }
}

export function clearDraft() {
  try {
    localStorage.removeItem(key)
  } catch {
    // Nothing kept.
  }
}
