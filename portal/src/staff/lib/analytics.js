// The staff analytics: date range presets and the request to
// GET /api/staff/analytics. Money is in minor units of the answer's
// currency, rates in basis points.
import { pb } from './pb.js'

export const rangePresets = [
  { id: '3m', label: 'Last 3 months' },
  { id: '6m', label: 'Last 6 months' },
  { id: '12m', label: 'Last 12 months' },
  { id: 'ytd', label: 'This year' },
]

function isoDay(d) {
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

// rangeDates turns a preset into {from, to} (YYYY-MM-DD, both included):
// "last N months" is the current month and the N-1 before it.
export function rangeDates(preset, today = new Date()) {
  const to = isoDay(today)
  if (preset === 'ytd') return { from: `${today.getFullYear()}-01-01`, to }
  const months = { '3m': 3, '6m': 6, '12m': 12 }[preset] || 12
  return { from: isoDay(new Date(today.getFullYear(), today.getMonth() - (months - 1), 1)), to }
}

export async function fetchAnalytics({ from, to, currency }) {
  const query = { from, to }
  if (currency) query.currency = currency
  const res = await pb.send('/api/staff/analytics', { query })
  // A server without the route answers with the portal's index.html
  // (status 200), which the SDK reads as {}: treat that as "not there".
  if (!res || typeof res !== 'object' || !Array.isArray(res.months) || typeof res.mrr !== 'object') {
    throw Object.assign(new Error('The server answered without analytics data.'), { status: 404 })
  }
  return res
}

// percent renders basis points: 1234 -> "12.34%".
export function percent(bp) {
  if (bp === null || bp === undefined || Number.isNaN(Number(bp))) return '—'
  const n = Math.trunc(Number(bp))
  const sign = n < 0 ? '-' : ''
  const abs = String(Math.abs(n)).padStart(3, '0')
  return `${sign}${abs.slice(0, -2)}.${abs.slice(-2)}%`
}

// monthLabel renders "2025-03" as "Mar 2025" (or "Mar" when short).
export function monthLabel(ym, short = false) {
  const m = /^(\d{4})-(\d{2})/.exec(ym || '')
  if (!m) return ym || ''
  const d = new Date(Number(m[1]), Number(m[2]) - 1, 1)
  return d.toLocaleDateString(undefined, short ? { month: 'short' } : { month: 'short', year: 'numeric' })
}
