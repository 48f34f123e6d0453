package payments_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
)

type fakeRefunder struct {
	mu   sync.Mutex
	keys []string
	fail bool
}

func (f *fakeRefunder) Refund(_ context.Context, req gateway.RefundRequest) (gateway.RefundResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys = append(f.keys, req.IdempotencyKey)
	if f.fail {
		return gateway.RefundResult{}, gateway.Refusal(errors.New("stripe refund: HTTP 400 invalid_request_error charge_disputed"))
	}
	return gateway.RefundResult{GatewayID: "re_" + req.IdempotencyKey[len("refund:"):], Status: gateway.StatusSucceeded}, nil
}

func paidWorld(t *testing.T) (*world, string) {
	t.Helper()
	w := newWorld(t)
	p, _, err := w.pay(t, "pi_paid", 1700, "USD")
	if err != nil {
		t.Fatal(err)
	}
	return w, p.Id
}

func TestRefundsUpToWhatWasPaid(t *testing.T) {
	w, paymentID := paidWorld(t)
	stripe := &fakeRefunder{}
	refunders := map[string]payments.Refunder{"stripe": stripe}
	refund := func(amount int64) error {
		_, err := payments.Refund(ctx, w.app, refunders, payments.RefundRequest{PaymentID: paymentID, Amount: amount, Reason: "customer asked"})
		return err
	}
	if err := refund(500); err != nil {
		t.Fatal(err)
	}
	inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id)
	if inv.Status() != ledger.StatusPartiallyRefunded || inv.GetInt64("amount_refunded") != 500 {
		t.Errorf("after 5.00: %s %d", inv.Status(), inv.GetInt64("amount_refunded"))
	}
	for _, bad := range []int64{1201, 0, -5} {
		if err := refund(bad); !errors.Is(err, payments.ErrInvalid) {
			t.Errorf("refund %d: want ErrInvalid, got %v", bad, err)
		}
	}
	if err := refund(1200); err != nil {
		t.Fatal(err)
	}
	inv, _ = ledger.FindInvoice(w.app, w.order.Invoice.Id)
	if inv.Status() != ledger.StatusRefunded {
		t.Errorf("after the rest: %s", inv.Status())
	}
	notes, _ := w.app.FindRecordsByFilter("credit_notes", "", "number", 0, 0)
	if len(notes) != 2 || notes[0].GetString("number") != "CN-"+time.Now().UTC().Format("2006")+"-000001" || notes[1].GetInt64("amount") != 1200 {
		t.Errorf("credit notes: %v", notes)
	}
	if w.count(t, "outbox", "template = 'refund_issued'") != 2 || len(stripe.keys) != 2 || stripe.keys[0] == stripe.keys[1] {
		t.Errorf("notices %d, gateway keys %v", w.count(t, "outbox", "template = 'refund_issued'"), stripe.keys)
	}
	// Stripe's webhook for our own refund finds it recorded.
	refundRow, _ := w.app.FindFirstRecordByFilter("payments", "kind = 'refund' && amount = 500")
	_, applied, err := payments.RecordGatewayRefund(ctx, w.app, "stripe", refundRow.GetString("gateway_id"), "pi_paid", money.MustNew(500, "USD"), time.Now())
	if err != nil || applied {
		t.Errorf("webhook for our own refund: applied %v err %v", applied, err)
	}
}

func TestFailedRefundChangesNothing(t *testing.T) {
	w, paymentID := paidWorld(t)
	refunders := map[string]payments.Refunder{"stripe": &fakeRefunder{fail: true}}
	if _, err := payments.Refund(ctx, w.app, refunders, payments.RefundRequest{PaymentID: paymentID, Amount: 1700}); err == nil {
		t.Fatal("a gateway failure was reported as success")
	}
	inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id)
	if inv.Status() != ledger.StatusPaid || w.count(t, "credit_notes", "") != 0 {
		t.Errorf("after a failed refund: %s, %d credit notes", inv.Status(), w.count(t, "credit_notes", ""))
	}
	// A failed refund reserves nothing: the full amount can still be refunded.
	refunders["stripe"] = &fakeRefunder{}
	if _, err := payments.Refund(ctx, w.app, refunders, payments.RefundRequest{PaymentID: paymentID, Amount: 1700}); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentRefundsNeverExceedThePayment(t *testing.T) {
	w, paymentID := paidWorld(t)
	refunders := map[string]payments.Refunder{"stripe": &fakeRefunder{}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := payments.Refund(ctx, w.app, refunders, payments.RefundRequest{PaymentID: paymentID, Amount: 500}); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 3 {
		t.Errorf("%d refunds of 5.00 from a 17.00 payment went through, want 3", ok)
	}
}

func TestRefundOfUnknownPaymentIsRefused(t *testing.T) {
	w, _ := paidWorld(t)
	if _, _, err := payments.RecordGatewayRefund(ctx, w.app, "stripe", "re_x", "pi_unknown", money.MustNew(100, "USD"), time.Now()); !errors.Is(err, payments.ErrInvalid) {
		t.Errorf("refund before its charge: %v", err)
	}
}
