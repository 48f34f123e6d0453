package payments_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/webhooks"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// idempotentGateway refunds once per idempotency key, as Stripe and PayPal
// do, and can lose its first answer or refuse.
type idempotentGateway struct {
	mu        sync.Mutex
	byKey     map[string]string // idempotency key → refund id
	calls     int
	loseFirst bool  // the refund is made but the first answer never arrives
	refuse    error // a definite refusal
	during    func(refundID string, amount money.Amount)
}

func (g *idempotentGateway) Refund(_ context.Context, req gateway.RefundRequest) (gateway.RefundResult, error) {
	g.mu.Lock()
	g.calls++
	calls := g.calls
	if g.refuse != nil {
		g.mu.Unlock()
		return gateway.RefundResult{}, g.refuse
	}
	if g.byKey == nil {
		g.byKey = map[string]string{}
	}
	id, seen := g.byKey[req.IdempotencyKey]
	if !seen {
		id = fmt.Sprintf("RF%d", len(g.byKey)+1)
		g.byKey[req.IdempotencyKey] = id
	}
	g.mu.Unlock()
	if !seen && g.during != nil {
		g.during(id, req.Amount)
	}
	if g.loseFirst && calls == 1 {
		return gateway.RefundResult{}, fmt.Errorf("paypal: %w", context.DeadlineExceeded)
	}
	return gateway.RefundResult{GatewayID: id, Status: gateway.StatusSucceeded}, nil
}

func (g *idempotentGateway) refunds() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.byKey)
}

