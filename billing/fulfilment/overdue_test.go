package fulfilment_test

import (
	"context"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/internal/testutil"
)

var ctx = context.Background()

// Paying this month's invoice does not lift a suspension for last month's:
// the service stays suspended and last month's invoice is still chased,
// until it is paid too.
func TestNewerPaymentKeepsOverdueSuspension(t *testing.T) {
	app := testutil.NewApp(t)
	_, price := testutil.Plan(t, app, "vps", "USD", 1000)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	now := time.Now().UTC()
	start := now.AddDate(0, 0, -70) // three monthly periods ago, so the older renewal is long overdue

	res, err := orders.Place(ctx, app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, start)
	if err != nil {
		t.Fatal(err)
	}
	pay(t, app, res.Invoice.Id)
	older := renew(t, app, start.AddDate(0, 0, 25))
	newer := renew(t, app, start.AddDate(0, 0, 55))

	// Dunning suspended the service for the older invoice.
	svc, _ := app.FindRecordById("services", res.Service.Id)
	svc.Set("status", "suspended")
	svc.Set("suspend_reason", "overdue")
	sub, _ := app.FindRecordById("subscriptions", res.Subscription.Id)
	sub.Set("status", "past_due")
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	if err := app.Save(sub); err != nil {
		t.Fatal(err)
	}

	pay(t, app, newer.Id)
	if st := status(t, app, "services", svc.Id); st != "suspended" || unsuspensions(t, app) != 0 {
		t.Errorf("after paying the newer invoice: service %s, %d unsuspensions queued; want suspended, none", st, unsuspensions(t, app))
	}
	if st := status(t, app, "subscriptions", sub.Id); st != "past_due" {
		t.Errorf("subscription %s, want past_due while the older invoice is overdue", st)
	}
	actions, err := dunning.Run(app, dunning.Options{Now: now, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	chased := false
	for _, a := range actions {
		chased = chased || a.Invoice == ledger.Label(older)
	}
	if !chased {
		t.Errorf("the older invoice is no longer chased: %v", actions)
	}

	pay(t, app, older.Id)
	if unsuspensions(t, app) != 1 || status(t, app, "subscriptions", sub.Id) != "active" {
		t.Errorf("both paid: %d unsuspensions, subscription %s; want 1, active", unsuspensions(t, app), status(t, app, "subscriptions", sub.Id))
	}
}

// renew runs the renewals at `at` and returns the invoice they issued.
func renew(t *testing.T, app core.App, at time.Time) *ledger.Invoice {
	t.Helper()
	if _, err := renewals.Run(app, renewals.Options{Now: at}); err != nil {
		t.Fatal(err)
	}
	rec, err := app.FindFirstRecordByFilter("invoices", "purpose = 'renewal' && issued_at = {:at}", map[string]any{"at": at.Format("2006-01-02 15:04:05.000Z")})
	if err != nil {
		t.Fatalf("renewal issued at %v: %v", at, err)
	}
	return ledger.AsInvoice(rec)
}

func pay(t *testing.T, app core.App, invoiceID string) {
	t.Helper()
	err := app.RunInTransaction(func(tx core.App) error {
		inv, err := ledger.FindInvoice(tx, invoiceID)
		if err != nil {
			return err
		}
		_, _, err = payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayManual,
			Amount: money.MustNew(inv.AmountDue(), inv.Currency())})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func status(t *testing.T, app core.App, collection, id string) string {
	t.Helper()
	rec, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec.GetString("status")
}

func unsuspensions(t *testing.T, app core.App) int {
	t.Helper()
	recs, err := app.FindRecordsByFilter("provisioning_jobs", "action = 'unsuspend'", "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}
