package renewals_test

import (
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestHeldCustomerIsNotRenewedUntilCutover: WHMCS renews the customers it
// still serves; after the cutover the run bills and rolls them like anyone.
func TestHeldCustomerIsNotRenewedUntilCutover(t *testing.T) {
	w := newWorld(t)
	live := testutil.Customer(t, w.app, "live@example.com", "USD")
	held := testutil.Customer(t, w.app, "held@example.com", "USD")
	w.subscribe(t, live, "")
	heldSub := w.subscribe(t, held, "")
	testutil.HoldForWHMCS(t, w.app, held.Id, true)

	// Feb 28 starts the next period; Mar 1 is past it: bill and roll over.
	res := run(t, w.app, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if res.Invoices != 1 || res.Lines != 1 || res.Rolled != 1 {
		t.Fatalf("with one customer held: %+v, want the live one billed and rolled only", res)
	}
	for _, inv := range renewalInvoices(t, w.app) {
		if inv.GetString("customer") == held.Id {
			t.Fatalf("the held customer was billed: %s", inv.Id)
		}
	}
	sub, _ := w.app.FindRecordById("subscriptions", heldSub.Id)
	if !sub.GetDateTime("current_period_end").Time().Equal(heldSub.GetDateTime("current_period_end").Time()) ||
		sub.GetString("billed_until") != heldSub.GetString("billed_until") {
		t.Errorf("the held subscription moved: %v → %v", heldSub.FieldsData(), sub.FieldsData())
	}

	testutil.HoldForWHMCS(t, w.app, held.Id, false)
	res = run(t, w.app, time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC))
	if res.Invoices != 1 || res.Lines != 1 || res.Rolled != 1 {
		t.Fatalf("after the cutover: %+v, want the customer billed and rolled", res)
	}
	rep, err := ledgercheck.RunAt(w.app, time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		// The fixture pays the orders by status alone (newWorld.subscribe).
		if v.Rule != "invoice.status" {
			t.Errorf("ledger: %s", v)
		}
	}
}