// paidByPayPal is newWorld's 17.00 USD invoice paid by PayPal capture CAP1.
func paidByPayPal(t *testing.T) (*world, *core.Record) {
	t.Helper()
	w := newWorld(t)
	var charge *core.Record
	err := w.app.RunInTransaction(func(tx core.App) error {
		var err error
		charge, _, err = payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: w.order.Invoice.Id, Gateway: payments.GatewayPayPal,
			GatewayID: "CAP1", Amount: money.MustNew(1700, "USD")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w, charge
}

// captureRefunded is PayPal's PAYMENT.CAPTURE.REFUNDED for refund id of capture.
func captureRefunded(eventID, id, capture string, amount money.Amount) gateway.Event {
	body := fmt.Sprintf(`{"id":%q,"event_type":"PAYMENT.CAPTURE.REFUNDED","create_time":"2026-01-01T00:00:00Z","resource":{
		"id":%q,"status":"COMPLETED","amount":{"currency_code":%q,"value":%q},
		"links":[{"rel":"up","href":"https://api-m.paypal.com/v2/payments/captures/%s"}]}}`,
		eventID, id, amount.Currency, amount.FormatDecimal(), capture)
	return gateway.Event{ID: eventID, Type: "PAYMENT.CAPTURE.REFUNDED", Payload: []byte(body)}
}

func TestRefundWebhookBeforeOurAnswerSettlesOneRow(t *testing.T) {
	for _, amount := range []int64{500, 1700} {
		t.Run(fmt.Sprint(amount), func(t *testing.T) {
			w, charge := paidByPayPal(t)
			var webhook webhooks.Outcome
			pp := &idempotentGateway{during: func(id string, a money.Amount) {
				// PayPal's webhook is processed before its answer reaches us.
				var err error
				webhook, err = webhooks.Receive(w.app, "paypal", captureRefunded("WH-"+id, id, "CAP1", a), webhooks.HandlePayPal)
				if err != nil {
					t.Errorf("webhook: %v", err)
				}
			}}
			refund, err := payments.Refund(ctx, w.app, map[string]payments.Refunder{"paypal": pp},
				payments.RefundRequest{PaymentID: charge.Id, Amount: amount, Reason: "customer asked"})
			if err != nil {
				t.Fatalf("refund (the staff route answers 502 for this): %v", err)
			}
			if refund.GetString("status") != "succeeded" || refund.GetString("gateway_id") != "RF1" {
				t.Errorf("refund row: %s %q", refund.GetString("status"), refund.GetString("gateway_id"))
			}
			if webhook.Status != webhooks.StatusProcessed {
				t.Errorf("webhook: %s, want processed", webhook.Status)
			}
			if n := w.count(t, "payments", "kind = 'refund'"); n != 1 {
				t.Errorf("%d refund rows for one refund", n)
			}
			inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id)
			if inv.GetInt64("amount_refunded") != amount || w.count(t, "credit_notes", "") != 1 {
				t.Errorf("invoice refunded %d (want %d), %d credit notes", inv.GetInt64("amount_refunded"), amount, w.count(t, "credit_notes", ""))
			}
			// The redelivered webhook changes nothing.
			again, err := webhooks.Receive(w.app, "paypal", captureRefunded("WH-again", "RF1", "CAP1", money.MustNew(amount, "USD")), webhooks.HandlePayPal)
			if err != nil || w.count(t, "payments", "kind = 'refund'") != 1 {
				t.Errorf("second delivery: %v %v, %d rows", again.Status, err, w.count(t, "payments", "kind = 'refund'"))
			}
		})
	}
}

func TestAmbiguousRefundStaysReservedAndRetriesOnce(t *testing.T) {
	w, charge := paidByPayPal(t)
	pp := &idempotentGateway{loseFirst: true}
	refunders := map[string]payments.Refunder{"paypal": pp}
	refund, err := payments.Refund(ctx, w.app, refunders, payments.RefundRequest{PaymentID: charge.Id, Amount: 500, Reason: "late"})
	if !errors.Is(err, payments.ErrRefundPending) {
		t.Fatalf("a lost answer: %v, want ErrRefundPending", err)
	}
	if refund == nil || refund.GetString("status") != "pending" {
		t.Fatalf("after a lost answer the refund is %v, want pending", refund)
	}
	// The reservation holds: 12.01 more would exceed what is left.
	if _, err := payments.Refund(ctx, w.app, refunders, payments.RefundRequest{PaymentID: charge.Id, Amount: 1201}); !errors.Is(err, payments.ErrInvalid) {
		t.Errorf("refund beyond the reservation: %v, want ErrInvalid", err)
	}
	// Not yet due: the first call may still be on its way.
	if res, err := payments.RetryPendingRefunds(ctx, w.app, refunders, time.Now().UTC()); err != nil || res != (payments.RefundRetry{}) {
		t.Errorf("early retry: %+v %v", res, err)
	}
	later := time.Now().UTC().Add(payments.RefundRetryAfter + time.Second)
	if res, err := payments.RetryPendingRefunds(ctx, w.app, refunders, later); err != nil || res.Settled != 1 {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if res, err := payments.RetryPendingRefunds(ctx, w.app, refunders, later.Add(time.Hour)); err != nil || res != (payments.RefundRetry{}) {
		t.Errorf("retry after settling: %+v %v", res, err)
	}
	settled, _ := w.app.FindRecordById("payments", refund.Id)
	inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id)
	if settled.GetString("status") != "succeeded" || settled.GetString("gateway_id") != "RF1" || pp.refunds() != 1 {
		t.Errorf("settled %s %q, gateway refunds %d", settled.GetString("status"), settled.GetString("gateway_id"), pp.refunds())
	}
	if inv.GetInt64("amount_refunded") != 500 || w.count(t, "credit_notes", "") != 1 || w.count(t, "outbox", "template = 'refund_issued'") != 1 {
		t.Errorf("invoice refunded %d, %d credit notes, %d notices", inv.GetInt64("amount_refunded"), w.count(t, "credit_notes", ""),
			w.count(t, "outbox", "template = 'refund_issued'"))
	}
}

func TestDefiniteRefusalFailsAndFreesTheReservation(t *testing.T) {
	cases := []struct {
		name string
		gw   payments.Refunder
	}{
		{"refused", &idempotentGateway{refuse: gateway.Refusal(errors.New("paypal: 422 REFUND_AMOUNT_EXCEEDED"))}},
		{"answered failed", failedRefunder{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, charge := paidByPayPal(t)
			refund, err := payments.Refund(ctx, w.app, map[string]payments.Refunder{"paypal": tc.gw}, payments.RefundRequest{PaymentID: charge.Id, Amount: 1700})
			if err == nil || errors.Is(err, payments.ErrRefundPending) {
				t.Fatalf("a refusal: %v", err)
			}
			if refund.GetString("status") != "failed" {
				t.Errorf("refused refund is %s", refund.GetString("status"))
			}
			later := time.Now().UTC().Add(payments.RefundRetryAfter + time.Second)
			if res, err := payments.RetryPendingRefunds(ctx, w.app, nil, later); err != nil || res != (payments.RefundRetry{}) {
				t.Errorf("a failed refund was retried: %+v %v", res, err)
			}
			ok := &idempotentGateway{}
			if _, err := payments.Refund(ctx, w.app, map[string]payments.Refunder{"paypal": ok}, payments.RefundRequest{PaymentID: charge.Id, Amount: 1700}); err != nil {
				t.Errorf("the full amount after a refusal: %v", err)
			}
		})
	}
}

type failedRefunder struct{}

func (failedRefunder) Refund(context.Context, gateway.RefundRequest) (gateway.RefundResult, error) {
	return gateway.RefundResult{GatewayID: "RF-declined", Status: gateway.StatusFailed}, nil
}
