//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStaffServiceSuspendAndUnsuspend: staff open a customer's game
// server in the console, suspend it with a reason (the Pterodactyl
// simulator's server follows), then unsuspend it; a refusal (no reason)
// is shown on the form first.
func TestStaffServiceSuspendAndUnsuspend(t *testing.T) {
	pf := startPlatform(t)
	svcID := gameServer(t, pf, "player@example.com", "mc.player.example")
	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)

	p.visit("/staff/services/" + svcID)
	p.waitFor("service-status")
	p.screenshot("60-staff-service")
	if got := p.text("service-status"); !strings.EqualFold(got, "active") {
		t.Fatalf("service status %q", got)
	}

	p.clickID("service-suspend")
	p.fill("Reason", "   ")
	p.clickID("confirm")
	p.waitFor("form-error")
	p.fill("Reason", "Abuse report: port scanning")
	p.clickID("confirm")
	p.waitFor("form-success")
	waitPanel(t, pf, svcID, true)
	p.visit("/staff/services/" + svcID)
	p.waitFor("service-unsuspend")
	p.waitText("Abuse report: port scanning") // the reason, in the service's history
	p.screenshot("61-staff-service-suspended")

	p.clickID("service-unsuspend")
	p.fill("Reason", "Customer fixed the scanner")
	p.clickID("confirm")
	p.waitFor("form-success")
	waitPanel(t, pf, svcID, false)
	svc, _ := pf.App.FindRecordById("services", svcID)
	if svc.GetString("status") != "active" || svc.GetString("suspend_reason") != "" {
		t.Errorf("service %s/%s after unsuspend", svc.GetString("status"), svc.GetString("suspend_reason"))
	}
	for _, msg := range []string{"Abuse report: port scanning", "Customer fixed the scanner"} {
		if _, err := pf.App.FindFirstRecordByFilter("audit_logs", "record_id = {:id} && message = {:m} && actor_kind = 'superuser'",
			dbx.Params{"id": svcID, "m": msg}); err != nil {
			t.Errorf("no audit entry with %q: %v", msg, err)
		}
	}
}

// TestStaffWaitlist: two dedicated servers ordered while out of stock wait
// in the console's list; a server arrives, staff approve one (its invoice
// is issued and emailed) and decline the other with a reason.
func TestStaffWaitlist(t *testing.T) {
	pf := startPlatform(t)
	plan, err := pf.App.FindFirstRecordByData("plans", "slug", "dedicated-e3-1270v6")
	if err != nil {
		t.Fatal(err)
	}
	setPlanStock(t, pf.App, plan.Id, 0)
	approved := waitlistedOrder(t, pf, plan, "first@example.com", "dedi1.first.example")
	declined := waitlistedOrder(t, pf, plan, "second@example.com", "dedi2.second.example")

	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)
	p.visit("/staff/orders/waitlist")
	p.waitFor("waitlist-" + declined.Order.Id)

	// No server yet: approving is refused with the reason.
	p.clickID("approve-" + approved.Order.Id)
	p.waitFor("form-error")
	if msg := p.text("form-error"); !strings.Contains(msg, "no stock left") {
		t.Errorf("refusal %q", msg)
	}
	p.screenshot("62-staff-waitlist")

	setPlanStock(t, pf.App, plan.Id, 1)
	p.clickID("approve-" + approved.Order.Id)
	p.waitFor("form-success")
	p.clickID("decline-" + declined.Order.Id)
	p.fill("Reason for the customer", "That model is discontinued; try the E3-1270v6 successor")
	p.clickID("confirm")
	p.waitText("Declined:")
	p.waitText("No orders waiting")
	p.screenshot("63-staff-waitlist-done")

	for _, c := range []struct {
		res              *orders.Result
		order, invoice   string
		template, toWhom string
	}{
		{approved, "pending", "open", "invoice_issued", "first@example.com"},
		{declined, "cancelled", "void", "order_declined", "second@example.com"},
	} {
		o, _ := pf.App.FindRecordById("orders", c.res.Order.Id)
		inv, _ := pf.App.FindRecordById("invoices", c.res.Invoice.Id)
		if o.GetString("status") != c.order || inv.GetString("status") != c.invoice {
			t.Errorf("order %s: %s with invoice %s, want %s and %s", o.Id, o.GetString("status"), inv.GetString("status"), c.order, c.invoice)
		}
		if _, err := pf.App.FindFirstRecordByFilter("outbox", "template = {:t} && customer = {:c}",
			dbx.Params{"t": c.template, "c": o.GetString("customer")}); err != nil {
			t.Errorf("%s was not emailed %s: %v", c.toWhom, c.template, err)
		}
	}
	if p, _ := pf.App.FindRecordById("plans", plan.Id); p.GetInt("stock") != 0 {
		t.Errorf("stock %d after approving one order with one server", p.GetInt("stock"))
	}
}

