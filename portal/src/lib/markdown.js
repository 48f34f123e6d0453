// Safe rendering of staff-written content. Markdown is parsed with raw HTML
// off (markdown-it escapes it) and the result is still run through
// DOMPurify; announcement bodies (HTML from the dashboard's editor) are
// sanitised the same way. Both libraries load only on pages that show such
// content.
let libs

async function load() {
  libs ??= Promise.all([import('markdown-it'), import('dompurify')]).then(([md, purify]) => ({
    md: new md.default({ html: false, linkify: true, typographer: true }),
    purify: purify.default,
  }))
  return libs
}

const purifyOptions = { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'iframe'], FORBID_ATTR: ['style'] }

export async function renderMarkdown(text) {
  const { md, purify } = await load()
  return purify.sanitize(md.render(text || ''), purifyOptions)
}

export async function sanitizeHTML(html) {
  const { purify } = await load()
  return purify.sanitize(html || '', purifyOptions)
}

// markdownText is Markdown as a reader sees it, in plain text, for
// excerpts: markdown-it renders it and the browser's parser takes the text
// out of the HTML, which never enters the page (no HTML injection).
export async function markdownText(markdown, max = 200) {
  const { md } = await load()
  const doc = new DOMParser().parseFromString(md.render(String(markdown || '')), 'text/html')
  // A block ends with a space: a heading does not run into its paragraph.
  for (const el of doc.body.querySelectorAll('h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, th, td')) el.append(' ')
  const text = doc.body.textContent.replace(/\s+/g, ' ').trim()
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

// plainText strips markup for excerpts (search results, cards).
export function plainText(markup, max = 200) {
  const text = String(markup || '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // [text](url) -> text
    .replace(/[*_`]/g, '')
    .replace(/^\s*(#+|>|[-+]|\d+\.)\s+/gm, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
