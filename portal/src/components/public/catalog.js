// The public catalogue: active plans and their active prices (both are
// readable by anyone), and the currency/cycle choices derived from them.
import { pb } from '../../lib/pb.js'
import { cycleLabels } from '../../lib/format.js'

const CURRENCY_KEY = 'ezscale.currency'
const CYCLE_KEY = 'ezscale.cycle'

// Service types in the order the site shows them.
export const serviceTypeOrder = ['vps', 'dedicated', 'hosting', 'game_server']

// cycleOrder sorts cycles from the shortest to the longest.
const cycleOrder = Object.keys(cycleLabels)

export async function loadCatalog() {
  const [plans, prices] = await Promise.all([
    pb.collection('plans').getFullList({ filter: 'status = "active"', sort: 'sort_order,name' }),
    pb.collection('plan_prices').getFullList({ filter: 'active = true', sort: 'currency,cycle' }),
  ])
  return { plans, prices }
}

// loadCurrencies lists the currencies plans are sold in (sign-up form).
export async function loadCurrencies() {
  const prices = await pb.collection('plan_prices').getFullList({ filter: 'active = true', fields: 'currency' })
  return currenciesOf(prices)
}

export function currenciesOf(prices) {
  return [...new Set(prices.map((p) => p.currency).filter(Boolean))].sort()
}

export function cyclesOf(prices, currency) {
  const set = new Set(prices.filter((p) => p.currency === currency).map((p) => p.cycle))
  return [...set].sort((a, b) => rank(a) - rank(b))
}

function rank(cycle) {
  const i = cycleOrder.indexOf(cycle)
  return i === -1 ? cycleOrder.length : i
}

// preferredCurrency: the signed-in customer's currency, else the one the
// visitor chose last time, else USD, else the first one offered.
export function preferredCurrency(offered, customer) {
  const candidates = [customer?.currency, remembered(CURRENCY_KEY), 'USD']
  return candidates.find((c) => c && offered.includes(c)) || offered[0] || ''
}

export function preferredCycle(offered) {
  const candidates = [remembered(CYCLE_KEY), 'monthly']
  return candidates.find((c) => c && offered.includes(c)) || offered[0] || ''
}

export function rememberCurrency(currency) {
  remember(CURRENCY_KEY, currency)
}

export function rememberCycle(cycle) {
  remember(CYCLE_KEY, cycle)
}

function remembered(key) {
  try {
    return window.localStorage.getItem(key) || ''
  } catch {
    return ''
  }
}

function remember(key, value) {
  try {
    if (value) window.localStorage.setItem(key, value)
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

// featureList normalises a plan's `features` JSON ([{label, value}], also
// tolerating plain strings and {name, value}) into [{label, value}]. A
// metered plan's traffic row says its monthly allowance (the quota, not the
// text staff wrote), since traffic is metered per month whatever the cycle.
export function featureList(plan) {
  const raw = Array.isArray(plan?.features) ? plan.features : []
  const out = []
  for (const f of raw) {
    if (typeof f === 'string' && f.trim()) out.push({ label: f.trim(), value: '' })
    else if (f && typeof f === 'object') {
      const label = String(f.label ?? f.name ?? '').trim()
      if (label) out.push({ label, value: f.value == null ? '' : String(f.value) })
    }
  }
  const traffic = trafficAllowance(plan)
  if (!traffic) return out
  const i = out.findIndex((f) => /^(traffic|bandwidth)\b/i.test(f.label))
  const row = { label: 'Traffic', value: traffic }
  if (i === -1) out.push(row)
  else out[i] = row
  return out
}

// trafficAllowance is a metered plan's monthly traffic ("8 TB per month"),
// '' when unmetered. Quotas are decimal GB, as traffic is sold.
export function trafficAllowance(plan) {
  const gb = Math.trunc(Number(plan?.bandwidth_quota_gb) || 0)
  if (gb <= 0) return ''
  return `${gb % 1000 === 0 ? `${gb / 1000} TB` : `${gb} GB`} per month`
}

// Months a cycle's price covers, for comparing it with the monthly price.
const cycleMonths = { quarterly: 3, semiannual: 6, annual: 12, biennial: 24, triennial: 36 }

// savingPercent is how much a longer cycle's price saves against paying
// monthly for as long, in whole percent rounded down (never overstated),
// from minor units in integers; 0 when it saves nothing or there is no
// monthly price of the same plan and currency to compare with.
export function savingPercent(price, prices) {
  const months = cycleMonths[price?.cycle]
  if (!months) return 0
  const monthly = (prices || []).find((p) => p.plan === price.plan && p.currency === price.currency && p.cycle === 'monthly')
  if (!monthly) return 0
  const full = monthly.amount * months
  if (!(full > 0) || price.amount >= full) return 0
  return Math.floor(((full - price.amount) * 100) / full)
}

// Suffix of a price for its cycle: "$12.00 /month".
export const cyclePer = {
  hourly: 'per hour',
  monthly: 'per month',
  quarterly: 'every 3 months',
  semiannual: 'every 6 months',
  annual: 'per year',
  biennial: 'every 2 years',
  triennial: 'every 3 years',
}
