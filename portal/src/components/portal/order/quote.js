// The exact price of the order, from the server, asked again (debounced)
// whenever the price, the configuration or the coupon changes.
import { computed, onBeforeUnmount, ref, watch } from 'vue'
import { quoteOrder } from '../../../lib/api.js'
import { errorMessage } from '../../../lib/format.js'

// fieldMessages maps an API error's field reasons to sentences:
// {"options.hostname": "Must be a valid hostname."}.
export function fieldMessages(err) {
  const data = err?.response?.data || {}
  const out = {}
  for (const [k, v] of Object.entries(data)) {
    if (v && typeof v === 'object' && v.message) out[k] = v.message.charAt(0).toUpperCase() + v.message.slice(1)
  }
  return out
}

// useQuote takes refs of the chosen price, the option values, whether they
// are complete, and the applied coupon code.
export function useQuote({ price, options, complete, coupon }) {
  const quote = ref(null)
  const loading = ref(false)
  const error = ref(null)
  const fieldErrors = ref({})
  const couponError = ref('')
  let seq = 0
  let timer

  async function request() {
    const mine = ++seq
    if (!price.value || !complete.value) {
      quote.value = null
      loading.value = false
      error.value = null
      fieldErrors.value = {}
      return
    }
    loading.value = true
    const body = { plan_price: price.value.id, options: options.value }
    if (coupon.value) body.coupon = coupon.value
    try {
      let res
      try {
        res = await quoteOrder(body)
        if (mine === seq) couponError.value = ''
      } catch (err) {
        const fields = fieldMessages(err)
        // A refused coupon: say so at the coupon, and price the order without it.
        if (fields.coupon && body.coupon) {
          if (mine !== seq) return
          couponError.value = fields.coupon
          delete body.coupon
          res = await quoteOrder(body)
        } else throw err
      }
      if (mine !== seq) return
      quote.value = res
      error.value = null
      fieldErrors.value = {}
    } catch (err) {
      if (mine !== seq) return
      quote.value = null
      fieldErrors.value = fieldMessages(err)
      error.value = err
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  watch(
    [() => price.value?.id, options, coupon],
    () => {
      clearTimeout(timer)
      loading.value = !!price.value && complete.value
      timer = setTimeout(request, 350)
    },
    { deep: true },
  )
  onBeforeUnmount(() => clearTimeout(timer))

  // The quote's error when no field shows it.
  const generalError = computed(() => {
    if (!error.value) return ''
    const keys = Object.keys(fieldErrors.value)
    if (keys.length && keys.every((k) => k.startsWith('options.') || k === 'coupon' || k === 'plan_price')) return ''
    return errorMessage(error.value)
  })

  // needsAddress: the account has no billing country, so the quote is not
  // final (no tax yet) and the server refuses the order until it is given.
  const needsAddress = computed(() => (quote.value?.missing || []).includes('country'))

  return { quote, invoice: computed(() => quote.value?.invoice || null), loading, error, fieldErrors, couponError, generalError, needsAddress, refresh: request }
}
