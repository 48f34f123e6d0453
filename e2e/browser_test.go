//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// page is one browser tab on the platform, with the steps a person takes:
// visit, fill a labelled field, click a button by its text, wait for a
// marked element. Uncaught script errors, CSP violations and axe-core's
// accessibility violations fail the test.
type page struct {
	t    testing.TB
	ctx  context.Context
	base string

	// axedURL is the address axe-core last checked; axeSeen the violations
	// already reported; a benchmark, which times the page, skips the checks.
	axedURL string
	axeSeen map[string]bool
	noAxe   bool

	mu       sync.Mutex
	problems []string
}

// stepTimeout bounds each wait: generous for a loaded CI machine.
const stepTimeout = 30 * time.Second

func newPage(t testing.TB, base string) *page {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		// This machine has no internet: stop Chromium's own calls home.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	_, bench := t.(*testing.B)
	p := &page{t: t, ctx: ctx, base: base, axeSeen: map[string]bool{}, noAxe: bench}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium %s: %v", chromiumPath, err)
	}
	go p.watchConsole(t)
	t.Cleanup(func() {
		if !t.Failed() {
			p.axeIfNew() // the page a test ended on
		}
		cancelCtx()
		cancelAlloc()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, pr := range p.problems {
			t.Errorf("browser: %s", pr)
		}
	})
	return p
}

// watchConsole records script errors and policy violations as problems;
// the API's refusals (a wrong code's 400, another customer's 404) are
// logged by the browser as failed requests and are expected.
func (p *page) watchConsole(t testing.TB) {
	for msg, err := range chromedp.Console(p.ctx) {
		if err != nil {
			return
		}
		switch {
		case msg.Type == chromedp.ConsoleException:
			p.problem("uncaught exception: %s", msg.Text)
		case msg.Type == chromedp.ConsoleError && (strings.Contains(msg.Text, "Content Security Policy") ||
			strings.Contains(msg.Text, "[Vue warn]") || strings.Contains(msg.Text, "TypeError")):
			p.problem("console error: %s", msg.Text)
		case msg.Type == chromedp.ConsoleError || msg.Type == chromedp.ConsoleWarning:
			t.Logf("browser console: %s", msg.Text)
		}
	}
}

func (p *page) problem(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
}

// run runs actions with the step timeout; a failure names the step.
func (p *page) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.capture("failed-" + slug(p.t.Name()+"-"+step))
		p.t.Fatalf("%s: %v (url %s)", step, err, p.url())
	}
}

func (p *page) url() string {
	u, _ := chromedp.Run(p.ctx, chromedp.Location())
	return u
}

// value runs an action that answers a value, with the step timeout.
func value[T any](p *page, step string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.capture("failed-" + slug(p.t.Name()+"-"+step))
		p.t.Fatalf("%s: %v (url %s)", step, err, p.url())
	}
	return v
}

// poll waits until the expression is truthy.
func (p *page) poll(step, expr string) {
	p.t.Helper()
	value(p, step, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond)))
}

// visit loads a path of the portal (a full page load).
func (p *page) visit(path string) {
	p.t.Helper()
	p.run("visit "+path, chromedp.Navigate(p.base+path), chromedp.WaitReady(chromedp.CSS("#app > *")))
}

// waitFor waits until the element marked data-testid=id is visible.
func (p *page) waitFor(id string) {
	p.t.Helper()
	p.run("wait for "+id, chromedp.WaitVisible(testID(id)))
	p.axeIfNew()
}

// waitText waits until the text appears anywhere on the page.
func (p *page) waitText(text string) {
	p.t.Helper()
	p.poll("wait for text "+text, fmt.Sprintf(`document.body.innerText.includes(%q)`, text))
	p.axeIfNew()
}

