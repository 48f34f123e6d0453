package htmlsafe

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const rel = ` rel="noopener noreferrer nofollow" target="_blank"`

var sanitizeCases = []struct {
	name, in, want string
}{
	// What is kept.
	{"empty", "", ""},
	{"plain text", "Thanks, it works now.", "Thanks, it works now."},
	{"text is escaped", `a < b & c > "d" 'e'`, `a &lt; b &amp; c &gt; &#34;d&#34; &#39;e&#39;`},
	{"entities stay escaped", "&lt;script&gt; &amp;amp; &copy;", "&lt;script&gt; &amp;amp; ©"},
	{"unicode", "Grüße — 日本 🙂", "Grüße — 日本 🙂"},
	{"formatting", "<p>Hi <b>Sam</b>, <strong>1</strong> <i>2</i> <em>3</em> <u>4</u> <s>5</s> <span>6</span></p>",
		"<p>Hi <b>Sam</b>, <strong>1</strong> <i>2</i> <em>3</em> <u>4</u> <s>5</s> <span>6</span></p>"},
	{"blocks", "<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h5>e</h5><h6>f</h6><hr><div><blockquote>q</blockquote></div>",
		"<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h5>e</h5><h6>f</h6><hr><div><blockquote>q</blockquote></div>"},
	{"lists", "<ul><li>a</li></ul><ol><li>b<li>c</ol>", "<ul><li>a</li></ul><ol><li>b</li><li>c</li></ol>"},
	{"code", "<pre><code>x := 1\n</code></pre>", "<pre><code>x := 1\n</code></pre>"},
	{"pre keeps its leading blank line", "<pre>\n\ncode</pre>", "<pre>\n\ncode</pre>"},
	{"line breaks", "a<br>b<br/>c</br>d", "a<br>b<br>c<br>d"},
	{"table gets its tbody", "<table><caption>c</caption><thead><tr><th>h</th></tr></thead><tr><td>a</td></tr><tfoot><tr><td>f</td></tr></tfoot></table>",
		"<table><caption>c</caption><thead><tr><th>h</th></tr></thead><tbody><tr><td>a</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>"},
	{"unclosed tags are closed", "<div><p>one<p>two", "<div><p>one</p><p>two</p></div>"},
	{"misnested tags are untangled", "<b><i>mis</b>nested</i>", "<b><i>mis</i></b><i>nested</i>"},
	{"uppercase tags", "<P><B>x</B></P>", "<p><b>x</b></p>"},
	{"whole document keeps its body", "<!DOCTYPE html><html><head><title>T</title><style>p{}</style></head><body onload=alert(1)><p>Hi</p></body></html>",
		"<p>Hi</p>"},

	// Links.
	{"https link", `<a href="https://example.com/a?b=1&amp;c=2#d">x</a>`, `<a href="https://example.com/a?b=1&amp;c=2#d"` + rel + `>x</a>`},
	{"http link", `<a href="http://example.com">x</a>`, `<a href="http://example.com"` + rel + `>x</a>`},
	{"mailto link", `<a href="mailto:sam@example.com">x</a>`, `<a href="mailto:sam@example.com"` + rel + `>x</a>`},
	{"scheme in capitals", `<a href="HTTPS://EXAMPLE.COM">x</a>`, `<a href="HTTPS://EXAMPLE.COM"` + rel + `>x</a>`},
	{"href trimmed", "<a href=\" \x01https://exa\tmple.com/\n\">x</a>", `<a href="https://example.com/"` + rel + `>x</a>`},
	{"title kept, other attributes dropped", `<a href="https://e.com" title="Docs" rel="opener" target="_self" id="x" class="y" style="color:red" onclick="alert(1)">x</a>`,
		`<a href="https://e.com" title="Docs"` + rel + `>x</a>`},
	{"link without href", `<a name="top">x</a>`, `<a` + rel + `>x</a>`},
	{"first of repeated href", `<a href="https://ok.example" href="javascript:alert(1)">x</a>`, `<a href="https://ok.example"` + rel + `>x</a>`},
	{"relative link dropped", `<a href="/api/collections">x</a>`, `<a` + rel + `>x</a>`},
	{"protocol-relative link dropped", `<a href="//evil.example/">x</a>`, `<a` + rel + `>x</a>`},
	{"ftp dropped", `<a href="ftp://example.com/">x</a>`, `<a` + rel + `>x</a>`},
	{"quote in href stays inside", `<a href='https://e.com/"onmouseover="alert(1)'>x</a>`,
		`<a href="https://e.com/&#34;onmouseover=&#34;alert(1)"` + rel + `>x</a>`},
	{"markup in title stays inside", `<a title='"><script>alert(1)</script>'>x</a>`,
		`<a title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"` + rel + `>x</a>`},

	// XSS: script URLs.
	{"javascript href", `<a href="javascript:alert(1)">x</a>`, `<a` + rel + `>x</a>`},
	{"javascript mixed case and space", `<a href=" JaVaScRiPt:alert(1)">x</a>`, `<a` + rel + `>x</a>`},
	{"javascript with tab entity", `<a href="jav&#x09;ascript:alert(1)">x</a>`, `<a` + rel + `>x</a>`},
	{"javascript with newline", "<a href=\"java\nscript:alert(1)\">x</a>", `<a` + rel + `>x</a>`},
	{"javascript with control prefix", "<a href=\"\x01\x10 javascript:alert(1)\">x</a>", `<a` + rel + `>x</a>`},
	{"javascript as decimal entities", `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`, `<a` + rel + `>x</a>`},
	{"javascript as hex entities without semicolons", `<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>`, `<a` + rel + `>x</a>`},
	{"javascript with &colon;", `<a href="javascript&colon;alert(1)">x</a>`, `<a` + rel + `>x</a>`},
	{"javascript with NUL entity", `<a href="java&#0000000script:alert(1)">x</a>`, `<a` + rel + `>x</a>`},
	{"vbscript href", `<a href="vbscript:msgbox(1)">x</a>`, `<a` + rel + `>x</a>`},
	{"data href", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`, `<a` + rel + `>x</a>`},
	{"unquoted javascript href", `<a href=javascript:alert(1)>x</a>`, `<a` + rel + `>x</a>`},

	// XSS: elements and attributes.
	{"script dropped with content", `<script>alert(1)</script>ok`, "ok"},
	{"script with src", `<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok`, "ok"},
	{"img onerror", `<img src=x onerror=alert(1)>ok`, "ok"},
	{"image tag", `<image src=x onerror=alert(1)>ok`, "ok"},
	{"svg onload", `<svg onload=alert(1)><circle r="1"/></svg>ok`, "ok"},
	{"svg script", `<svg><script>alert(1)</script></svg>ok`, "ok"},
	{"math", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`, ""},
	{"math and form mutation", `<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>`, ""},
	{"svg broken out by </p>", `<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">`, `<p></p>&#34;&gt;`},
	{"event handlers dropped", `<div onmouseover="alert(1)" style="background:url(javascript:alert(1))" class="c" id="i">x</div>`, "<div>x</div>"},
	{"iframe", `<iframe src="javascript:alert(1)">inner</iframe>ok`, "ok"},
	{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>ok`, "ok"},
	{"object and embed", `<object data="x.swf"><param name=a value=b>fallback</object><embed src="x.swf">ok`, "ok"},
	{"form controls", `<form action="https://evil.example"><input name=p><textarea>t</textarea><select><option>o</option></select><button>b</button></form>ok`, "ok"},
	{"template", `<template><script>alert(1)</script></template>ok`, "ok"},
	{"style element", `<style>@import "https://evil.example/x.css";</style>ok`, "ok"},
	{"link and meta and base", `<link rel=stylesheet href=x.css><meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="javascript:alert(1)//">ok`, "ok"},
	{"noscript mutation", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`, `&#34;&gt;`},
	{"audio and video", `<video src=x onerror=alert(1)><source src=y></video><audio src=z></audio>ok`, "ok"},
	{"details ontoggle unwrapped", `<details open ontoggle=alert(1)><summary>s</summary>d</details>`, "sd"},
	{"marquee unwrapped", `<marquee onstart=alert(1)>m</marquee>`, "m"},

	// XSS: malformed markup.
	{"script nested in unknown tags", `<custom-x><foo><script>alert(1)</script>text</foo></custom-x>`, "text"},
	{"script split by script", `<scr<script>ipt>alert(1)</script>`, "ipt&gt;alert(1)"},
	{"script start inside script start", `<<script>script>alert(1)<</script>/script>`, "&lt;/script&gt;"},
	{"unterminated tag", `<p onclick=alert(1) <b>x`, "<p>x</p>"},
	{"unterminated script", `ok<script>alert(1)`, "ok"},
	{"unterminated comment", `ok<!-- <script>alert(1)</script>`, "ok"},
	{"comment", `a<!-- <script>alert(1)</script> -->b`, "ab"},
	{"abrupt comment", `<!--><script>alert(1)</script>-->`, "--&gt;"},
	{"conditional comment", `<!--[if IE]><script>alert(1)</script><![endif]-->ok`, "ok"},
	{"cdata is a bogus comment", `<![CDATA[<script>alert(1)</script>]]>ok`, "alert(1)]]&gt;ok"},
	{"xmp shows its markup", `<xmp><script>alert(1)</script></xmp>`, "&lt;script&gt;alert(1)&lt;/script&gt;"},
	{"plaintext shows its markup", `<plaintext><script>alert(1)`, "&lt;script&gt;alert(1)"},
	{"NUL in text and tag name", "a\x00b<scr\x00ipt>alert(1)</scr\x00ipt>", "abalert(1)"},
	{"link inside link in a table", `<a href="https://a"><table><td><a href="https://b">x</a></td></table></a>`,
		`<a href="https://a"` + rel + `><table><tbody><tr><td><a href="https://b"` + rel + `>x</a></td></tr></tbody></table></a>`},

	// Trees that a parser would rebuild once an element is removed.
	{"table left in a paragraph", `<p><marquee><table><tr><td>x</td></tr></table></marquee></p>`,
		"<p></p><table><tbody><tr><td>x</td></tr></tbody></table><p></p>"},
	{"list item left in a list item", `<li>a<article><li>b</article>`, "<li>a</li><li>b</li>"},
	{"heading left in a heading", `<h1><c><h1>x</h1></c></h1>`, "<h1></h1><h1>x</h1>"},
	{"too deep becomes text", strings.Repeat("<div>", 600) + "deep<script>alert(1)</script>", "<p>deep</p>"},
}

