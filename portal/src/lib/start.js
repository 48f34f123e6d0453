// Starting the portal and the staff console: the server's currency table
// comes first, so that no amount is ever shown or read without it.
import { loadCurrencies } from './format.js'

// startWithCurrencies loads the currency table, then mounts the app; if the
// server cannot be reached, it says so instead of showing wrong amounts.
export async function startWithCurrencies(mount) {
  try {
    await loadCurrencies()
  } catch {
    const el = document.getElementById('app')
    el.textContent = 'The server could not be reached. Reload the page to try again.'
    el.setAttribute('role', 'alert')
    el.className = 'p-8 text-center text-slate-700'
    return
  }
  mount()
}
