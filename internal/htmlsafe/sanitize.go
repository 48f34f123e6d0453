// Package htmlsafe makes ticket messages safe to show in the portal.
//
// Messages come from SupportPal (staff replies, and customers' emails it
// imported) and from customers typing in the portal, and the portal renders
// them as HTML. Whatever anyone sent, what reaches the page must never carry
// script: Sanitize keeps a small allow-list of formatting elements and drops
// everything else, FromText turns what a customer typed into HTML, and Text
// gives the plain text of a message for email excerpts.
package htmlsafe

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// allowed maps each element Sanitize keeps to the attributes it may keep.
// Every other element is unwrapped (its content kept) unless dropped lists it.
var allowed = map[string][]string{
	"a": {"href", "title"},
	"p": nil, "br": nil, "hr": nil, "div": nil, "span": nil,
	"b": nil, "strong": nil, "i": nil, "em": nil, "u": nil, "s": nil,
	"ul": nil, "ol": nil, "li": nil, "blockquote": nil, "pre": nil, "code": nil,
	"h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	// caption and tfoot are kept so that a table's content never ends up
	// loose inside <table>, where a browser would move it out of the table.
	"table": nil, "caption": nil, "thead": nil, "tbody": nil, "tfoot": nil,
	"tr": nil, "th": nil, "td": nil,
}

// dropped lists the elements removed together with their content: script and
// its carriers, embedded documents and plugins, forms, foreign content (whose
// parsing rules differ and hide markup), and what is never visible text.
// Images are dropped too: a remote image tells its sender the reader's IP
// address and when the message was read.
var dropped = map[string]bool{
	"script": true, "style": true, "template": true, "noscript": true,
	"iframe": true, "noframes": true, "object": true, "embed": true,
	"applet": true, "noembed": true,
	"form": true, "input": true, "textarea": true, "select": true, "button": true,
	"svg": true, "math": true,
	"img": true, "picture": true, "audio": true, "video": true, "canvas": true,
	"title": true, "meta": true, "link": true, "base": true,
}

// void lists the elements of allowed and dropped that have no content and no
// end tag.
var void = map[string]bool{
	"br": true, "hr": true,
	"embed": true, "input": true, "img": true, "meta": true, "link": true, "base": true,
}

// linkAttrs are set on every link: the page it opens gets no handle on the
// portal's window, no referrer, and no ranking credit from us.
const linkAttrs = ` rel="noopener noreferrer nofollow" target="_blank"`

// maxPasses bounds how often Sanitize re-reads its own output (see Sanitize).
const maxPasses = 4

// Sanitize returns in with every element outside the allow-list removed (see
// allowed and dropped), every attribute except a link's http, https or mailto
// href and its title removed, comments removed and text escaped. Every link
// opens in a new tab with rel="noopener noreferrer nofollow".
//
// It is idempotent: Sanitize(Sanitize(x)) == Sanitize(x). Removing elements
// can leave a tree that a browser would build differently when it reads the
// HTML back (a <table> left inside a <p> after an unwrapped element), so
// Sanitize repeats its pass until the output reads back unchanged. HTML the
// parser refuses (nested deeper than 512 elements) or that does not settle
// becomes its plain text, as FromText(Text(in)).
func Sanitize(in string) string {
	out, ok := sanitizePass(in)
	for range maxPasses {
		if !ok {
			break
		}
		var next string
		next, ok = sanitizePass(out)
		if ok && next == out {
			return out
		}
		out = next
	}
	return FromText(Text(in))
}

// sanitizePass parses in as the content of a <body> and writes back what the
// allow-list keeps; ok is false when the parser refuses in.
func sanitizePass(in string) (out string, ok bool) {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(in), body)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	for _, n := range nodes {
		writeNode(&b, n)
	}
	return b.String(), true
}

// writeNode writes the allowed part of n. Comments and doctypes are dropped.
func writeNode(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(html.EscapeString(n.Data))
	case html.ElementNode:
		attrs, ok := allowed[n.Data]
		switch {
		case n.Namespace != "" || dropped[n.Data]:
		case !ok:
			writeChildren(b, n)
		default:
			writeElement(b, n, attrs)
		}
	}
}

func writeChildren(b *strings.Builder, n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeNode(b, c)
	}
}

// writeElement writes an allowed element with its allowed attributes.
func writeElement(b *strings.Builder, n *html.Node, attrs []string) {
	b.WriteByte('<')
	b.WriteString(n.Data)
	for _, name := range attrs {
		v, ok := attr(n, name)
		if ok && name == "href" {
			v, ok = safeHref(v)
		}
		if ok {
			b.WriteString(" " + name + `="` + html.EscapeString(v) + `"`)
		}
	}
	if n.Data == "a" {
		b.WriteString(linkAttrs)
	}
	b.WriteByte('>')
	if void[n.Data] {
		return
	}
	if n.Data == "pre" {
		// A parser drops the newline right after <pre>, so content that
		// starts with one needs a second to keep it.
		var content strings.Builder
		writeChildren(&content, n)
		if strings.HasPrefix(content.String(), "\n") {
			b.WriteByte('\n')
		}
		b.WriteString(content.String())
	} else {
		writeChildren(b, n)
	}
	b.WriteString("</" + n.Data + ">")
}

// attr returns the value of n's attribute name; when the source repeated it,
// the first one, as browsers do.
func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// safeHref returns href as a browser would read it, and whether its scheme is
// http, https or mailto. Browsers strip leading and trailing control
// characters and spaces and ignore tabs and newlines anywhere, so
// " java\tscript:" is javascript: to them and must be to us. Relative links
// are refused: they would point into the portal, not where the sender meant.
func safeHref(href string) (string, bool) {
	href = strings.TrimFunc(href, func(r rune) bool { return r <= ' ' })
	href = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, href)
	scheme, _, ok := strings.Cut(href, ":")
	if !ok {
		return "", false
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "mailto":
		return href, true
	}
	return "", false
}
