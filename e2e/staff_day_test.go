//go:build e2e

package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStaffDay walks a day of staff work in the console, each task on its
// own page: an abuse report names an IP address, so staff find its
// customer with the header's search box; they refund part of the
// customer's paid setup invoice to account credit; suspend the game
// server at that address while it is looked at and unsuspend it; approve
// the wait-listed dedicated server order that the work queue points to
// (a server arrived); and clear what is left in the queue (an unmatched
// gateway event, an email that could not be sent) until it is empty.
func TestStaffDay(t *testing.T) {
	pf := startPlatform(t)
	const address = "203.0.113.77"
	svcID := gameServer(t, pf, "abuse@example.com", "mc.abuse.example")
	svc, err := pf.App.FindRecordById("services", svcID)
	if err != nil {
		t.Fatal(err)
	}
	svc.Set("ip_addresses", []string{address})
	if err := pf.App.Save(svc); err != nil {
		t.Fatal(err)
	}
	customer, err := pf.App.FindRecordById("customers", svc.GetString("customer"))
	if err != nil {
		t.Fatal(err)
	}
	inv, payment := paidInvoice(t, pf.App, customer, 2500)

	dedicated, err := pf.App.FindFirstRecordByData("plans", "slug", "dedicated-e3-1270v6")
	if err != nil {
		t.Fatal(err)
	}
	setPlanStock(t, pf.App, dedicated.Id, 0)
	waiting := waitlistedOrder(t, pf, dedicated, "rack@example.com", "dedi.rack.example")
	setPlanStock(t, pf.App, dedicated.Id, 1) // the server arrived this morning
	testutil.Create(t, pf.App, "webhook_events", map[string]any{"gateway": "stripe", "event_id": "evt_e2e_day",
		"type": "charge.succeeded", "status": "unmatched", "error": "no invoice for payment intent pi_elsewhere", "payload": map[string]any{}})
	testutil.Create(t, pf.App, "outbox", map[string]any{"channel": "email", "recipient": customer.Email(), "customer": customer.Id,
		"template": "e2e_day", "subject": "Your server", "body_text": "Hello", "status": "failed", "attempts": 5,
		"last_error": "mailgun: 550 mailbox unavailable", "next_attempt_at": time.Now().UTC()})

	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)

	// 1. The abuse report's address, in the header's search box.
	p.fill("Search everything", address)
	p.waitFor("search-result-customers")
	p.screenshot("95-staff-day-search")
	p.clickID("search-result-customers")
	p.waitFor("customer-status")
	if got := p.url(); got != pf.URL+"/staff/customers/"+customer.Id {
		t.Fatalf("the address led to %s, want the customer %s", got, customer.Id)
	}

	// 2. Part of the setup fee back as account credit.
	p.visit("/staff/invoices/" + inv.Id)
	p.clickID("refund-" + payment.Id)
	p.retype("Amount", "10.00") // the form offers the whole payment
	p.check("Account credit")
	p.fill("Reason", "Goodwill for the abuse investigation")
	p.clickID("confirm")
	p.waitFor("payment-refund")
	p.screenshot("96-staff-day-refund")
	refunded, err := pf.App.FindRecordById("invoices", inv.Id)
	if err != nil || refunded.GetInt("amount_refunded") != 1000 || refunded.GetString("status") != "partially_refunded" {
		t.Errorf("invoice after a 10.00 refund: %v %v", refunded, err)
	}

	// 3. The server at that address suspended while it is looked at, then back.
	p.visit("/staff/services/" + svcID)
	p.clickID("service-suspend")
	p.fill("Reason", "Abuse report for "+address)
	p.clickID("confirm")
	p.waitFor("form-success")
	waitPanel(t, pf, svcID, true)
	p.visit("/staff/services/" + svcID)
	p.clickID("service-unsuspend")
	p.fill("Reason", "Customer removed the offending plugin")
	p.clickID("confirm")
	p.waitFor("form-success")
	waitPanel(t, pf, svcID, false)

	// 4. The queue points to the wait list, where the order is approved.
	p.visit("/staff/queue")
	p.waitFor("queue-section-approvals")
	p.screenshot("97-staff-day-queue")
	p.clickID("queue-open-waitlist")
	p.clickID("approve-" + waiting.Order.Id)
	p.waitFor("form-success")
	if o, err := pf.App.FindRecordById("orders", waiting.Order.Id); err != nil || o.GetString("status") == "pending_approval" {
		t.Errorf("order after approval: %v %v", o, err)
	}

	// 5. What is left in the queue, cleared there.
	p.visit("/staff/queue")
	p.clickID("queue-dismiss-event")
	p.waitText("is dismissed.")
	p.clickID("queue-discard-message")
	p.waitText("it will not be sent")
	p.waitFor("empty-state")
	p.poll("header count gone", `!document.querySelector('[data-testid=queue-badge]')`)
	p.screenshot("98-staff-day-done")

	if n, err := pf.App.CountRecords("audit_logs", dbx.HashExp{"actor_kind": "superuser", "customer": customer.Id}); err != nil || n == 0 {
		t.Errorf("no audited staff action on the customer: %d %v", n, err)
	}
}

// paidInvoice issues customer a manual invoice of amount (minor units of
// their currency) and records a bank transfer paying it.
func paidInvoice(t *testing.T, app core.App, customer *core.Record, amount int64) (*ledger.Invoice, *core.Record) {
	t.Helper()
	ctx := context.Background()
	s, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ledger.NewDraft(ctx, app, s, ledger.Treatment{Reason: "tax disabled"}, customer, ledger.PurposeManual)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.AddLine(ctx, app, inv, ledger.Line{Kind: ledger.KindAdjustment, Description: "Setup fee", Quantity: 1, UnitAmount: amount}); err != nil {
		t.Fatal(err)
	}
	if err := ledger.Finalize(ctx, app, inv, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	var payment *core.Record
	err = app.RunInTransaction(func(tx core.App) error {
		var err error
		payment, _, err = payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayManual, GatewayID: "BANK-" + inv.Id,
			Amount: money.Amount{Minor: amount, Currency: customer.GetString("currency")}, PaidAt: time.Now().UTC()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return inv, payment
}
