package renewals_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A subscription cancelled at period end after its renewal was issued
// ends at the roll-over: its service is queued for termination, and the
// renewal stops asking for the period that will not be served.
func TestRolloverEndsSubscriptionsCancelledAtPeriodEnd(t *testing.T) {
	cases := []struct {
		name      string
		combined  bool // another subscription of the customer renews on the same invoice
		paid      bool
		status    string // of the renewal invoice after the roll-over
		total     int64
		credit    int64
		otherLine bool
	}{
		{name: "alone, open: voided", status: ledger.StatusVoid, total: 1000},
		{name: "combined, open: only the other's line stays", combined: true, status: ledger.StatusOpen, total: 1000, otherLine: true},
		{name: "alone, paid: its paid value is credited", paid: true, status: ledger.StatusPaid, total: 1000, credit: 1000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			c := testutil.Customer(t, w.app, "a@example.com", "USD")
			sub := w.subscribe(t, c, "")
			var other *core.Record
			if tc.combined {
				other = w.subscribe(t, c, "")
			}
			run(t, w.app, time.Date(2026, 2, 22, 6, 0, 0, 0, time.UTC))
			invs := renewalInvoices(t, w.app)
			if len(invs) != 1 {
				t.Fatalf("%d renewal invoices", len(invs))
			}
			inv := ledger.AsInvoice(invs[0])
			if tc.paid {
				err := w.app.RunInTransaction(func(tx core.App) error {
					_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayManual,
						Amount: money.MustNew(inv.AmountDue(), "USD")})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			// The customer's flag, set after the renewal was issued.
			sub, _ = w.app.FindRecordById("subscriptions", sub.Id)
			sub.Set("cancel_at_period_end", true)
			if err := w.app.Save(sub); err != nil {
				t.Fatal(err)
			}

			res := run(t, w.app, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
			if res.Cancelled != 1 {
				t.Errorf("cancelled %d", res.Cancelled)
			}
			sub, _ = w.app.FindRecordById("subscriptions", sub.Id)
			if sub.GetString("status") != "cancelled" {
				t.Errorf("subscription %s", sub.GetString("status"))
			}
			svc, err := w.app.FindFirstRecordByFilter("services", "subscription = {:s}", map[string]any{"s": sub.Id})
			if err != nil {
				t.Fatal(err)
			}
			if jobs, _ := w.app.FindRecordsByFilter("provisioning_jobs", "service = {:s} && action = 'terminate'", "", 0, 0, map[string]any{"s": svc.Id}); len(jobs) != 1 {
				t.Errorf("%d terminations queued for the cancelled service, want 1", len(jobs))
			}
			inv, _ = ledger.FindInvoice(w.app, inv.Id)
			if inv.Status() != tc.status || inv.Total() != tc.total {
				t.Errorf("renewal invoice %s total %d, want %s %d", inv.Status(), inv.Total(), tc.status, tc.total)
			}
			if tc.combined {
				items, _ := ledger.Items(w.app, inv.Id)
				if len(items) != 1 || items[0].GetString("subscription") != other.Id || inv.AmountDue() != 1000 {
					t.Errorf("combined renewal keeps %d lines, due %d; want only the other subscription's", len(items), inv.AmountDue())
				}
			}
			if bal, _ := ledger.Balance(w.app, c.Id, "USD"); bal != tc.credit {
				t.Errorf("credit %d, want %d", bal, tc.credit)
			}
			// A later run changes nothing more.
			run(t, w.app, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
			if bal, _ := ledger.Balance(w.app, c.Id, "USD"); bal != tc.credit {
				t.Errorf("credit after a second run %d, want %d", bal, tc.credit)
			}
		})
	}
}
