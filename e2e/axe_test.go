//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// axePath is axe-core's browser build, a devDependency of the portal that
// `make portal` (npm ci) installs; it never goes into the bundle.
var axePath = filepath.Join("..", "portal", "node_modules", "axe-core", "axe.min.js")

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(axePath)
	if err != nil {
		return "", fmt.Errorf("axe-core: %w (run `make portal`, which installs the portal's dev dependencies)", err)
	}
	return string(b), nil
})

// axeViolation is the part of axe-core's result a failure names.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target         []any  `json:"target"`
		HTML           string `json:"html"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeRun runs axe-core on the whole document and answers its violations
// as JSON (chromedp cannot decode axe's selector arrays of mixed types).
// A region marked aria-busy (a list dimmed while it reloads) is given up to
// five seconds to settle, and running CSS transitions are finished: a
// button fading in from its disabled look is checked as it ends up.
const axeRun = `new Promise((settled) => {
		const until = Date.now() + 5000;
		const wait = () => (!document.querySelector('[aria-busy="true"]') || Date.now() > until ? settled() : setTimeout(wait, 50));
		wait();
	}).then(() => {
		document.getAnimations().forEach((a) => { try { a.finish() } catch { /* endless (a spinner) */ } });
		return axe.run(document, {resultTypes: ['violations']});
	})
	.then((r) => JSON.stringify(r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map((n) => ({target: n.target, html: n.html, failureSummary: n.failureSummary}))}))))`

// axe checks the page as it is now with axe-core and records every
// violation as a problem, which fails the test; each one is reported once
// per tab. The page's own scripts cannot see axe: it is injected over the
// DevTools protocol, after the page has loaded.
func (p *page) axe() {
	p.t.Helper()
	if p.noAxe {
		return
	}
	src, err := axeSource()
	if err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	url := p.url()
	loaded, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === 'object'`))
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+";true")); err != nil {
			p.t.Fatalf("inject axe-core on %s: %v", url, err)
		}
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("axe on %s: %v", url, err)
	}
	p.axedURL = url
	var violations []axeViolation
	if err := json.Unmarshal([]byte(out), &violations); err != nil {
		p.t.Fatalf("axe on %s: %v", url, err)
	}
	path := strings.TrimPrefix(url, p.base)
	for _, v := range violations {
		for _, n := range v.Nodes {
			key := v.ID + " " + fmt.Sprint(n.Target)
			if p.axeSeen[key] {
				continue
			}
			p.axeSeen[key] = true
			p.problem("axe %s (%s) on %s: %s\n\tat %v: %s\n\t%s", v.ID, v.Impact, path, v.Help,
				n.Target, n.HTML, strings.ReplaceAll(n.FailureSummary, "\n", "\n\t"))
		}
	}
	if len(violations) > 0 {
		p.capture(fmt.Sprintf("axe-%s-%d", slug(p.t.Name()), time.Now().UnixMilli()))
	}
}

// axeIfNew checks the page when its address changed since the last check:
// called once a page shows what a test waited for, and before acting on a
// page that was never checked, so every page a test visits is checked.
func (p *page) axeIfNew() {
	p.t.Helper()
	if p.url() != p.axedURL {
		p.axe()
	}
}
