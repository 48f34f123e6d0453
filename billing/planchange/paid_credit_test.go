package planchange_test

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/planchange"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A downgrade credits what was paid for the time given up, scaled by the
// share of the price given up; the quote shows that credit, the entry
// names the span, and a second downgrade of the same time credits only
// what is left of it.
func TestDowngradeCreditIsPaidValue(t *testing.T) {
	w := newWorld(t)
	testutil.Create(t, w.app, "coupons", map[string]any{"code": "HALF", "kind": "percent", "percent_off": 50, "duration": "forever", "active": true})
	res, err := orders.Place(ctx, w.app, w.customer, orders.Request{PlanPrice: w.huge.Id, Coupon: "HALF"}, orders.By{}, start)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := ledger.FindInvoice(w.app, res.Invoice.Id)
	inv.Set("status", ledger.StatusPaid) // 20.00 paid for a 40.00 month
	if err := w.app.Save(inv); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"subscriptions", "services"} {
		id := res.Subscription.Id
		if r == "services" {
			id = res.Service.Id
		}
		rec, _ := w.app.FindRecordById(r, id)
		rec.Set("status", "active")
		if err := w.app.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
	svc, _ := w.app.FindRecordById("services", res.Service.Id)

	// Half-way, 40.00 → 20.00: 10.00 was paid for the rest, half of it is given up.
	q, err := planchange.QuoteChange(w.app, svc, w.large.Id, half)
	if err != nil {
		t.Fatal(err)
	}
	out, err := planchange.Apply(ctx, w.app, q)
	if err != nil {
		t.Fatal(err)
	}
	if q.Credit != 500 || out.Credit != 500 || q.Total != -500 || q.Kind != planchange.KindDowngrade {
		t.Errorf("quote credit %d total %d, applied %d: want 500", q.Credit, q.Total, out.Credit)
	}
	entry, err := w.app.FindFirstRecordByFilter("credit_entries", "reason = 'downgrade'", dbx.Params{})
	if err != nil {
		t.Fatal(err)
	}
	if entry.GetString("subscription") != res.Subscription.Id || !entry.GetDateTime("period_start").Time().Equal(half) ||
		!entry.GetDateTime("period_end").Time().Equal(start.AddDate(0, 1, 0)) {
		t.Errorf("credit entry span: %v", entry.FieldsData())
	}

	// A quarter later, 20.00 → 10.00: 2.50 of the 5.00 paid for the last quarter is left.
	q, err = planchange.QuoteChange(w.app, svc, w.small.Id, half.Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if q.Credit != 125 {
		t.Errorf("second downgrade credit %d, want 125", q.Credit)
	}
}

// A quote accepted before the subscription changed is refused, and
// nothing is written.
func TestStaleQuoteRefused(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, w.huge)
	first, err := planchange.QuoteChange(w.app, svc, w.large.Id, half)
	if err != nil {
		t.Fatal(err)
	}
	second, err := planchange.QuoteChange(w.app, svc, w.small.Id, half)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := planchange.Apply(ctx, w.app, first); err != nil {
		t.Fatal(err)
	}
	before, _ := ledger.Balance(w.app, w.customer.Id, "USD")
	if _, err := planchange.Apply(ctx, w.app, second); !isCode(err, "subscription_changed") {
		t.Fatalf("stale quote: %v", err)
	}
	if after, _ := ledger.Balance(w.app, w.customer.Id, "USD"); after != before || w.subscription(t, svc).GetString("plan_price") != w.large.Id {
		t.Errorf("the refused change wrote: balance %d → %d", before, after)
	}
}
