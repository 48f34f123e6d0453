// The customer's account credit, summed by the server per currency:
// {currency: account currency, balances: {USD: 1500, ...}} in minor units.
import { pb } from './pb.js'

export function fetchCredit() {
  return pb.send('/api/account/credit', {})
}
