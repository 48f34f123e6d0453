package planchange_test

import (
	"testing"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/planchange"
)

// An upgrade invoice partly paid from credit and then voided unpaid gives
// the credit back.
func TestExpiredUpgradeReturnsItsCredit(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, w.small)
	if _, err := ledger.AddCredit(ctx, w.app, ledger.CreditEntry{CustomerID: w.customer.Id, Currency: "USD", Amount: 200, Reason: ledger.CreditManual, Description: "Goodwill"}); err != nil {
		t.Fatal(err)
	}
	out := w.change(t, svc, w.large, half)
	if out.Invoice.GetInt64("credit_applied") != 200 || out.Invoice.Status() != ledger.StatusOpen {
		t.Fatalf("upgrade invoice: credit applied %d, %s", out.Invoice.GetInt64("credit_applied"), out.Invoice.Status())
	}
	if n, err := planchange.VoidExpired(ctx, w.app, half.AddDate(0, 0, 3)); err != nil || n != 1 {
		t.Fatalf("void: %d %v", n, err)
	}
	if bal, _ := ledger.Balance(w.app, w.customer.Id, "USD"); bal != 200 {
		t.Errorf("credit after the void %d, want the 200 it had used", bal)
	}
}
