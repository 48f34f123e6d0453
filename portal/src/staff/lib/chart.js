// Shared arithmetic of the console's SVG charts: "nice" axis ticks and
// compact axis labels. Axis labels are approximate by nature; every exact
// amount (tooltips, tables) goes through money() in lib/format.js.
import { decimalString, minorDigits } from '../../lib/format.js'

// niceTicks covers [min, max] with about `count` round steps.
export function niceTicks(min, max, count = 4) {
  let lo = Math.min(0, min)
  let hi = Math.max(0, max)
  if (lo === hi) hi = lo + 1
  const raw = (hi - lo) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag
  lo = Math.floor(lo / step) * step
  hi = Math.ceil(hi / step) * step
  const ticks = []
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Math.round(v))
  return { min: lo, max: hi, ticks }
}

// compactMoney labels an axis: 1234567 USD minor units -> "$12K".
export function compactMoney(minor, currency) {
  if (!currency) return String(minor)
  const value = Number(decimalString(Math.round(minor), currency))
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: Math.abs(value) < 10 && minorDigits(currency) > 0 ? 1 : 0,
  }).format(value)
}
