package htmlsafe

import (
	"strings"
	"testing"
)

func TestFromText(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only blank lines", "\n \n\t\n", ""},
		{"one line", "Hello", "<p>Hello</p>"},
		{"line break", "Hello\nSam", "<p>Hello<br>Sam</p>"},
		{"paragraphs", "Hello\n\nThanks,\nSam", "<p>Hello</p><p>Thanks,<br>Sam</p>"},
		{"several blank lines are one break", "a\n\n \n\nb", "<p>a</p><p>b</p>"},
		{"CRLF and CR", "a\r\nb\r\n\r\nc\rd", "<p>a<br>b</p><p>c<br>d</p>"},
		{"leading and trailing blank lines", "\n\na\n\n", "<p>a</p>"},
		{"trailing spaces trimmed, indentation kept", "a  \n  b", "<p>a<br>  b</p>"},
		{"markup is escaped", `<script>alert("x")</script> & <b>`, "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;</p>"},
		{"entities are escaped", "&amp; &lt;", "<p>&amp;amp; &amp;lt;</p>"},
		{"NUL dropped", "a\x00b", "<p>ab</p>"},
		{"unicode", "Grüße 🙂", "<p>Grüße 🙂</p>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := FromText(tc.in)
			if got != tc.want {
				t.Errorf("FromText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if s := Sanitize(got); s != got {
				t.Errorf("Sanitize changes FromText's %q into %q", got, s)
			}
		})
	}
}

func TestText(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain text", "Thanks!", "Thanks!"},
		{"entities decoded", "Fish &amp; chips &lt;3 &quot;ok&quot; &#39;x&#39; &copy; &#x1F642;", `Fish & chips <3 "ok" 'x' © 🙂`},
		{"nbsp kept inside, trimmed at the ends", "&nbsp;a&nbsp;b&nbsp;", "a\u00a0b"},
		{"whitespace collapsed", "  lots   of\n\t space  ", "lots of space"},
		{"inline elements", "<p>x <b>bold</b><i>ital</i> <a href='https://e.com'>link</a></p>", "x boldital link"},
		{"paragraphs", "<p>Hello</p>\n\n<p>Thanks,<br>Sam</p>", "Hello\n\nThanks,\nSam"},
		{"unclosed paragraphs", "<p>one<p>two", "one\n\ntwo"},
		{"line breaks", "a<br>b<br><br>c</br>d", "a\nb\n\nc\nd"},
		{"divs", "<div>one</div><div>two</div>three", "one\ntwo\nthree"},
		{"headings", "<h1>Title</h1>text<h2>Sub</h2>", "Title\n\ntext\n\nSub"},
		{"blockquote", "said:<blockquote>quoted</blockquote>reply", "said:\n\nquoted\n\nreply"},
		{"hr", "above<hr>below", "above\n\nbelow"},
		{"bullet list", "Steps:<ul><li>one</li><li> two </li></ul>", "Steps:\n- one\n- two"},
		{"numbered list", "<ol><li>one<li>two</ol>", "1. one\n2. two"},
		{"nested lists", "<ol><li>a<ul><li>b</li></ul></li><li>c</li></ol>", "1. a\n- b\n2. c"},
		{"table", "<table><tr><th>Plan</th><th>Price</th></tr><tr><td>VPS</td><td>$5</td></tr></table>after", "Plan\tPrice\nVPS\t$5\n\nafter"},
		{"pre keeps whitespace", "see<pre>\n  x := 1\n\n  y\n</pre>after", "see\n\n  x := 1\n\n  y\n\nafter"},
		{"script and style left out", "<script>alert('<p>x</p>')</script><style>p{color:red}</style>Hi", "Hi"},
		{"dropped elements left out with content", "<form>hidden<input value=x><button>b</button></form><svg><text>t</text></svg><template>t</template>shown", "shown"},
		{"nested dropped elements", "<object><object>a</object>b</object>c", "c"},
		{"images left out", `a<img src=x alt="pic">b`, "ab"},
		{"comments left out", "a<!-- hidden -->b", "ab"},
		{"whole document", "<html><head><title>T</title></head><body><p>Hi</p></body></html>", "Hi"},
		{"document without end tags", "<html><head><meta charset=utf-8><title>T</title><body><p>Hi", "Hi"},
		{"xmp shows its markup", "<xmp><b>x</b></xmp>", "<b>x</b>"},
		{"deep nesting", strings.Repeat("<div>", 1000) + "deep" + strings.Repeat("</div>", 1000), "deep"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.in); got != tc.want {
				t.Errorf("Text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestTextOfFromText checks that what a customer typed comes back out of its
// HTML unchanged, apart from blank lines and trailing spaces.
func TestTextOfFromText(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"one line", "Hello", "Hello"},
		{"lines and paragraphs", "Hello,\n\nmy VPS is down.\nCan you check?\n\nThanks", "Hello,\n\nmy VPS is down.\nCan you check?\n\nThanks"},
		{"extra blank lines", "a\n\n\n\nb  \n", "a\n\nb"},
		{"markup typed as text", "<b>not bold</b> & 1 < 2", "<b>not bold</b> & 1 < 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(FromText(tc.in)); got != tc.want {
				t.Errorf("Text(FromText(%q)) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzFromText(f *testing.F) {
	for _, s := range []string{"", "a\nb\n\nc", "<b>&amp;</b>\r\n\x00", "\ufeff \u00a0\n\t\f\v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := FromText(s)
		if again := Sanitize(got); again != got {
			t.Errorf("Sanitize changes FromText(%q) = %q into %q", s, got, again)
		}
	})
}
