// Stripe.js is loaded only when a page needs card entry and the server says
// a Stripe key is configured (GET /api/payment-options); the portal never
// loads it otherwise.
let loading

export function loadStripe(publishableKey) {
  if (!publishableKey) return Promise.reject(new Error('Card payments are not configured.'))
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script')
    script.src = 'https://js.stripe.com/v3/'
    script.async = true
    script.onload = () => resolve(window.Stripe)
    script.onerror = () => {
      loading = undefined
      reject(new Error('Could not load the card form. Check your connection and try again.'))
    }
    document.head.appendChild(script)
  })
  return loading.then((Stripe) => Stripe(publishableKey))
}

let options

// paymentOptions is what the server offers: {stripe: {publishable_key}|null,
// paypal: bool, sandbox: bool}; fetched once per page load.
export function paymentOptions(pb) {
  options ??= pb.send('/api/payment-options', {}).catch((err) => {
    options = undefined
    throw err
  })
  return options
}
