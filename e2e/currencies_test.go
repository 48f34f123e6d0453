//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestForintAmounts: the portal and the staff console take a currency's
// decimal places from the server's ISO 4217 table, not from the browser's
// Intl data, which gives HUF none. A HUF invoice of 5,000.00 Ft shows as
// such (not 500,000), and staff adding "50" HUF of credit add 50 forints
// (5000 minor units, not 0.50).
func TestForintAmounts(t *testing.T) {
	pf := startPlatform(t)
	const email = "forint@example.com"
	c := testutil.Customer(t, pf.App, email, "HUF")
	s, err := settings.Load(pf.App)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ledger.NewDraft(context.Background(), pf.App, s, ledger.Treatment{Reason: "tax disabled"}, c, ledger.PurposeManual)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.AddLine(context.Background(), pf.App, inv, ledger.Line{Kind: ledger.KindAdjustment, Description: "Migration work", Quantity: 1, UnitAmount: 500000}); err != nil {
		t.Fatal(err)
	}
	if err := ledger.Finalize(context.Background(), pf.App, inv, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}

	staff := newPage(t, pf.URL)
	staff.visit("/staff/")
	staff.fill("Email", seed.DemoStaffEmail)
	staff.fill("Password", seed.DemoStaffPassword)
	staff.click("Continue")
	staff.fill("Code from your email", staffOTP(t, pf))
	staff.click("Log in")
	staff.waitFor("logout") // not the analytics: they refuse HUF, which has no exchange rate in settings
	staff.visit("/staff/customers")
	staff.fill("Search customers", email)
	staff.clickID("customer-search-submit")
	staff.click(c.GetString("name"))
	staff.waitFor("customer-status")
	staff.clickID("add-credit")
	staff.fill("Amount", "50")
	staff.fill("Description", "Forint goodwill")
	staff.clickID("confirm")
	staff.waitFor("form-success")

	p := newPage(t, pf.URL)
	p.visit("/login")
	p.fill("Email", email)
	p.fill("Password", testPassword)
	p.click("Log in")
	p.waitFor("account-credit")
	p.visit("/billing/invoices/" + inv.Id)
	p.waitFor("invoice-total")
	if total := p.text("invoice-total"); !strings.Contains(total, "5,000.00") {
		t.Errorf("HUF invoice total shows %q, want 5,000.00", total)
	}
	p.screenshot("60-huf-invoice")

	entry, err := pf.App.FindFirstRecordByFilter("credit_entries", "customer = {:c} && reason = 'manual'", dbx.Params{"c": c.Id})
	if err != nil || entry.GetInt("amount") != 5000 || entry.GetString("currency") != "HUF" {
		t.Errorf("credit entry for 50 HUF: %v, %v; want 5000 minor units", entry, err)
	}
}