// gameServer creates a customer with a paid Minecraft server and lets the
// platform's worker build it on the Pterodactyl simulator.
func gameServer(t *testing.T, pf *platform, email, label string) string {
	t.Helper()
	c := testutil.Customer(t, pf.App, email, "USD")
	plan, err := pf.App.FindFirstRecordByData("plans", "slug", "minecraft-8gb")
	if err != nil {
		t.Fatal(err)
	}
	price, err := pf.App.FindFirstRecordByFilter("plan_prices", "plan = {:p} && currency = 'USD' && cycle = 'monthly'", dbx.Params{"p": plan.Id})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sub := testutil.Create(t, pf.App, "subscriptions", map[string]any{
		"customer": c.Id, "plan": plan.Id, "plan_price": price.Id, "status": "active", "cycle": "monthly",
		"currency": "USD", "amount": price.GetInt("amount"), "anchor_at": now, "anchor_day": now.Day(),
		"current_period_start": now, "current_period_end": now.AddDate(0, 1, 0), "billed_until": now.AddDate(0, 1, 0),
	})
	svc := testutil.Create(t, pf.App, "services", map[string]any{
		"customer": c.Id, "subscription": sub.Id, "plan": plan.Id, "label": label, "service_type": "game_server",
		"platform": "pterodactyl", "status": "provisioning", "options": map[string]string{"game": "paper"},
	})
	if _, err := provisioning.Enqueue(context.Background(), pf.App, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionCreate,
		DedupeKey: "e2e:" + svc.Id + ":create", RequestedBy: "e2e"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(stepTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if s, err := pf.App.FindRecordById("services", svc.Id); err == nil && s.GetString("status") == "active" {
			return svc.Id
		}
	}
	t.Fatal("the game server was not built")
	return ""
}

// waitPanel waits until the simulator's server is (or is no longer) suspended.
func waitPanel(t *testing.T, pf *platform, serviceID string, suspended bool) {
	t.Helper()
	for deadline := time.Now().Add(stepTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if sv, ok := pf.Game.Server(serviceID); ok && (sv.Status != nil && *sv.Status == "suspended") == suspended {
			return
		}
	}
	t.Fatalf("the panel's server never became suspended=%v", suspended)
}

func setPlanStock(t *testing.T, app core.App, planID string, n int) {
	t.Helper()
	plan, err := app.FindRecordById("plans", planID)
	if err != nil {
		t.Fatal(err)
	}
	plan.Set("stock", n)
	if err := app.Save(plan); err != nil {
		t.Fatal(err)
	}
}

// waitlistedOrder places an order of plan, out of stock, for a new customer.
func waitlistedOrder(t *testing.T, pf *platform, plan *core.Record, email, hostname string) *orders.Result {
	t.Helper()
	c := testutil.Customer(t, pf.App, email, "USD")
	price, err := pf.App.FindFirstRecordByFilter("plan_prices", "plan = {:p} && currency = 'USD' && cycle = 'monthly'", dbx.Params{"p": plan.Id})
	if err != nil {
		t.Fatal(err)
	}
	res, err := orders.Place(context.Background(), pf.App, c, orders.Request{PlanPrice: price.Id,
		Options: map[string]string{"hostname": hostname, "os": "debian-12"}}, orders.By{}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	if res.Order.GetString("status") != orders.StatusPendingApproval {
		t.Fatalf("order %s, want wait-listed", res.Order.GetString("status"))
	}
	return res
}
