// Support (SupportPal help desk) helpers shared by the support pages and the
// help desk link: the options (departments, priorities, whether SSO is
// configured), fetched once per page load, and the single-use SSO link.
import { fetchSupportOptions, helpdeskLogin } from './api.js'

let options = null

// named normalises a [{id, name}] list (tolerating Go's untagged ID/Name).
function named(list) {
  if (!Array.isArray(list)) return []
  return list
    .map((x) => ({ id: x?.id ?? x?.ID, name: String(x?.name ?? x?.Name ?? '') }))
    .filter((x) => x.id !== undefined && x.id !== null)
}

// supportOptions answers {departments:[{id,name}], priorities:[{id,name}],
// helpdesk: bool}. The answer is kept for the next callers; a failure is
// not (the next call asks again). fresh: ask the server even if kept.
export function supportOptions({ fresh = false } = {}) {
  if (fresh || !options) {
    const p = fetchSupportOptions().then((res) => ({
      departments: named(res?.departments),
      priorities: named(res?.priorities),
      helpdesk: !!res?.helpdesk,
    }))
    options = p
    p.catch(() => {
      if (options === p) options = null
    })
  }
  return options
}

// helpdeskURL asks for a SimpleAuth login link into the help desk (valid
// once, for about a minute), optionally landing on redirect (a help desk
// page, e.g. a ticket's frontend_url). Only http(s) links are accepted.
export async function helpdeskURL(redirect) {
  const res = await helpdeskLogin(redirect)
  const url = String(res?.url || '')
  if (!/^https?:\/\//i.test(url)) throw new Error('The help desk did not answer with a sign-in link. Please try again.')
  return url
}
