// What the renewal run will bill next, per service and in total, as the
// server prices it (GET /api/account/upcoming-charges): the dashboard and
// the services list show it; nothing here does arithmetic on money but
// integer sums the server already made.
import { computed } from 'vue'
import { upcomingCharges } from '../../lib/api.js'
import { useAsync } from '../../lib/useAsync.js'
import { money, date } from '../../lib/format.js'
import { useLive } from './realtime.js'

export function useUpcomingCharges() {
  const upcoming = useAsync(() => upcomingCharges())
  let timer
  const refresh = () => {
    clearTimeout(timer)
    timer = setTimeout(() => upcoming.reload(), 300)
  }
  // A cancellation, plan change or renewal moves the next charge.
  useLive('subscriptions', refresh)
  const byService = computed(() => {
    const out = {}
    for (const c of upcoming.data.value?.charges || []) if (c.service) out[c.service] = c
    return out
  })
  const totals = computed(() =>
    Object.entries(upcoming.data.value?.totals || {}).map(([currency, amount]) => ({ currency, amount })),
  )
  // The earliest invoice date among the charges that bill an amount.
  const nextDate = computed(() => {
    const dates = (upcoming.data.value?.charges || []).filter((c) => c.amount != null).map((c) => c.date)
    dates.sort()
    return dates[0] || ''
  })
  return { upcoming, byService, totals, nextDate }
}

// trialText says a free trial and the charge that ends it: "Trial until
// 21 Dec 2026, first charge €15.00 on 21 Dec 2026"; '' outside a trial.
export function trialText(c) {
  if (!c?.trial_end) return ''
  if (c.kind === 'ending') return `Trial until ${date(c.trial_end)} · no charge, the service ends then`
  return `Trial until ${date(c.trial_end)}, first charge ${money(c.amount, c.currency)}${taxText(c)} on ${date(c.trial_end)}`
}

function taxText(c) {
  return c.tax_included ? ` incl. ${c.tax_name || 'tax'}` : ''
}

// chargeText says a service's next charge in one line.
export function chargeText(c) {
  if (!c) return ''
  if (c.trial_end) return trialText(c)
  if (c.kind === 'ending') return `No further charge · ends ${date(c.date)}`
  if (c.kind === 'hourly') return `Billed hourly by usage · next invoice ${date(c.date)}`
  return `Next charge ${money(c.amount, c.currency)}${taxText(c)} on ${date(c.date)}`
}
