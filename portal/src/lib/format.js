// Display helpers. Money arrives as integer minor units with its currency
// and is only ever turned into text here, through a decimal string (no
// floating-point arithmetic on amounts).

// The currency table is the server's (GET /api/currencies, billing/money's
// ISO 4217 table), loaded once before the first amount is shown. Browsers'
// Intl data disagrees with ISO 4217 for some currencies (HUF, LBP, IRR, MGA,
// SOS, YER, IQD): taking decimal places from it showed a HUF invoice at 100
// times its amount. Intl only draws the symbol and the grouping.
const currencies = new Map()

// loadCurrencies fetches the table, retrying a few times: nothing that shows
// or reads an amount can work without it.
export async function loadCurrencies(attempts = 3) {
  for (let i = 1; ; i++) {
    try {
      const res = await fetch('/api/currencies', { headers: { Accept: 'application/json' } })
      if (!res.ok) throw new Error(`the currency table answered ${res.status}`)
      for (const c of await res.json()) currencies.set(c.code, c)
      return
    } catch (err) {
      if (i >= attempts) throw err
      await new Promise((resolve) => setTimeout(resolve, 300 * i))
    }
  }
}

// currencyInfo is the table's entry for a code ({code, name, exponent,
// step}), or undefined for a code it does not have.
export function currencyInfo(code) {
  return currencies.get(code)
}

// minorDigits is the currency's number of minor-unit digits (2 for USD and
// HUF, 0 for JPY, 3 for KWD), as ISO 4217 has it. An unknown currency is an
// error: a guess would show amounts 100 times off.
export function minorDigits(code) {
  const c = currencies.get(code)
  if (!c) throw new Error(`unknown currency ${code}`)
  return c.exponent
}

// decimalString renders an integer amount of minor units as an exact
// decimal string: 12345 USD -> "123.45".
export function decimalString(minor, currency) {
  const digits = minorDigits(currency)
  const negative = minor < 0
  let s = String(Math.abs(Math.trunc(Number(minor) || 0)))
  if (digits > 0) {
    s = s.padStart(digits + 1, '0')
    s = `${s.slice(0, -digits)}.${s.slice(-digits)}`
  }
  return negative ? `-${s}` : s
}

// money formats minor units of currency for people: 12345, "USD" -> "$123.45",
// with exactly the table's decimal places.
export function money(minor, code) {
  if (!code || !currencies.has(code)) return '—'
  const digits = minorDigits(code)
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency: code,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(decimalString(minor ?? 0, code))
}

// parseMoney turns what a person typed ("12.5") into minor units, or null.
export function parseMoney(text, currency) {
  if (!currencies.has(currency)) return null
  const digits = minorDigits(currency)
  const m = String(text).trim().match(/^(\d+)(?:\.(\d*))?$/)
  if (!m || (m[2] && m[2].length > digits)) return null
  return Number(m[1] + (m[2] || '').padEnd(digits, '0'))
}

function toDate(value) {
  if (!value) return null
  const d = new Date(typeof value === 'string' ? value.replace(' ', 'T') : value)
  return Number.isNaN(d.getTime()) ? null : d
}

export function date(value) {
  const d = toDate(value)
  return d ? d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : '—'
}

// period prints a billing period for customers exactly as the server's
// cycle.FormatPeriod does on PDFs and emails: "7 Dec 2026 – 6 Dec 2027".
// Stored periods are half-open (end is the next period's start), but a
// reader takes the printed last day as included, so the day before end is
// printed: the last day actually served. Days are UTC's, as on the PDF, so
// the page and the PDF never differ by a time zone.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
function utcDay(d) {
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`
}
export function period(start, end) {
  const s = toDate(start)
  if (!s) return '—'
  const e = toDate(end)
  if (!e) return utcDay(s)
  const last = new Date(e.getTime())
  last.setUTCDate(last.getUTCDate() - 1)
  const first = utcDay(s)
  const final = utcDay(last)
  return first === final ? first : `${first} – ${final}`
}

export function dateTime(value) {
  const d = toDate(value)
  return d ? d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '—'
}

// bytes formats a byte count in decimal units (what bandwidth quotas use).
export function bytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
  let v = Number(n) || 0
  let i = 0
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`
}

export const cycleLabels = {
  hourly: 'Hourly',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  semiannual: 'Semi-annually',
  annual: 'Annually',
  biennial: 'Biennially',
  triennial: 'Triennially',
}

export function cycleLabel(c) {
  return cycleLabels[c] || c
}

export const serviceTypeLabels = {
  vps: 'VPS',
  dedicated: 'Dedicated servers',
  hosting: 'Web hosting',
  game_server: 'Game servers',
}

// powerStates are the power states shown as they are: the settled ones and
// a power action under way until the platform reports it done.
const powerStates = ['online', 'offline', 'starting', 'stopping', 'restarting']

// serviceState is the one word the portal shows for a service: its power
// state while active (online, offline, starting, ...), else its lifecycle (provisioning,
// suspended, ...). A pending service that is paid is being provisioned; an
// active one the queue is reinstalling shows that.
export function serviceState(svc) {
  if (!svc) return 'unknown'
  if (svc.status === 'active' && svc.reinstalling) return 'reinstalling'
  switch (svc.status) {
    case 'active':
      return powerStates.includes(svc.power_state) ? svc.power_state : 'active'
    case 'provisioning':
      return 'provisioning'
    default:
      return svc.status || 'unknown'
  }
}

// errorMessage is what to show a person for a failed request: the API's
// message and the first field reason it names.
export function errorMessage(err) {
  if (!err) return ''
  const data = err.response?.data || err.data?.data
  const field = data && typeof data === 'object' ? Object.values(data)[0] : null
  const base = err.response?.message || err.message || 'Something went wrong.'
  if (err.status === 0 && !err.response?.message) return 'The server could not be reached. Check your connection and try again.'
  return field?.message && field.message !== base ? `${sentence(base)} ${sentence(field.message)}` : base
}

// sentence capitalises s and ends it with one full stop.
function sentence(s) {
  const t = s.trim()
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.')
}
