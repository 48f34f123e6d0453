// CSV downloads of the console's lists. Any list a page shows can be
// exported through downloadCSV; the customer list is exported by the
// server (it holds more rows than a page), through downloadFrom.
import { pb } from './pb.js'

// cell quotes a value as RFC 4180 wants, and makes text a spreadsheet
// would run as a formula (starting with = + - @, a tab or a carriage
// return) show as text with a leading '. Numbers stay numbers.
export function cell(value) {
  if (value === null || value === undefined) return ''
  let s = String(value)
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

// toCSV renders rows under columns [{ label, value: row => … }].
export function toCSV(columns, rows) {
  const lines = [columns.map((c) => cell(c.label)).join(',')]
  for (const row of rows) lines.push(columns.map((c) => cell(c.value(row))).join(','))
  return `${lines.join('\r\n')}\r\n`
}

function save(blob, filename) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

// downloadCSV saves rows as filename.
export function downloadCSV(filename, columns, rows) {
  save(new Blob([toCSV(columns, rows)], { type: 'text/csv;charset=utf-8' }), filename)
}

// downloadFrom saves what a staff route answers (with the console's
// session), under the name the server gives it; a refusal is thrown with
// the server's message, like the SDK's errors.
export async function downloadFrom(path, query, fallbackName) {
  const url = new URL(pb.buildURL(path))
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v)
  const res = await fetch(url, { headers: { Authorization: pb.authStore.token } })
  if (!res.ok) {
    const body = await res.json().catch(() => ({}))
    const err = new Error(body.message || `The export failed (${res.status}).`)
    err.status = res.status
    err.response = body
    throw err
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || fallbackName
  save(await res.blob(), name)
}
