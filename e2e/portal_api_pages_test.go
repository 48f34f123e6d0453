//go:build e2e

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/billing/ledger"
)

// TestPortalPagesThroughAPIModule walks the pages whose calls moved to
// portal/src/lib/api.js, each call doing its work end to end: signing out
// the other sessions (the old token stops working, the page keeps a new
// one), starting two-factor enrolment, paying an invoice in the sandbox,
// and opening, reading and answering a ticket. Customer B gets "not found"
// for A's invoice. Each page is captured on desktop and phone.
func TestPortalPagesThroughAPIModule(t *testing.T) {
	pf := startPlatform(t)
	customerWithService(t, pf, "a@example.com", "alpha.example.net")
	customerWithService(t, pf, "b@example.com", "bravo.example.net")
	a, err := pf.App.FindAuthRecordByEmail("customers", "a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	inv := openInvoice(t, pf.App, a, 1250, "Extra IPv4 address")

	p := newPage(t, pf.URL)
	logIn(p, "a@example.com")
	shots := func(name string) {
		t.Helper()
		p.screenshot("api-" + name)
		p.phone(true)
		p.screenshot("api-" + name + "-phone")
		p.phone(false)
	}
	token := func() string {
		return eval[string](p, "auth token", `JSON.parse(localStorage.getItem('pocketbase_auth') || '{}').token || ''`)
	}

	p.visit("/account/security")
	p.waitFor("revoke-sessions")
	before := token()
	p.clickID("revoke-sessions")
	p.waitText("You were signed out of all other devices.")
	after := token()
	if status := sessionStatus(t, pf.URL, before); status != http.StatusUnauthorized {
		t.Errorf("the token from before signing out the other sessions answers %d, want 401", status)
	}
	if status := sessionStatus(t, pf.URL, after); status != http.StatusOK {
		t.Errorf("the page's new token answers %d, want 200", status)
	}
	p.clickID("totp-enable")
	p.waitFor("totp-qr")
	if secret := p.text("totp-secret"); strings.TrimSpace(secret) == "" {
		t.Error("the enrolment shows no secret")
	}
	shots("security")

	p.visit("/billing/invoices/" + inv.Id)
	p.waitFor("pay-sandbox")
	shots("invoice-pay")
	p.clickID("pay-sandbox")
	// The route's answer or the realtime update of the invoice says so first.
	p.poll("paid notice", `!document.querySelector('[data-testid=pay-now]') && /Paid with the sandbox|Payment received/.test(document.body.innerText)`)
	paid, err := ledger.FindInvoice(pf.App, inv.Id)
	if err != nil {
		t.Fatal(err)
	}
	if paid.Status() != ledger.StatusPaid {
		t.Errorf("after paying in the sandbox the invoice is %s", paid.Status())
	}

	p.visit("/support/new")
	p.waitFor("new-ticket-form")
	p.fill("Department", "2")
	p.fill("Subject", "Reverse DNS for the new address")
	p.fill("Message", "Please point it at mail.alpha.example.net.")
	shots("support-new")
	p.click("Open ticket")
	p.waitFor("ticket-thread")
	tickets := pf.Desk.Tickets()
	if len(tickets) != 1 || tickets[0].Subject != "Reverse DNS for the new address" {
		t.Fatalf("help desk tickets: %+v", tickets)
	}
	p.fill("Your reply", "It is for outgoing mail only.")
	p.click("Send reply")
	p.poll("reply shown", `document.querySelectorAll('[data-testid=ticket-message]').length === 2`)
	if n := pf.Desk.Tickets()[0].MessagesCount; n != 2 {
		t.Errorf("the help desk holds %d messages, want 2", n)
	}
	shots("support-thread")
	p.visit("/support")
	p.waitFor("ticket-row")
	shots("support-list")

	b := newPage(t, pf.URL)
	logIn(b, "b@example.com")
	b.visit("/billing/invoices/" + inv.Id)
	b.waitFor("error-state")
}

// sessionStatus is what GET /api/account/session answers the holder of token.
func sessionStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/account/session", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
