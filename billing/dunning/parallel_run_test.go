package dunning_test

import (
	"testing"

	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestHeldCustomerIsNotChasedUntilCutover: WHMCS chases the invoices of
// the customers it still serves; no reminder, charge, notice, suspension
// or termination comes from here until the cutover, then the chase runs.
func TestHeldCustomerIsNotChasedUntilCutover(t *testing.T) {
	w := newWorld(t)
	testutil.HoldForWHMCS(t, w.app, w.customer.Id, true)
	emails, jobs := w.count(t, "outbox", ""), w.count(t, "provisioning_jobs", "")
	charger := &fakeCharger{answer: declined}
	for _, day := range []int{-3, 0, 1, 7, 21} {
		if actions := w.run(t, day, charger); len(actions) != 0 {
			t.Errorf("day %d: %v for a held customer", day, actions)
		}
	}
	if len(charger.requests) != 0 || w.count(t, "outbox", "") != emails || w.count(t, "provisioning_jobs", "") != jobs ||
		w.status(t, "services", w.order.Service.Id) != "active" {
		t.Fatalf("the held customer was acted on: %d charges, service %s", len(charger.requests), w.status(t, "services", w.order.Service.Id))
	}

	testutil.HoldForWHMCS(t, w.app, w.customer.Id, false)
	actions := w.run(t, 21, charger)
	if len(actions) == 0 || len(charger.requests) != 1 {
		t.Fatalf("after the cutover: %v, %d charges; want the chase to start", actions, len(charger.requests))
	}
	rep, err := ledgercheck.Run(w.app)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		t.Errorf("ledger: %s", v)
	}
}
