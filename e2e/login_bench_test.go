//go:build e2e

package e2e

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

// BenchmarkLoginToDashboard measures, in Chromium, the time from pressing
// "Log in" to the dashboard fully rendered (services listed, every box
// loaded) for a customer of a database of many customers: a copy of the
// data dir EZ_BENCH_DATA (made by `make seed`), or else a database of
// EZ_BENCH_CUSTOMERS synthetic customers (10,000 by default) seeded first.
// Each iteration is a new browser tab with no session: the portal's files
// come from the browser cache after the first, as for a returning customer.
func BenchmarkLoginToDashboard(b *testing.B) {
	app := testutil.SeededApp(b, 10000, os.Stderr)
	pf := servePlatform(b, app)
	p := newPage(b, pf.URL)
	email := seed.SyntheticEmail(1 + b.N%100) // customers with services and invoices

	// A first, unmeasured login warms the caches (files, SQLite pages).
	loginToDashboard(p, email)
	b.ResetTimer()
	var total time.Duration
	for i := range b.N {
		email = seed.SyntheticEmail(1 + i%100)
		d := loginToDashboard(p, email)
		b.Logf("%s: %s", email, d)
		total += d
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/login")
}

// loginToDashboard signs out, fills the login form and returns the time
// from the click to the dashboard fully rendered.
func loginToDashboard(p *page, email string) time.Duration {
	p.visit("/login")
	eval[bool](p, "sign out", `localStorage.clear() || true`)
	p.run("leave", chromedp.Navigate("about:blank"))
	p.visit("/login")
	p.fill("Email", email)
	p.fill("Password", seed.SyntheticPassword)
	start := time.Now()
	p.click("Log in")
	p.poll("dashboard rendered", `location.pathname === '/dashboard' &&
		document.querySelector('[data-testid="service-row"]') !== null &&
		document.querySelector('[role="status"][aria-live]') === null`)
	return time.Since(start)
}
