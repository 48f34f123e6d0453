//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStaffCustomerPage: staff open the demo customer and see every section
// of the relationship (a service and its subscription, a paid invoice and
// its payment linked to their pages, a saved card masked, credit with its
// reason, an archived ticket, the history in words), edit the staff notes, then
// impersonate: the portal shows the banner on every page and after a
// reload, a profile change made there is audited as the staff member's on
// behalf of the customer, and End signs the portal out and returns to the
// customer in the console.
func TestStaffCustomerPage(t *testing.T) {
	pf := startPlatform(t)
	customer, err := pf.App.FindAuthRecordByEmail("customers", seed.DemoCustomerEmail)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := pf.App.FindAuthRecordByEmail(core.CollectionNameSuperusers, seed.DemoStaffEmail)
	if err != nil {
		t.Fatal(err)
	}
	cur := customer.GetString("currency")
	for _, r := range []struct {
		collection string
		data       map[string]any
	}{
		{"payment_methods", map[string]any{"customer": customer.Id, "gateway": "stripe", "kind": "card", "brand": "visa", "last4": "4242",
			"exp_month": 8, "exp_year": 2031, "gateway_ref": "pm_secret_gateway_ref", "is_default": true}},
		{"credit_entries", map[string]any{"customer": customer.Id, "currency": cur, "amount": 1999, "reason": "manual",
			"description": "Goodwill for the outage"}},
		{"ticket_archive", map[string]any{"customer": customer.Id, "number": "WH-4711", "subject": "Reverse DNS for my server",
			"department": "Technical", "status": "Closed"}},
	} {
		col, err := pf.App.FindCollectionByNameOrId(r.collection)
		if err != nil {
			t.Fatal(err)
		}
		rec := core.NewRecord(col)
		rec.Load(r.data)
		if err := pf.App.Save(rec); err != nil {
			t.Fatalf("%s: %v", r.collection, err)
		}
	}

	inv, _ := paidInvoice(t, pf.App, customer, 1234)
	plan, err := pf.App.FindFirstRecordByData("plans", "slug", "minecraft-8gb")
	if err != nil {
		t.Fatal(err)
	}
	price, err := pf.App.FindFirstRecordByFilter("plan_prices", "plan = {:p} && currency = {:c} && cycle = 'monthly'", dbx.Params{"p": plan.Id, "c": cur})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sub := testutil.Create(t, pf.App, "subscriptions", map[string]any{
		"customer": customer.Id, "plan": plan.Id, "plan_price": price.Id, "status": "active", "cycle": "monthly",
		"currency": cur, "amount": price.GetInt("amount"), "anchor_at": now, "anchor_day": now.Day(),
		"current_period_start": now, "current_period_end": now.AddDate(0, 1, 0), "billed_until": now.AddDate(0, 1, 0),
	})
	svc := testutil.Create(t, pf.App, "services", map[string]any{
		"customer": customer.Id, "subscription": sub.Id, "plan": plan.Id, "label": "survival-world", "service_type": "game_server",
		"platform": "pterodactyl", "status": "provisioning", "options": map[string]string{"game": "paper"},
	})

	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)
	page := "/staff/customers/" + customer.Id
	p.visit(page)
	for _, section := range []string{"customer-status", "customer-profile", "customer-methods", "customer-credit", "customer-tickets", "customer-history"} {
		p.waitFor(section)
	}
	for _, text := range []string{"Subscriptions", "Invoices", "Payments and refunds", "New invoice", "•••• 4242", "08/2031",
		"Goodwill for the outage", "WH-4711", "Account opened"} {
		p.waitText(text)
	}
	for _, text := range []string{inv.GetString("number"), "survival-world", "Minecraft", "Invoice " + inv.GetString("number") + " paid",
		"Payment of 12.34 GBP succeeded"} {
		p.waitText(text)
	}
	for _, link := range []string{"/staff/invoices/" + inv.Id, "/staff/services/" + svc.Id} {
		if !eval[bool](p, "link "+link, fmt.Sprintf(`!!document.querySelector('main a[href=%q]')`, link)) {
			t.Errorf("no link to %s", link)
		}
	}
	if body := eval[string](p, "page text", `document.documentElement.outerHTML`); strings.Contains(body, "pm_secret_gateway_ref") {
		t.Error("the console shows the payment method's gateway reference")
	}
	if href := eval[string](p, "new invoice link", `document.querySelector('[data-testid="new-invoice"]').getAttribute('href')`); href != "/staff/invoices/new?customer="+customer.Id {
		t.Errorf("new invoice link: %q", href)
	}
	p.screenshot("80-staff-customer-page")

	p.clickID("notes-edit")
	p.fill("Notes", "Prefers email over phone.")
	p.clickID("notes-save")
	p.waitText("Prefers email over phone.")
	p.waitText("Staff notes edited")

	p.clickID("impersonate")
	p.clickID("confirm")
	p.waitFor("form-success")

	for _, path := range []string{"/dashboard", "/billing/invoices", "/account"} {
		p.visit(path)
		p.waitFor("impersonation-banner")
	}
	banner := p.text("impersonation-banner")
	if !strings.Contains(banner, "Viewing as "+customer.GetString("name")) || !strings.Contains(banner, seed.DemoStaffEmail) || !strings.Contains(banner, "End") {
		t.Errorf("banner: %q", banner)
	}
	p.run("reload", chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("#app > *")))
	p.waitFor("impersonation-banner")
	p.screenshot("81-portal-impersonation-banner")

	p.fill("Phone", "+44 20 7946 0958")
	p.clickID("profile-save")
	p.waitText("Your profile was saved")
	entry, err := pf.App.FindFirstRecordByFilter("audit_logs", "collection = 'customers' && action = 'update' && record_id = {:c} && on_behalf_of = {:c}",
		dbx.Params{"c": customer.Id})
	if err != nil {
		t.Fatalf("the impersonated profile change is not audited on behalf of the customer: %v", err)
	}
	if entry.GetString("actor_kind") != "superuser" || entry.GetString("actor_id") != staff.Id {
		t.Errorf("impersonated change audited as %s %s", entry.GetString("actor_kind"), entry.GetString("actor_id"))
	}

	p.clickID("impersonation-end")
	p.waitFor("customer-status") // a full page load: polling the old page would lose its context
	if u := p.url(); !strings.HasSuffix(u, page) {
		t.Errorf("End went to %s, want the customer's page %s", u, page)
	}
	if left := eval[bool](p, "portal session", `localStorage.getItem('pocketbase_auth') !== null && JSON.parse(localStorage.getItem('pocketbase_auth')).token !== ''`); left {
		t.Error("the portal is still signed in as the customer after End")
	}
	p.waitText(seed.DemoStaffEmail + " as the customer")
	p.screenshot("82-staff-customer-history")

	p.visit("/dashboard")
	p.poll("portal signed out", `location.pathname === '/login'`)
	if strings.Contains(eval[string](p, "login page", `document.body.innerText`), "Viewing as") {
		t.Error("the banner outlived the session")
	}
}