func testID(id string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[data-testid=%q]`, id)) }

// mark finds, by script, the visible element find returns and tags it so
// chromedp can act on it with real input events.
func (p *page) mark(step, find string) chromedp.CSS {
	p.t.Helper()
	key := fmt.Sprintf("e2e-%d", time.Now().UnixNano())
	js := fmt.Sprintf(`(() => {
		const visible = (el) => !!el && el.getClientRects().length > 0;
		const el = (%s)();
		if (!visible(el)) return false;
		el.setAttribute('data-e2e', %q);
		return true;
	})()`, find, key)
	p.poll(step, js)
	return chromedp.CSS(fmt.Sprintf(`[data-e2e=%q]`, key))
}

// field is the form control of the visible label starting with text (a
// step number such as "2. " before it is skipped).
func (p *page) field(label string) chromedp.CSS {
	p.t.Helper()
	return p.mark("find field "+label, fmt.Sprintf(`() => [...document.querySelectorAll('label')]
		.filter((l) => l.getClientRects().length > 0 && l.innerText.trim().replace(/^\d+\.\s*/, '').startsWith(%q))
		.map((l) => l.control).find((c) => c)`, label))
}

// fill types value into the labelled field (chooses it in a select).
func (p *page) fill(label, v string) {
	p.t.Helper()
	sel := p.field(label)
	tag := value(p, "inspect "+label, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).tagName`, sel)))
	if tag == "SELECT" {
		p.run("choose "+label, chromedp.SetValue(sel, v))
		value(p, "choose "+label, chromedp.Evaluate[bool](fmt.Sprintf(
			`document.querySelector(%q).dispatchEvent(new Event('change', {bubbles: true}))`, sel)))
		return
	}
	if tag == "TEXTAREA" {
		// chromedp.Clear fails on an empty textarea (no text node to clear).
		value(p, "clear "+label, chromedp.Evaluate[bool](fmt.Sprintf(
			`((el) => { el.value = ''; return el.dispatchEvent(new Event('input', {bubbles: true})) })(document.querySelector(%q))`, sel)))
		p.run("type "+label, chromedp.SendKeys(sel, v))
		return
	}
	p.run("type "+label, chromedp.Clear(sel), chromedp.SendKeys(sel, v))
}

// check ticks the labelled checkbox or radio.
func (p *page) check(label string) {
	p.t.Helper()
	p.run("check "+label, chromedp.Click(p.field(label)))
}

// click presses the visible, enabled button or link whose text is text,
// in the page's content first (the header has its own "Log in").
func (p *page) click(text string) {
	p.t.Helper()
	sel := p.mark("find button "+text, fmt.Sprintf(`() => {
		const find = (root) => [...root.querySelectorAll('button, a, [role=button]')]
			.find((b) => b.getClientRects().length > 0 && !b.disabled && b.innerText.trim() === %q);
		return find(document.querySelector('main') || document) || find(document);
	}`, text))
	p.axeIfNew() // the page as it is acted on, once what is clicked shows
	p.run("click "+text, chromedp.Click(sel))
}

// clickID presses the visible element marked data-testid=id (several
// dialogs on a page may each have a "confirm").
func (p *page) clickID(id string) {
	p.t.Helper()
	sel := p.mark("find "+id, fmt.Sprintf(`() => [...document.querySelectorAll('[data-testid=%q]')]
		.find((el) => el.getClientRects().length > 0 && !el.disabled)`, id))
	p.axeIfNew()
	p.run("click "+id, chromedp.Click(sel))
}

// text is the visible text of the element marked data-testid=id.
func (p *page) text(id string) string {
	p.t.Helper()
	return strings.TrimSpace(value(p, "read "+id, chromedp.Text(testID(id))))
}

// eval evaluates a script expression.
func eval[T any](p *page, step, expr string) T {
	p.t.Helper()
	return value(p, step, chromedp.Evaluate[T](expr))
}

// screenshot checks the page with axe-core (an open dialog too) and saves
// the whole page as test-output/portal/<name>.png.
func (p *page) screenshot(name string) {
	p.t.Helper()
	p.axe()
	p.capture(name)
}

// capture saves the whole page as test-output/portal/<name>.png.
func (p *page) capture(name string) {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(outputDir, name+".png"), png, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
	}
}

// phone resizes the viewport to a phone's (375 px wide) or back.
func (p *page) phone(on bool) {
	p.t.Helper()
	w, h := int64(1280), int64(900)
	if on {
		w, h = 375, 812
	}
	p.run("resize", chromedp.EmulateViewport(w, h))
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}