func TestSanitize(t *testing.T) {
	for _, tc := range sanitizeCases {
		t.Run(tc.name, func(t *testing.T) {
			got := Sanitize(tc.in)
			if got != tc.want {
				t.Errorf("Sanitize(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			checkSafe(t, got)
			if again := Sanitize(got); again != got {
				t.Errorf("not idempotent: Sanitize(%q) = %q", got, again)
			}
		})
	}
}

func FuzzSanitize(f *testing.F) {
	for _, tc := range sanitizeCases {
		f.Add(tc.in)
	}
	for _, in := range []string{
		"<p><object><table><tr><td>x", "<ul><li>a<dl><li>b", "<b><p>x</b>y</p>", "<a><div><a>x",
		"<table><form><tr><td>x", "<select><table>", "<pre><span>\nx</span></pre>", "<h1><h2>x",
		"<p><button><p>x", "<table><caption><table>x", "<b><b><b><b><p>x", "<table>x<tr>y",
	} {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		Text(in)
		got := Sanitize(in)
		checkSafe(t, got)
		if again := Sanitize(got); again != got {
			t.Errorf("not idempotent: Sanitize(%q) = %q, then %q", in, got, again)
		}
	})
}

// checkSafe fails t unless a browser reading out would build only allowed
// elements, with only allowed attributes and safe links.
func checkSafe(t *testing.T, out string) {
	t.Helper()
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(out), body)
	if err != nil {
		t.Fatalf("output %q does not parse: %v", out, err)
	}
	var check func(*html.Node)
	check = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
		case html.ElementNode:
			attrs, ok := allowed[n.Data]
			if !ok || n.Namespace != "" {
				t.Errorf("output %q has element %s %s", out, n.Namespace, n.Data)
			}
			for _, a := range n.Attr {
				switch {
				case n.Data == "a" && a.Key == "rel" && a.Val == "noopener noreferrer nofollow":
				case n.Data == "a" && a.Key == "target" && a.Val == "_blank":
				case a.Key == "href" && !safeScheme(a.Val):
					t.Errorf("output %q links to %q", out, a.Val)
				case a.Namespace != "" || !slices.Contains(attrs, a.Key):
					t.Errorf("output %q has attribute %s on %s", out, a.Key, n.Data)
				}
			}
		default:
			t.Errorf("output %q has a node of type %v", out, n.Type)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			check(c)
		}
	}
	for _, n := range nodes {
		check(n)
	}
}

// safeScheme reports whether href starts, as is, with an allowed scheme.
func safeScheme(href string) bool {
	href = strings.ToLower(href)
	return strings.HasPrefix(href, "http:") || strings.HasPrefix(href, "https:") || strings.HasPrefix(href, "mailto:")
}
