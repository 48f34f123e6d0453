package payments_test

import (
	"sync"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/payments"
)

// TestConcurrentRefundsToCreditNeverExceedThePayment: staff pressing
// Refund to credit ten times at once on a 17.00 payment mint 15.00 of
// credit at most (three of 5.00), never more than was paid, and the
// books still balance.
func TestConcurrentRefundsToCreditNeverExceedThePayment(t *testing.T) {
	w, paymentID := paidWorld(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := payments.RefundToCredit(ctx, w.app, payments.RefundRequest{PaymentID: paymentID, Amount: 500, Reason: "goodwill"}); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 3 {
		t.Errorf("%d refunds to credit of 5.00 from a 17.00 payment went through, want 3", ok)
	}
	var credit int64
	if err := w.app.DB().Select("COALESCE(SUM(amount), 0)").From("credit_entries").
		Where(dbx.HashExp{"reason": "refund"}).Row(&credit); err != nil {
		t.Fatal(err)
	}
	if credit != int64(ok)*500 {
		t.Errorf("refund credit %d, want %d", credit, ok*500)
	}
	report, err := ledgercheck.Run(w.app)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range report.Violations {
		t.Errorf("ledger: %s", v)
	}
}
