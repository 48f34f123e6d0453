package payments_test

import (
	"errors"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// An attempt known already only moves on (pending → requires_action →
// failed), whatever order the gateway's events arrive in.
func TestRecordAttemptOnlyMovesOn(t *testing.T) {
	cases := []struct{ first, then, want string }{
		{gateway.StatusPending, gateway.StatusFailed, gateway.StatusFailed},
		{gateway.StatusPending, gateway.StatusRequiresAction, gateway.StatusRequiresAction},
		{gateway.StatusRequiresAction, gateway.StatusFailed, gateway.StatusFailed},
		{gateway.StatusFailed, gateway.StatusRequiresAction, gateway.StatusFailed},
		{gateway.StatusFailed, gateway.StatusPending, gateway.StatusFailed},
	}
	w := newWorld(t)
	for i, c := range cases {
		id := "pi_order_" + string(rune('a'+i))
		for _, status := range []string{c.first, c.then} {
			err := w.app.RunInTransaction(func(tx core.App) error {
				_, err := payments.RecordAttempt(ctx, tx, payments.Attempt{InvoiceID: w.order.Invoice.Id, Gateway: payments.GatewayStripe,
					GatewayID: id, Amount: money.MustNew(1700, "USD"), Status: payments.Status(status), FailureCode: status + "_code"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		p, err := payments.Find(w.app, payments.GatewayStripe, id)
		if err != nil || p.GetString("status") != c.want || p.GetString("failure_code") != c.want+"_code" {
			t.Errorf("%s then %s: %s (%s), want %s", c.first, c.then, p.GetString("status"), p.GetString("failure_code"), c.want)
		}
	}
	// A succeeded payment never goes back.
	if _, _, err := w.pay(t, "pi_paid", 1700, "USD"); err != nil {
		t.Fatal(err)
	}
	err := w.app.RunInTransaction(func(tx core.App) error {
		_, err := payments.RecordAttempt(ctx, tx, payments.Attempt{InvoiceID: w.order.Invoice.Id, Gateway: payments.GatewayStripe,
			GatewayID: "pi_paid", Amount: money.MustNew(1700, "USD"), Status: gateway.StatusFailed})
		return err
	})
	if p, _ := payments.Find(w.app, payments.GatewayStripe, "pi_paid"); err != nil || p.GetString("status") != gateway.StatusSucceeded {
		t.Errorf("a late failure reopened a succeeded payment: %v", err)
	}
}

// A reservation refuses an invoice with nothing due or one already held,
// and changes nothing when it does; a released attempt is reused.
func TestReserveChargeRefusals(t *testing.T) {
	w := newWorld(t)
	inv := w.order.Invoice.Id
	r, err := payments.ReserveCharge(ctx, w.app, inv, payments.GatewayStripe, "")
	if err != nil || r.Attempt != 1 || r.Amount != money.MustNew(1700, "USD") {
		t.Fatalf("first reservation %+v %v", r, err)
	}
	if _, err := payments.ReserveCharge(ctx, w.app, inv, payments.GatewayStripe, ""); !errors.Is(err, payments.ErrChargeHeld) {
		t.Errorf("second reservation while held: %v", err)
	}
	if _, err := payments.ReserveCharge(ctx, w.app, "missing", payments.GatewayStripe, ""); !errors.Is(err, payments.ErrInvalid) {
		t.Errorf("unknown invoice: %v", err)
	}
	if err := payments.ReleaseCharge(ctx, w.app, r); err != nil {
		t.Fatal(err)
	}
	again, err := payments.ReserveCharge(ctx, w.app, inv, payments.GatewayStripe, "")
	if err != nil || again.Key() != r.Key() {
		t.Errorf("after a release: %+v %v, want attempt %d again", again, err, r.Attempt)
	}
	if err := payments.ReleaseCharge(ctx, w.app, again); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.pay(t, "pi_other", 1700, "USD"); err != nil {
		t.Fatal(err)
	}
	before := w.count(t, "payments", "")
	if _, err := payments.ReserveCharge(ctx, w.app, inv, payments.GatewayStripe, ""); !errors.Is(err, ledger.ErrNothingDue) {
		t.Errorf("reserving a paid invoice: %v", err)
	}
	if w.count(t, "payments", "") != before {
		t.Error("a refused reservation left a row")
	}
}
