//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	pbpublic "github.com/ezscale/ezscale/pb_public"
)

// portalBudget is what the customer portal's JavaScript may weigh gzipped
// (issue 20): its own code with the SDK and Vue, in kB as Vite reports them.
const portalBudget = 150 * 1000

var (
	// The entry scripts and preloads of an HTML page.
	pageScript = regexp.MustCompile(`(?:src|href)="/(assets/[\w.\-]+\.js)"`)
	// A chunk names the chunks it imports ("./x.js") and those it loads
	// lazily with their preloads ("assets/x.js" in Vite's dependency map).
	chunkRef = regexp.MustCompile("[\"'`](?:\\./|/?assets/)([\\w.\\-]+\\.js)[\"'`]")
)

// portalChunks lists the JavaScript the portal page can load: its entry and
// every chunk reachable from it, eagerly or lazily, in the built portal.
// The staff console's own chunks are not reachable from it; Stripe.js is
// loaded from Stripe and is not in the build.
func portalChunks(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	html, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	var unread []string
	for _, m := range pageScript.FindAllStringSubmatch(string(html), -1) {
		unread = append(unread, m[1])
	}
	if len(unread) == 0 {
		t.Fatal("index.html loads no script from assets/")
	}
	seen := map[string]bool{}
	for len(unread) > 0 {
		name := unread[len(unread)-1]
		unread = unread[:len(unread)-1]
		if seen[name] {
			continue
		}
		seen[name] = true
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatalf("%s names %s, which the build does not have: %v", "the portal", name, err)
		}
		for _, m := range chunkRef.FindAllStringSubmatch(string(src), -1) {
			unread = append(unread, path.Join("assets", m[1]))
		}
	}
	return slices.Sorted(func(yield func(string) bool) {
		for k := range seen {
			if !yield(k) {
				return
			}
		}
	})
}

func gzipSize(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

// TestPortalBundleBudget fails when the portal's JavaScript, each file
// gzipped as it is served, sums to more than the budget. It measures the
// portal built into this binary (`make portal` before compiling the test).
func TestPortalBundleBudget(t *testing.T) {
	fsys := pbpublic.Portal()
	staffEntry := staffEntryChunk(t, fsys)
	type chunk struct {
		name string
		size int
	}
	var chunks []chunk
	total, markdown := 0, 0
	for _, name := range portalChunks(t, fsys) {
		if name == staffEntry {
			t.Fatalf("the portal reaches the staff console's entry %s: the measure would count the console", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		n := gzipSize(t, b)
		// The budget is the portal's own code with the SDK and Vue; the
		// Markdown renderer and sanitiser (their own chunk, vite.config.js)
		// load only on pages that show Markdown and are reported apart.
		if strings.HasPrefix(name, "assets/markdown-") {
			markdown += n
			continue
		}
		chunks = append(chunks, chunk{name, n})
		total += n
	}
	if markdown == 0 {
		t.Fatal("no markdown chunk in the build: the budget's exclusion no longer matches vite.config.js")
	}
	slices.SortFunc(chunks, func(a, b chunk) int { return b.size - a.size })
	var top []string
	for _, c := range chunks[:min(8, len(chunks))] {
		top = append(top, fmt.Sprintf("%s %.1f kB", strings.TrimPrefix(c.name, "assets/"), float64(c.size)/1000))
	}
	t.Logf("portal JavaScript: %d files, %.1f kB gzipped (budget %.0f kB), Markdown chunk %.1f kB apart; largest: %s",
		len(chunks), float64(total)/1000, float64(portalBudget)/1000, float64(markdown)/1000, strings.Join(top, ", "))
	if total > portalBudget {
		t.Errorf("the portal's JavaScript weighs %.1f kB gzipped, over the %.0f kB budget", float64(total)/1000, float64(portalBudget)/1000)
	}
}

// staffEntryChunk is the staff console's entry script, which the portal
// must never reach.
func staffEntryChunk(t *testing.T, fsys fs.FS) string {
	t.Helper()
	html, err := fs.ReadFile(fsys, "staff/index.html")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<script[^>]*src="/(assets/[\w.\-]+\.js)"`).FindStringSubmatch(string(html))
	if m == nil {
		t.Fatal("staff/index.html loads no entry script")
	}
	return m[1]
}
