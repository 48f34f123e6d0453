//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// chargeService gives customer an active service of the demo plan slug,
// billed by cycle from three days ago; cancelling marks it to end at its
// period's end.
func chargeService(t *testing.T, app core.App, customer *core.Record, slug, cycle, hostname string, cancelling bool) {
	t.Helper()
	plan, err := app.FindFirstRecordByData("plans", "slug", slug)
	if err != nil {
		t.Fatal(err)
	}
	price, err := app.FindFirstRecordByFilter("plan_prices", "plan = {:p} && currency = 'USD' && cycle = {:c}", dbx.Params{"p": plan.Id, "c": cycle})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().AddDate(0, 0, -3)
	months := map[string]int{"monthly": 1, "annual": 12}[cycle]
	sub := testutil.Create(t, app, "subscriptions", map[string]any{
		"customer": customer.Id, "plan": plan.Id, "plan_price": price.Id, "status": "active", "cycle": cycle,
		"currency": "USD", "amount": price.GetInt("amount"), "anchor_at": start, "anchor_day": start.Day(),
		"current_period_start": start, "current_period_end": start.AddDate(0, months, 0), "billed_until": start.AddDate(0, months, 0),
		"cancel_at_period_end": cancelling,
	})
	testutil.Create(t, app, "services", map[string]any{
		"customer": customer.Id, "subscription": sub.Id, "plan": plan.Id, "label": hostname, "hostname": hostname,
		"service_type": "vps", "platform": "virtfusion", "status": "active", "power_state": "online",
		"ip_addresses": []string{"203.0.113.9"},
	})
}

// TestPortalNextCharges: a customer in the UK (20 % VAT) sees on the
// dashboard and the services list what each service will be charged next,
// tax included, and when; a service cancelled at period end says it will
// not be charged; the total is the customer's alone. The order page's plan
// picker and the public plan cards say the traffic allowance is monthly and
// what a longer cycle saves.
func TestPortalNextCharges(t *testing.T) {
	pf := startPlatform(t)
	c := testutil.Customer(t, pf.App, "uk@example.com", "USD")
	c.Set("country", "GB")
	if err := pf.App.Save(c); err != nil {
		t.Fatal(err)
	}
	chargeService(t, pf.App, c, "vps-start", "monthly", "start.example.co.uk", false)
	chargeService(t, pf.App, c, "vps-pro", "annual", "leaving.example.co.uk", true)
	other := testutil.Customer(t, pf.App, "other@example.com", "USD")
	chargeService(t, pf.App, other, "vps-pro", "monthly", "other.example.com", false)

	p := newPage(t, pf.URL)
	p.visit("/login")
	p.fill("Email", "uk@example.com")
	p.fill("Password", testPassword)
	p.click("Log in")
	p.waitFor("upcoming-total")
	// VPS Start is 12.00 USD a month: 14.40 with 20 % VAT.
	if got := p.text("upcoming-total"); got != "$14.40" {
		t.Errorf("dashboard total %q, want $14.40 (the monthly service with VAT; the cancelled one adds nothing)", got)
	}
	p.waitText("Next charge $14.40 incl. VAT 20%")
	p.waitText("No further charge")
	if eval[bool](p, "other customer", `document.body.innerText.includes('other.example.com')`) {
		t.Error("the dashboard shows another customer's service")
	}
	p.screenshot("charge-01-dashboard")
	p.phone(true)
	p.screenshot("charge-02-dashboard-phone")
	p.phone(false)

	p.visit("/services")
	p.waitFor("next-charge")
	rows := eval[[]string](p, "charges", `[...document.querySelectorAll('[data-testid="next-charge"]')].map((e) => e.dataset.kind + ': ' + e.innerText.replace(/\s+/g, ' ').trim())`)
	want := map[string]bool{"renewal": false, "ending": false}
	for _, r := range rows {
		switch {
		case strings.HasPrefix(r, "renewal: $14.40 on ") && strings.HasSuffix(r, "incl. VAT 20%"):
			want["renewal"] = true
		case strings.HasPrefix(r, "ending: None Cancels on "):
			want["ending"] = true
		default:
			t.Errorf("unexpected next charge %q", r)
		}
	}
	if !want["renewal"] || !want["ending"] {
		t.Errorf("next charges %v, want the monthly renewal with VAT and the cancelled service", rows)
	}
	if got := p.text("upcoming-total"); !strings.Contains(got, "$14.40") {
		t.Errorf("services total %q", got)
	}
	p.screenshot("charge-03-services")
	p.phone(true)
	p.screenshot("charge-04-services-phone")
	p.phone(false)

	// The plan picker: monthly traffic, and the annual price's saving
	// (the demo's annual price is 15 % under twelve months).
	pro, err := pf.App.FindFirstRecordByData("plans", "slug", "vps-pro")
	if err != nil {
		t.Fatal(err)
	}
	p.visit("/order?plan=" + pro.Id)
	p.waitFor("chosen-plan")
	if got := p.text("chosen-plan"); !strings.Contains(got, "Traffic 8 TB per month") {
		t.Errorf("chosen plan says %q, want its traffic per month", got)
	}
	p.waitFor("cycle-saving")
	savings := eval[[]string](p, "savings", `[...document.querySelectorAll('[data-testid="cycle-saving"]')].map((e) => e.closest('label').querySelector('input').dataset.cycle + ' ' + e.innerText.trim())`)
	if strings.Join(savings, ", ") != "quarterly Save 5 %, annual Save 15 %" {
		t.Errorf("savings %v, want quarterly 5 %% and annual 15 %%", savings)
	}
	p.screenshot("charge-05-plan-picker")
	p.phone(true)
	p.screenshot("charge-06-plan-picker-phone")
	p.phone(false)

	// The public plan cards, annual prices chosen.
	eval[bool](p, "choose annual", `localStorage.setItem('ezscale.cycle', 'annual'), true`)
	p.visit("/")
	p.waitFor("plan-saving")
	card := eval[string](p, "vps pro card", `document.querySelector('[data-plan-slug="vps-pro"]').innerText`)
	if !strings.Contains(card, "Save 15 %") || !strings.Contains(card, "8 TB per month") {
		t.Errorf("VPS Pro card says %q, want Save 15 %% and 8 TB per month", card)
	}
	p.screenshot("charge-07-plans")
	p.phone(true)
	p.screenshot("charge-08-plans-phone")
}
