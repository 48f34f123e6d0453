package htmlsafe

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// FromText returns what a customer typed as HTML: a <p> per block of lines
// (blocks are separated by blank lines) and a <br> between the lines of a
// block, with all text escaped. Its output is left unchanged by Sanitize.
func FromText(s string) string {
	// An HTML parser reads CR and CRLF as LF and drops NUL, so they are read
	// the same way here, which keeps the output a fixed point of Sanitize.
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\x00", "").Replace(s)
	var b strings.Builder
	var block []string
	flush := func() {
		if len(block) == 0 {
			return
		}
		b.WriteString("<p>")
		for i, line := range block {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(html.EscapeString(line))
		}
		b.WriteString("</p>")
		block = block[:0]
	}
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		block = append(block, line)
	}
	flush()
	return b.String()
}

// paragraphs are the elements Text sets apart with a blank line.
var paragraphs = map[string]bool{
	"p": true, "blockquote": true, "pre": true, "table": true, "hr": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
}

// lineBlocks are the elements Text puts on lines of their own.
var lineBlocks = map[string]bool{
	"div": true, "ul": true, "ol": true, "li": true, "dl": true, "dt": true,
	"dd": true, "tr": true, "caption": true, "address": true, "article": true,
	"aside": true, "details": true, "summary": true, "fieldset": true,
	"figure": true, "figcaption": true, "footer": true, "header": true,
	"main": true, "nav": true, "section": true, "center": true,
}

// Text returns the text a reader sees in htmlText, for email excerpts: entities
// decoded, whitespace collapsed as a browser does (kept inside <pre>), a line
// per block element and a blank line between paragraphs, a line break per
// <br>, list items starting with "- " (or their number in an <ol>), table
// cells separated by a tab. What Sanitize drops with its content (scripts,
// styles, forms...) is left out.
//
// It reads the HTML as a stream of tags rather than a tree, so it accepts
// any input, however deeply nested.
func Text(htmlText string) string {
	z := html.NewTokenizer(strings.NewReader(htmlText))
	var w textWriter
	// skipping is the dropped element whose content is being skipped, and
	// depth how many of it are open.
	var skipping string
	var depth int
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		isTag := tt == html.StartTagToken || tt == html.SelfClosingTagToken || tt == html.EndTagToken
		switch {
		case skipping != "":
			if isTag && tok.Data == skipping {
				if tt == html.StartTagToken {
					depth++
				} else if tt == html.EndTagToken {
					depth--
				}
				if depth == 0 {
					skipping = ""
				}
			}
		case isTag && dropped[tok.Data]:
			if tt == html.StartTagToken && !void[tok.Data] {
				skipping, depth = tok.Data, 1
			}
		case tt == html.TextToken:
			w.text(tok.Data)
		case tt == html.EndTagToken:
			w.end(tok.Data)
		case isTag:
			w.start(tok.Data)
		}
	}
	return strings.TrimSpace(w.b.String())
}

// textWriter collects Text's output. Separators are owed rather than written,
// so that none is written at the start, the largest wins (a paragraph's blank
// line over a space), and the last ones are never written.
type textWriter struct {
	b      strings.Builder
	breaks int    // line breaks owed before the next text
	tab    bool   // a tab owed between table cells
	space  bool   // a collapsed space owed
	prefix string // a list item's marker owed
	pre    int    // how many <pre> are open: their whitespace is kept
	// preStart is set right after <pre>, whose first newline a browser
	// does not show.
	preStart bool
	// lists holds, per open list, -1 for <ul> or the last number of an <ol>.
	lists []int
	// cell is set once a table row has a cell.
	cell bool
}

// block breaks the text where a tag (opening or closing; a parser reads
// </br> as <br>) starts or ends a line or a paragraph.
func (w *textWriter) block(tag string) {
	w.preStart = false
	switch {
	case tag == "br":
		w.breaks++
	case paragraphs[tag]:
		w.breakLines(2)
	case lineBlocks[tag]:
		w.breakLines(1)
	}
}

func (w *textWriter) start(tag string) {
	w.block(tag)
	switch tag {
	case "pre":
		w.pre++
		w.preStart = true
	case "ul":
		w.lists = append(w.lists, -1)
	case "ol":
		w.lists = append(w.lists, 0)
	case "li":
		w.prefix = "- "
		if n := len(w.lists); n > 0 && w.lists[n-1] >= 0 {
			w.lists[n-1]++
			w.prefix = strconv.Itoa(w.lists[n-1]) + ". "
		}
	case "tr":
		w.cell = false
	case "td", "th":
		w.tab = w.cell
		w.cell = true
	}
}

func (w *textWriter) end(tag string) {
	w.block(tag)
	switch tag {
	case "pre":
		if w.pre > 0 {
			w.pre--
		}
	case "ul", "ol":
		if n := len(w.lists); n > 0 {
			w.lists = w.lists[:n-1]
		}
	case "tr":
		w.cell = false
	}
}

// breakLines owes at least n line breaks.
func (w *textWriter) breakLines(n int) {
	w.breaks = max(w.breaks, n)
}

func (w *textWriter) text(s string) {
	if w.preStart {
		s = strings.TrimPrefix(s, "\n")
		w.preStart = false
	}
	for _, r := range s {
		switch {
		case w.pre > 0 && r == '\n':
			w.breaks++
		case w.pre == 0 && strings.ContainsRune(" \t\n\f\r", r):
			w.space = true
		default:
			w.flush()
			w.b.WriteRune(r)
		}
	}
}

// flush writes what is owed before the next character.
func (w *textWriter) flush() {
	if w.b.Len() > 0 {
		switch {
		case w.breaks > 0:
			w.b.WriteString(strings.Repeat("\n", w.breaks))
		case w.tab:
			w.b.WriteByte('\t')
		case w.space:
			w.b.WriteByte(' ')
		}
	}
	w.b.WriteString(w.prefix)
	w.breaks, w.tab, w.space, w.prefix = 0, false, false, ""
}
