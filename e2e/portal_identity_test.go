//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestServiceIdentity: a customer orders a game server and sees the
// order's number (ORD-…) on the confirmation; the service page shows
// "Server address" as ip:port with a copy button and, among the revealed
// credentials, none of the panel's internal ids; the owner renames the
// service in the header and finds the name in the services list; a
// downgrade to a plan with less disk than the server uses warns before it
// is confirmed; the cancel dialog's buttons say what they do. Another
// customer cannot rename the service, nor can the owner through the
// record API.
func TestServiceIdentity(t *testing.T) {
	pf := startPlatform(t)
	owner := testutil.Customer(t, pf.App, "owner@example.com", "USD")
	owner.Set("country", "US")
	if err := pf.App.Save(owner); err != nil {
		t.Fatal(err)
	}
	other := testutil.Customer(t, pf.App, "other@example.com", "USD")

	p := newPage(t, pf.URL)
	p.visit("/login")
	p.fill("Email", "owner@example.com")
	p.fill("Password", testPassword)
	p.click("Log in")
	p.waitFor("balance")

	// Order a game server, paid in the sandbox: the confirmation names the order by its number.
	p.visit("/")
	p.clickID("order-minecraft-8gb")
	p.fill("Game", "paper")
	p.clickID("pay-sandbox")
	p.clickID("place-order")
	p.waitFor("order-number")
	order, err := pf.App.FindFirstRecordByFilter("orders", "customer = {:c}", dbx.Params{"c": owner.Id})
	if err != nil {
		t.Fatal(err)
	}
	number := order.GetString("number")
	if !regexp.MustCompile(`^ORD-\d{4}-\d{6}$`).MatchString(number) {
		t.Fatalf("order number %q", number)
	}
	if got := p.text("order-number"); !strings.Contains(got, number) || strings.Contains(got, order.Id) {
		t.Errorf("confirmation says %q, want the number %s and not the id %s", got, number, order.Id)
	}
	p.poll("service online", `document.querySelector('[data-testid="order-service-status"][data-status="online"]') !== null`)
	p.screenshot("identity-01-order-confirmation")
	p.phone(true)
	p.screenshot("identity-02-order-confirmation-phone")
	p.phone(false)

	// The service page: the server address with its port, copyable.
	serviceID := order.GetString("service")
	p.visit("/services/" + serviceID)
	p.waitFor("server-address")
	svc, err := pf.App.FindRecordById("services", serviceID)
	if err != nil {
		t.Fatal(err)
	}
	address := svc.GetString("server_address")
	if !regexp.MustCompile(`^[0-9.]+:\d+$`).MatchString(address) {
		t.Fatalf("server_address %q is not ip:port", address)
	}
	if got := p.text("server-address"); !strings.Contains(got, address) {
		t.Errorf("server address on the page %q, want %s", got, address)
	}
	if !eval[bool](p, "label", `[...document.querySelectorAll('dt')].some((d) => d.innerText.trim() === 'Server address')`) {
		t.Error(`no "Server address" label`)
	}
	if eval[bool](p, "no ip label", `[...document.querySelectorAll('dt')].some((d) => d.innerText.trim() === 'IP addresses')`) {
		t.Error(`a game server shows "IP addresses"`)
	}
	p.waitFor("copy-server-address")

	// Access details carry the login, not the panel's ids.
	p.clickID("show-credentials")
	p.waitFor("credentials")
	creds := strings.ToLower(p.text("credentials"))
	for _, internal := range []string{"identifier", "virtfusion", "srv id"} {
		if strings.Contains(creds, internal) {
			t.Errorf("credentials show %q: %s", internal, creds)
		}
	}
	p.screenshot("identity-03-service")
	p.phone(true)
	p.screenshot("identity-04-service-phone")
	p.phone(false)

	// Rename in the header; the list shows the new name.
	p.clickID("rename-service")
	p.fill("Service name", "Survival world")
	p.screenshot("identity-05-rename")
	p.clickID("rename-save")
	p.poll("renamed", `document.querySelector('h1').innerText.trim() === 'Survival world'`)
	if got, _ := pf.App.FindRecordById("services", serviceID); got.GetString("label") != "Survival world" {
		t.Errorf("label stored %q", got.GetString("label"))
	}
	p.visit("/services")
	p.waitFor("service-row")
	if row := p.text("service-row"); !strings.Contains(row, "Survival world") || !strings.Contains(row, address) {
		t.Errorf("services list row %q, want the new name and %s", row, address)
	}
	p.screenshot("identity-06-services")
	p.phone(true)
	p.screenshot("identity-07-services-phone")
	p.phone(false)

	// A smaller plan than the server's disk: the quote warns before confirming.
	sub, err := pf.App.FindRecordById("subscriptions", svc.GetString("subscription"))
	if err != nil {
		t.Fatal(err)
	}
	small := testutil.Create(t, pf.App, "plans", map[string]any{"name": "Minecraft Mini", "slug": "minecraft-mini",
		"service_type": "game_server", "platform": "pterodactyl", "status": "active", "disk_mb": 1,
		"platform_config": map[string]any{"location_id": 1, "nest_id": 1, "eggs": map[string]int{"paper": 5},
			"limits":         map[string]int{"memory": 1024, "swap": 0, "disk": 1, "io": 500, "cpu": 100},
			"feature_limits": map[string]int{"databases": 1, "backups": 1, "allocations": 1}}})
	testutil.Create(t, pf.App, "plan_prices", map[string]any{"plan": small.Id, "currency": "USD", "cycle": sub.GetString("cycle"),
		"amount": 100, "active": true})
	p.visit("/services/" + serviceID)
	p.waitFor("plan-option")
	p.click("See the price")
	p.waitFor("change-warning")
	if got := p.text("change-warning"); !strings.Contains(got, "Minecraft Mini") || !strings.Contains(got, "uses") {
		t.Errorf("warning %q", got)
	}
	p.screenshot("identity-08-downgrade-warning")
	p.phone(true)
	p.screenshot("identity-09-downgrade-warning-phone")
	p.phone(false)
	p.clickID("dismiss")

	// The cancel dialog's buttons say what they do; keeping the service changes nothing.
	p.clickID("cancel-service")
	p.poll("cancel dialog open", `document.querySelector('dialog[open] [data-testid="dismiss"]') !== null`)
	buttons := eval[string](p, "dialog buttons", `[...document.querySelectorAll('dialog[open] button')].map((b) => b.innerText.trim()).join('|')`)
	if buttons != "Keep service|Cancel at period end" {
		t.Errorf("cancel dialog buttons %q", buttons)
	}
	p.screenshot("identity-10-cancel-dialog")
	p.phone(true)
	p.screenshot("identity-11-cancel-dialog-phone")
	p.phone(false)
	p.clickID("dismiss")
	if s, _ := pf.App.FindRecordById("subscriptions", sub.Id); s.GetBool("cancel_at_period_end") {
		t.Error("Keep service cancelled the service")
	}

	// Nobody else renames it; the record API is closed to the owner too.
	patch := func(path, token string, body any) int {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPatch, pf.URL+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := patch("/api/services/"+serviceID+"/label", testutil.Token(t, other), map[string]string{"label": "Mine now"}); got != http.StatusNotFound {
		t.Errorf("another customer's rename: %d, want 404", got)
	}
	if got := patch("/api/collections/services/records/"+serviceID, testutil.Token(t, owner), map[string]string{"label": "x", "status": "terminated"}); got < 400 {
		t.Errorf("the record API took the owner's edit: %d", got)
	}
	if got, _ := pf.App.FindRecordById("services", serviceID); got.GetString("label") != "Survival world" || got.GetString("status") != "active" {
		t.Errorf("the service changed: label %q status %q", got.GetString("label"), got.GetString("status"))
	}
}
