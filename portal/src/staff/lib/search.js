// The staff search: GET /api/staff/search?q= and how each kind of result
// is shown and where it leads (the console's agreed routes).
import { pb } from './pb.js'
import { money, date, decimalString } from '../../lib/format.js'

// MIN_QUERY is the server's shortest query (backoffice.MinQuery).
export const MIN_QUERY = 2

export function search(q, options = {}) {
  return pb.send('/api/staff/search', { query: { q }, ...options })
}

function who(item) {
  return item.customer_name || item.customer_email || ''
}

function held(item) {
  const h = item.held
  if (!h) return ''
  const from = h.from ? date(h.from) : 'before records'
  return h.to ? `held ${h.address} ${from} – ${date(h.to)}` : `holds ${h.address} since ${from}`
}

function ips(item) {
  return Array.isArray(item.ip_addresses) ? item.ip_addresses.join(', ') : ''
}

const parts = (...xs) => xs.filter(Boolean).join(' · ')

// groups are the kinds of result in the order shown: each row's title,
// detail line, link, and CSV columns.
export const groups = [
  {
    key: 'customers',
    label: 'Customers',
    title: (c) => c.name || c.email,
    detail: (c) => parts(c.email, c.company, c.status),
    link: (c) => `/customers/${c.id}`,
    columns: [
      { label: 'id', value: (c) => c.id },
      { label: 'name', value: (c) => c.name },
      { label: 'email', value: (c) => c.email },
      { label: 'company', value: (c) => c.company },
      { label: 'status', value: (c) => c.status },
    ],
  },
  {
    key: 'services',
    label: 'Services',
    title: (s) => s.label || s.hostname || s.domain || s.service_type,
    detail: (s) => parts(who(s), s.hostname, s.domain, ips(s), s.platform_service_id && `${s.platform} #${s.platform_service_id}`, s.status, held(s)),
    link: (s) => `/services/${s.id}`,
    columns: [
      { label: 'id', value: (s) => s.id },
      { label: 'customer', value: (s) => who(s) },
      { label: 'label', value: (s) => s.label },
      { label: 'hostname', value: (s) => s.hostname },
      { label: 'ip_addresses', value: (s) => ips(s) },
      { label: 'platform', value: (s) => s.platform },
      { label: 'platform_id', value: (s) => s.platform_service_id },
      { label: 'status', value: (s) => s.status },
      { label: 'address', value: (s) => s.held?.address || '' },
      { label: 'held_from', value: (s) => s.held?.from || '' },
      { label: 'held_to', value: (s) => s.held?.to || '' },
    ],
  },
  {
    key: 'invoices',
    label: 'Invoices',
    title: (i) => i.number || i.proforma_number || 'Draft invoice',
    detail: (i) => parts(who(i), i.status, money(i.total, i.currency)),
    link: (i) => `/invoices/${i.id}`,
    columns: [
      { label: 'id', value: (i) => i.id },
      { label: 'number', value: (i) => i.number || i.proforma_number },
      { label: 'customer', value: (i) => who(i) },
      { label: 'status', value: (i) => i.status },
      { label: 'currency', value: (i) => i.currency },
      { label: 'total', value: (i) => decimalString(i.total, i.currency) },
    ],
  },
  {
    key: 'orders',
    label: 'Orders',
    title: (o) => `Order ${o.id}`,
    detail: (o) => parts(who(o), o.plan_name, o.status, o.currency && money(o.amount, o.currency), date(o.created)),
    link: (o) => `/customers/${o.customer}`,
    columns: [
      { label: 'id', value: (o) => o.id },
      { label: 'customer', value: (o) => who(o) },
      { label: 'plan', value: (o) => o.plan_name },
      { label: 'status', value: (o) => o.status },
      { label: 'created', value: (o) => o.created },
    ],
  },
  {
    key: 'tickets',
    label: 'Tickets',
    title: (t) => `#${t.number} ${t.subject}`,
    detail: (t) => parts(who(t), t.source === 'archive' ? 'WHMCS archive' : 'help desk', t.status),
    link: (t) => `/customers/${t.customer}`,
    columns: [
      { label: 'number', value: (t) => t.number },
      { label: 'subject', value: (t) => t.subject },
      { label: 'customer', value: (t) => who(t) },
      { label: 'source', value: (t) => t.source },
      { label: 'status', value: (t) => t.status },
    ],
  },
]

// flatten lists the results in display order, each with its group and
// link, for keyboard navigation.
export function flatten(results) {
  const out = []
  for (const g of groups) for (const item of results?.[g.key] || []) out.push({ group: g, item, link: g.link(item) })
  return out
}
