// What a service's renewal does with the gateways the platform has
// configured (GET /api/payment-options): a saved card is charged only when
// Stripe is on; otherwise the renewal invoice is paid by hand, with the
// ways the invoice page offers. The server's rule (dunning) is the same:
// the service's card, else the account's default card, else no charge.
import { date } from '../../lib/format.js'
import { cardLabel, cardExpiry, cardExpired } from './invoice.js'

// chargeableCards are the saved cards a renewal can be charged to.
export function chargeableCards(options, methods) {
  if (!options?.stripe) return []
  return (methods || []).filter((m) => m.gateway === 'stripe' && !cardExpired(m))
}

// payWays names how an invoice can be paid by hand: "card or PayPal".
export function payWays(options) {
  const ways = []
  if (options?.stripe) ways.push('card')
  if (options?.paypal) ways.push('PayPal')
  return ways.join(' or ')
}

// renewalChoices are the picker's options: "" is the account default (the
// default card when there is one, else an invoice), then each card.
export function renewalChoices(options, methods) {
  const cards = chargeableCards(options, methods)
  const fallback = cards.find((c) => c.is_default)
  const ways = payWays(options)
  const first = fallback
    ? { value: '', label: `My default card (${cardLabel(fallback)})` }
    : { value: '', label: ways ? `Invoice to pay by ${ways}` : 'Invoice to pay' }
  return [first, ...cards.map((c) => ({ value: c.id, label: `${cardLabel(c)}${cardExpiry(c) ? ` (expires ${cardExpiry(c)})` : ''}` }))]
}

// renewalCard is the card a choice charges, or null when it means an invoice.
export function renewalCard(choice, options, methods) {
  const cards = chargeableCards(options, methods)
  return (choice ? cards.find((c) => c.id === choice) : null) || cards.find((c) => c.is_default) || null
}

// renewalText says what happens at the next renewal for the choice; sub is
// the service's subscription (its period end is the renewal date).
export function renewalText(choice, options, methods, sub) {
  if (!sub || !sub.current_period_end) return ''
  const on = date(sub.current_period_end)
  if (sub.cancel_at_period_end) return `This service ends on ${on} and will not renew.`
  const card = renewalCard(choice, options, methods)
  if (card) return `Charged automatically to ${cardLabel(card)} on ${on}.`
  const ways = payWays(options)
  return ways ? `On ${on} you will get an invoice to pay by ${ways}.` : `On ${on} you will get an invoice to pay.`
}
