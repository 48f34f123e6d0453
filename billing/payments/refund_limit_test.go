package payments_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/cancellation"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/payments"
)

// TestRefundNeverReturnsWhatCreditReturned: money returned as credit (an
// overpayment, the unused time of a cancellation) is not refunded in cash
// as well; staff are told the most they may refund, and the books stay
// whole.
func TestRefundNeverReturnsWhatCreditReturned(t *testing.T) {
	tests := []struct {
		name   string
		charge int64 // paid on the 17.00 invoice
		cancel bool  // staff cancel now, with credit, half-way through the month
		want   func(credit int64) int64
		why    string
	}{
		{name: "an overpayment became credit", charge: 2500, want: func(int64) int64 { return 1700 }, why: "paid on the invoice"},
		{name: "unused time given back as credit", charge: 1700, cancel: true,
			// R ≤ total − ⌈credit × total / period value⌉ keeps the period's
			// share of what stays paid at least the credit it gave back.
			want: func(credit int64) int64 { return 1700 - (credit*1700+1199)/1200 }, why: "given back as credit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			charge, _, err := w.pay(t, "pi_"+strings.ReplaceAll(tt.name, " ", "_"), tt.charge, "USD")
			if err != nil {
				t.Fatal(err)
			}
			var credit int64
			if tt.cancel {
				svc, err := w.app.FindRecordById("services", w.order.Service.Id)
				if err != nil {
					t.Fatal(err)
				}
				sub, _ := w.app.FindRecordById("subscriptions", w.order.Subscription.Id)
				start, end := sub.GetDateTime("current_period_start").Time(), sub.GetDateTime("current_period_end").Time()
				res, err := cancellation.Cancel(ctx, w.app, svc, cancellation.Request{When: cancellation.Immediately, Credit: true},
					true, start.Add(end.Sub(start)/2))
				if err != nil {
					t.Fatal(err)
				}
				if credit = res.Credit; credit <= 0 {
					t.Fatalf("cancellation credit %d", credit)
				}
			}
			most := tt.want(credit)
			refund := func(amount int64) error {
				_, err := payments.Refund(ctx, w.app, map[string]payments.Refunder{"stripe": &fakeRefunder{}},
					payments.RefundRequest{PaymentID: charge.Id, Amount: amount, Reason: "asked"})
				return err
			}
			err = refund(tt.charge)
			if !errors.Is(err, payments.ErrInvalid) || !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("refund of the whole charge: want ErrInvalid naming %q, got %v", tt.why, err)
			}
			if err := refund(most + 1); !errors.Is(err, payments.ErrInvalid) {
				t.Fatalf("refund of %d, above %d: want ErrInvalid, got %v", most+1, most, err)
			}
			if n := w.count(t, "payments", "kind = 'refund'"); n != 0 {
				t.Fatalf("refused refunds left %d rows", n)
			}
			if err := refund(most); err != nil {
				t.Fatalf("refund of %d: %v", most, err)
			}
			inv, _ := ledger.FindInvoice(w.app, w.order.Invoice.Id)
			if inv.GetInt64("amount_refunded") != most {
				t.Errorf("refunded %d, want %d", inv.GetInt64("amount_refunded"), most)
			}
			report, err := ledgercheck.RunAt(w.app, time.Now().UTC())
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range report.Violations {
				t.Errorf("ledger check: %s", v)
			}
		})
	}
}
