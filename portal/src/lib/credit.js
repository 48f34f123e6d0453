// The customer's account credit, summed by the server per currency:
// {currency: account currency, balances: {USD: 1500, ...}} in minor units.
import { accountCredit } from './api.js'

export function fetchCredit() {
  return accountCredit()
}
