// Placing the order, then paying its invoice with the chosen method, then
// following the new service and invoice live for the confirmation.
import { computed, onBeforeUnmount, reactive, ref } from 'vue'
import { pb } from '../../../lib/pb.js'
import { placeOrder, startPayPalCheckout, payInvoiceWithCredit, payInvoiceInSandbox, payInvoice, setupCard, syncCards } from '../../../lib/api.js'
import { money, errorMessage } from '../../../lib/format.js'
import { subscribe } from '../realtime.js'

export function useCheckout() {
  const placing = ref(false)
  const placeError = ref(null)
  const result = ref(null) // {order, subscription, service, invoice}
  const service = ref(null)
  const invoice = ref(null)
  // state: paying | redirecting | paid | partial | processing | action |
  // approval | unpaid | failed
  const payment = reactive({ state: '', message: '', actionUrl: '' })
  const paidNow = computed(() => payment.state === 'paid' || invoice.value?.status === 'paid')

  let stops = []
  onBeforeUnmount(() => stops.forEach((stop) => stop()))

  // place sends the order and pays it. `method` is the chosen payment value,
  // `newCard` the card form (for "new_card") and `knownCards` the ids of the
  // cards saved before. Returns the order request's error, if any.
  async function place(body, { method, newCard, knownCards }) {
    placing.value = true
    placeError.value = null
    let res
    try {
      // A new card is saved with Stripe before the order: Stripe needs the
      // card form on the page, which the confirmation replaces.
      if (method === 'new_card') method = `card:${await saveNewCard(newCard, knownCards)}`
      res = await placeOrder(body)
    } catch (err) {
      placeError.value = err
      placing.value = false
      return err
    }
    result.value = res
    service.value = res.service
    invoice.value = res.invoice
    window.scrollTo({ top: 0, behavior: 'smooth' })
    stops = [
      subscribe('services', res.service.id, (e) => {
        if (e.action !== 'delete') service.value = e.record
      }),
      subscribe('invoices', res.invoice.id, (e) => {
        if (e.action !== 'delete') {
          invoice.value = e.record
          if (e.record.status === 'paid' && payment.state !== 'paid') payment.state = 'paid'
        }
      }),
    ]
    try {
      await pay(res.invoice, method)
    } catch (err) {
      payment.state = 'failed'
      payment.message = errorMessage(err)
    } finally {
      placing.value = false
    }
    // Catch up on anything that changed before the live updates were on.
    refreshService()
    setTimeout(refreshService, 2000)
    return null
  }

  async function refreshService() {
    if (!service.value?.id) return
    try {
      service.value = await pb.collection('services').getOne(service.value.id)
    } catch {
      // Live updates keep going; nothing to show.
    }
  }

  async function pay(inv, method) {
    const id = inv.id
    if (inv.status === 'draft') return (payment.state = 'approval')
    if (inv.status === 'paid' || (inv.amount_due ?? 0) <= 0) return (payment.state = 'paid')
    if (!method) return (payment.state = 'unpaid')
    payment.state = 'paying'
    if (method.startsWith('card:')) return payWithCard(id, method.slice(5))
    if (method === 'paypal') {
      payment.state = 'redirecting'
      const r = await startPayPalCheckout(id)
      window.location.assign(r.approve_url)
      return
    }
    if (method === 'credit') {
      const updated = await payInvoiceWithCredit(id)
      invoice.value = updated
      if (updated.status === 'paid' || (updated.amount_due ?? 0) <= 0) return (payment.state = 'paid')
      payment.state = 'partial'
      payment.message = `Your credit covered part of the invoice; ${money(updated.amount_due, updated.currency)} is still due.`
      return
    }
    if (method === 'sandbox') {
      const updated = await payInvoiceInSandbox(id)
      invoice.value = updated
      payment.state = updated.status === 'paid' ? 'paid' : 'unpaid'
    }
  }

  async function payWithCard(invoiceId, methodId) {
    const r = await payInvoice(invoiceId, methodId)
    if (r.status === 'succeeded') return (payment.state = 'paid')
    if (r.status === 'requires_action' && r.action_url) {
      payment.state = 'action'
      payment.actionUrl = r.action_url
      return
    }
    if (r.status === 'pending') return (payment.state = 'processing')
    payment.state = 'failed'
    payment.message = r.failure_message || 'Your card was declined.'
  }

  // saveNewCard saves the card in the form with Stripe (a SetupIntent) and
  // returns its payment method id: the card that was not there before.
  async function saveNewCard(newCard, knownCards) {
    const before = new Set(knownCards)
    const setup = await setupCard()
    const { error } = await newCard.confirmSetup(setup.client_secret)
    if (error) throw new Error(error.message || 'Your card could not be saved.')
    await syncCards()
    const cards = await pb.collection('payment_methods').getFullList({ sort: '-created' })
    const added = cards.find((c) => !before.has(c.id))
    if (!added) throw new Error('Your card could not be saved. Try again or choose another way to pay.')
    return added.id
  }

  return { placing, placeError, result, service, invoice, payment, paidNow, place }
}
