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

// paymentOptions (what the server offers) lives in the API module; pages
// that load Stripe.js import it from here too.
export { paymentOptions } from './api.js'
