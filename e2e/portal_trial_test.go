//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestPortalTrialCoupon: a customer orders with a 14-day trial code; the
// coupon box shows the free days, the checkout says "Free for 14 days,
// then …", nothing is paid, and the confirmation and the service page say
// until when the trial runs and what the first charge will be.
func TestPortalTrialCoupon(t *testing.T) {
	pf := startPlatform(t)
	testutil.Create(t, pf.App, "coupons", map[string]any{"code": "TRY14", "kind": "trial", "trial_days": 14, "duration": "once", "active": true})
	testutil.Customer(t, pf.App, "trial@example.com", "EUR")

	p := newPage(t, pf.URL)
	p.visit("/login")
	p.fill("Email", "trial@example.com")
	p.fill("Password", testPassword)
	p.click("Log in")
	p.poll("signed in", `location.pathname !== '/login' && !!localStorage.getItem('pocketbase_auth')`)
	p.visit("/")
	p.clickID("order-minecraft-8gb")
	p.fill("Game", "paper")
	// The summary dims while a quote is on its way: act on a settled page.
	settled := `(() => { const q = document.querySelector('[data-testid="quote"]'); return !!q && !q.classList.contains('opacity-60') })()`
	p.poll("quote settled", settled)
	p.fill("Coupon code", "try14")
	p.click("Apply")
	// Until the coupon's quote arrives, the box and summary show the last one.
	p.poll("trial quoted", `document.querySelector('[data-testid="coupon-effect"]')?.innerText === 'TRY14 gives you 14 free days: nothing to pay today.'`)
	p.poll("quote settled", settled)
	if got := p.text("quote-renews"); !strings.HasPrefix(got, "Free for 14 days, then €15.00 monthly") {
		t.Errorf("checkout says %q, want \"Free for 14 days, then €15.00 monthly…\"", got)
	}
	p.screenshot("trial-01-checkout")
	p.clickID("place-order")
	p.waitFor("order-trial")
	confirmation := p.text("order-trial")
	if !strings.HasPrefix(confirmation, "Trial until ") || !strings.Contains(confirmation, ", first charge €") {
		t.Errorf("confirmation says %q", confirmation)
	}
	p.screenshot("trial-02-confirmation")
	p.click("Go to the service")
	p.waitFor("service-trial")
	if got := p.text("service-trial"); got != confirmation {
		t.Errorf("service page says %q, the confirmation %q", got, confirmation)
	}
	p.screenshot("trial-03-service")

	customer, err := pf.App.FindAuthRecordByEmail("customers", "trial@example.com")
	if err != nil {
		t.Fatal(err)
	}
	invs, err := pf.App.FindRecordsByFilter("invoices", "customer = {:c}", "", 0, 0, map[string]any{"c": customer.Id})
	if err != nil || len(invs) != 1 || invs[0].GetInt64("total") != 0 || invs[0].GetString("status") != "paid" {
		t.Fatalf("invoices %v (%v), want one paid zero invoice", invs, err)
	}
}
