// What the order page offers: plans and prices in the account currency,
// the saved cards, the payment options and the account credit.
import { pb } from '../../../lib/pb.js'
import { fetchCredit } from '../../../lib/credit.js'
import { useAsync } from '../../../lib/useAsync.js'
import { paymentOptions } from '../../../lib/stripe.js'
import { money, cycleLabels } from '../../../lib/format.js'

const cycleOrder = Object.keys(cycleLabels)

// useCatalog loads everything the form needs, once.
export function useCatalog(currency) {
  return useAsync(async () => {
    const [plans, prices, cards, opts, credit] = await Promise.all([
      pb.collection('plans').getFullList({ sort: 'sort_order,name' }),
      pb.collection('plan_prices').getFullList({ sort: 'amount' }),
      pb.collection('payment_methods').getFullList({ sort: '-is_default,-created' }),
      paymentOptions().catch(() => ({ stripe: null, paypal: false, sandbox: false })),
      fetchCredit(),
    ])
    return {
      plans,
      prices,
      cards: cards.filter((c) => c.gateway === 'stripe' && (c.kind === 'card' || !c.kind)),
      options: opts || {},
      credit: credit.balances[currency.value] || 0,
    }
  })
}

// pricesFor is a plan's prices, shortest billing cycle first.
export function pricesFor(prices, planId) {
  return prices.filter((p) => p.plan === planId).sort((a, b) => cycleOrder.indexOf(a.cycle) - cycleOrder.indexOf(b.cycle))
}

// payChoices are the ways to pay the new order, in the order offered.
export function payChoices(catalog, currency) {
  if (!catalog) return []
  const list = catalog.cards.map((c) => ({
    value: `card:${c.id}`,
    label: `Saved card •••• ${c.last4 || '????'}`,
    hint: [c.brand && c.brand.charAt(0).toUpperCase() + c.brand.slice(1), c.exp_month && c.exp_year ? `expires ${String(c.exp_month).padStart(2, '0')}/${c.exp_year}` : '', c.is_default ? 'default' : ''].filter(Boolean).join(' · '),
  }))
  if (catalog.options.stripe) list.push({ value: 'new_card', label: 'New card', hint: 'Saved to your account for renewals' })
  if (catalog.options.paypal) list.push({ value: 'paypal', label: 'PayPal', hint: 'You approve the payment at PayPal and come back here' })
  if (catalog.credit > 0) list.push({ value: 'credit', label: 'Account credit', hint: `${money(catalog.credit, currency)} available` })
  if (catalog.options.sandbox) list.push({ value: 'sandbox', label: 'Sandbox payment (dev mode)', hint: 'Marks the invoice paid at once; no money moves', testid: 'pay-sandbox' })
  return list
}

// orderOptions is what the plan asks for at order time, normalised:
// {hostname: true, domain: true, os: [...], game: [...], location: [...],
// ssh_keys: true}, each optional. A location is chosen only among several.
export function orderOptions(plan) {
  let o = plan?.order_options
  if (typeof o === 'string') {
    try {
      o = JSON.parse(o)
    } catch {
      o = null
    }
  }
  const out = {}
  if (!o || typeof o !== 'object') return out
  if (o.hostname) out.hostname = true
  if (o.domain) out.domain = true
  if (Array.isArray(o.os) && o.os.length) out.os = o.os
  if (Array.isArray(o.game) && o.game.length) out.game = o.game
  if (Array.isArray(o.locations) && o.locations.length > 1) out.location = o.locations
  if (o.ssh_keys) out.ssh_keys = true
  return out
}
