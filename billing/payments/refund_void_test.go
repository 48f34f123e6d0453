package payments_test

import (
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
)

// TestGatewayRefundOfAVoidInvoice: voiding returned the payment as credit;
// when the same payment is then refunded in the gateway's dashboard, the
// refund is recorded on the void invoice and the credit taken back, so the
// customer does not keep both, and staff are told.
func TestGatewayRefundOfAVoidInvoice(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.pay(t, "pi_part", 1000, "USD"); err != nil {
		t.Fatal(err)
	}
	inv, err := ledger.FindInvoice(w.app, w.order.Invoice.Id)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.Void(ctx, w.app, inv, "test"); err != nil {
		t.Fatal(err)
	}
	if bal, _ := ledger.Balance(w.app, w.customer.Id, "USD"); bal != 1000 {
		t.Fatalf("credit after the void: %d, want 1000", bal)
	}

	_, applied, err := payments.RecordGatewayRefund(ctx, w.app, "stripe", "re_dashboard", "pi_part", money.MustNew(1000, "USD"), time.Now())
	if err != nil || !applied {
		t.Fatalf("gateway refund: applied %v, err %v", applied, err)
	}
	inv, _ = ledger.FindInvoice(w.app, inv.Id)
	if inv.Status() != ledger.StatusVoid || inv.GetInt64("amount_refunded") != 1000 {
		t.Errorf("invoice %s, refunded %d: want void with 1000 refunded", inv.Status(), inv.GetInt64("amount_refunded"))
	}
	if bal, _ := ledger.Balance(w.app, w.customer.Id, "USD"); bal != 0 {
		t.Errorf("credit after the refund: %d, want 0", bal)
	}
	if n := w.count(t, "outbox", "template = 'refund_from_credit'"); n != 1 {
		t.Errorf("staff notices: %d, want 1", n)
	}
	// The webhook delivered again changes nothing.
	if _, applied, err := payments.RecordGatewayRefund(ctx, w.app, "stripe", "re_dashboard", "pi_part", money.MustNew(1000, "USD"), time.Now()); err != nil || applied {
		t.Errorf("redelivery: applied %v, err %v", applied, err)
	}
	report, err := ledgercheck.RunAt(w.app, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range report.Violations {
		t.Errorf("ledger check: %s", v)
	}
}
