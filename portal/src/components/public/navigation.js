// safeNext returns where to go after signing in: the `next` query value
// when it is a path on this site ("/..." but not "//host" or "/\host"),
// else the fallback.
export function safeNext(next, fallback = '/dashboard') {
  const value = Array.isArray(next) ? next[0] : next
  if (typeof value !== 'string' || !value.startsWith('/')) return fallback
  if (value.startsWith('//') || value.startsWith('/\\')) return fallback
  // No control characters (a tab or newline inside "//" is still "//").
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback
  return value
}

// nextQuery keeps a valid `next` when linking between the auth pages.
export function nextQuery(next) {
  const value = safeNext(next, '')
  return value ? { next: value } : {}
}
