package planchange_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/planchange"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/internal/testutil"
)

// trialService orders price with a 14-day trial coupon at start: nothing
// to pay, so the order is active at once; the service is made active as
// provisioning would.
func (w *world) trialService(t *testing.T, price *core.Record) *core.Record {
	t.Helper()
	testutil.Create(t, w.app, "coupons", map[string]any{"code": "TRIAL14", "kind": "trial", "trial_days": 14, "duration": "once", "active": true})
	res, err := orders.Place(ctx, w.app, w.customer, orders.Request{PlanPrice: price.Id, Coupon: "TRIAL14"}, orders.By{}, start)
	if err != nil {
		t.Fatal(err)
	}
	if res.Invoice.Status() != ledger.StatusPaid {
		t.Fatalf("trial invoice is %s", res.Invoice.Status())
	}
	svc, _ := w.app.FindRecordById("services", res.Service.Id)
	svc.Set("status", "active")
	if err := w.app.Save(svc); err != nil {
		t.Fatal(err)
	}
	return svc
}

// A plan change during the trial neither charges nor credits the free
// days: it applies at once, and the new price is what the first renewal,
// at the trial's end, bills.
func TestPlanChangeDuringTrial(t *testing.T) {
	trialEnd := start.AddDate(0, 0, 14)
	tests := []struct {
		name       string
		from, to   func(*world) *core.Record
		wantAmount int64
	}{
		{"upgrade", func(w *world) *core.Record { return w.small }, func(w *world) *core.Record { return w.large }, 2000},
		{"downgrade", func(w *world) *core.Record { return w.huge }, func(w *world) *core.Record { return w.small }, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			svc := w.trialService(t, tt.from(w))
			at := start.Add(5 * 24 * time.Hour)
			out := w.change(t, svc, tt.to(w), at)
			q := out.Quote
			if !q.Trial || q.Net != 0 || q.Total != 0 || q.Credit != 0 || q.Charge != 0 || out.Invoice != nil || out.Credit != 0 || !out.Applied {
				t.Fatalf("change during the trial: %+v, outcome %+v", q, out)
			}
			if bal, err := ledger.Balance(w.app, w.customer.Id, "USD"); err != nil || bal != 0 {
				t.Fatalf("credit %d (%v), want none", bal, err)
			}
			sub := w.subscription(t, svc)
			if sub.GetString("plan_price") != tt.to(w).Id || sub.GetInt64("amount") != tt.wantAmount ||
				!sub.GetDateTime("billed_until").Time().Equal(trialEnd) {
				t.Fatalf("subscription price %s amount %d billed_until %v", sub.GetString("plan_price"), sub.GetInt64("amount"), sub.GetDateTime("billed_until"))
			}
			if _, err := renewals.Run(w.app, renewals.Options{Now: trialEnd}); err != nil {
				t.Fatal(err)
			}
			recs, err := w.app.FindRecordsByFilter("invoices", "purpose = 'renewal'", "", 0, 0)
			if err != nil || len(recs) != 1 || recs[0].GetInt64("total") != tt.wantAmount {
				t.Fatalf("renewals %v (%v), want one of %d", recs, err, tt.wantAmount)
			}
			// After the trial, changes are prorated as usual.
			q2, err := planchange.QuoteChange(w.app, svc, tt.from(w).Id, trialEnd.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if q2.Trial {
				t.Fatal("a quote after the trial says trial")
			}
		})
	}
}
