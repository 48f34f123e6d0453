package renewals_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// upcomingWorld is a monthly plan at 10.00 and subscriptions made directly,
// in their current period Mar 1 – Apr 1 2026, billed until Apr 1.
type upcomingWorld struct {
	app         core.App
	plan, price *core.Record
}

var upcomingAnchor = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func (w *upcomingWorld) sub(t *testing.T, customer *core.Record, fields map[string]any) (sub, svc *core.Record) {
	t.Helper()
	data := map[string]any{
		"customer": customer.Id, "plan": w.plan.Id, "plan_price": w.price.Id, "status": "active", "cycle": "monthly",
		"currency": customer.GetString("currency"), "amount": 1000, "anchor_at": upcomingAnchor,
		"current_period_start": upcomingAnchor, "current_period_end": upcomingAnchor.AddDate(0, 1, 0), "billed_until": upcomingAnchor.AddDate(0, 1, 0),
	}
	for k, v := range fields {
		data[k] = v
	}
	sub = testutil.Create(t, w.app, "subscriptions", data)
	svc = testutil.Create(t, w.app, "services", map[string]any{
		"customer": customer.Id, "plan": w.plan.Id, "subscription": sub.Id, "service_type": "vps", "platform": "virtfusion",
		"status": "active", "label": "box-" + sub.Id,
	})
	return sub, svc
}

// TestUpcomingIsWhatRenewalBills prices each customer's next charges: a
// running coupon, an expired one, a staff price override, a cancellation
// at period end and tax in the customer's country, and compares them with
// the invoices the renewal run then issues. Another customer's
// subscriptions never appear.
func TestUpcomingIsWhatRenewalBills(t *testing.T) {
	app := testutil.NewApp(t)
	rec, err := settings.Record(app)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("tax_enabled", true)
	rec.Set("company_country", "US")
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	testutil.Create(t, app, "tax_rates", map[string]any{"name": "VAT 20%", "country": "GB", "rate": 20000, "active": true})
	plan := testutil.Create(t, app, "plans", map[string]any{"name": "VPS", "slug": "vps", "service_type": "vps", "platform": "virtfusion", "status": "active"})
	price := testutil.Create(t, app, "plan_prices", map[string]any{"plan": plan.Id, "currency": "USD", "cycle": "monthly", "amount": 1000, "active": true})
	w := &upcomingWorld{app: app, plan: plan, price: price}
	ten := testutil.Create(t, app, "coupons", map[string]any{"code": "TEN", "kind": "percent", "percent_off": 10, "duration": "forever", "active": true})
	first := testutil.Create(t, app, "coupons", map[string]any{"code": "FIRST", "kind": "percent", "percent_off": 50, "duration": "repeating", "duration_cycles": 1, "active": true})

	a := testutil.Customer(t, app, "a@example.com", "USD")
	b := testutil.Customer(t, app, "b@example.com", "USD")
	b.Set("country", "GB")
	if err := app.Save(b); err != nil {
		t.Fatal(err)
	}

	_, couponSvc := w.sub(t, a, map[string]any{"coupon": ten.Id})
	_, expiredSvc := w.sub(t, a, map[string]any{"coupon": first.Id, "coupon_cycles_used": 1})
	_, overrideSvc := w.sub(t, a, map[string]any{"amount": 750})
	_, cancelSvc := w.sub(t, a, map[string]any{"cancel_at_period_end": true})
	_, taxedSvc := w.sub(t, b, nil)

	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	issue := upcomingAnchor.AddDate(0, 1, -7) // April 1 less the 7 lead days of a monthly cycle
	type want struct {
		kind   string
		amount int64 // -1: none
		tax    int64
		taxed  bool
	}
	for _, tc := range []struct {
		customer *core.Record
		want     map[string]want
		totals   map[string]int64
	}{
		{a, map[string]want{
			couponSvc.Id:   {renewals.UpcomingRenewal, 900, 0, false},
			expiredSvc.Id:  {renewals.UpcomingRenewal, 1000, 0, false},
			overrideSvc.Id: {renewals.UpcomingRenewal, 750, 0, false},
			cancelSvc.Id:   {renewals.UpcomingEnding, -1, 0, false},
		}, map[string]int64{"USD": 2650}},
		{b, map[string]want{taxedSvc.Id: {renewals.UpcomingRenewal, 1200, 200, true}}, map[string]int64{"USD": 1200}},
	} {
		got, err := renewals.Upcoming(app, tc.customer.Id, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Charges) != len(tc.want) {
			t.Fatalf("%s: %d charges, want %d: %+v", tc.customer.Email(), len(got.Charges), len(tc.want), got.Charges)
		}
		for _, ch := range got.Charges {
			wt, ok := tc.want[ch.Service]
			if !ok {
				t.Fatalf("%s sees service %s, not theirs", tc.customer.Email(), ch.Service)
			}
			amount := int64(-1)
			if ch.Amount != nil {
				amount = *ch.Amount
			}
			if ch.Kind != wt.kind || amount != wt.amount || ch.Tax != wt.tax || ch.TaxIncluded != wt.taxed || ch.Currency != "USD" {
				t.Errorf("service %s: got %+v amount %d, want %+v", ch.Service, ch, amount, wt)
			}
			if wt.kind == renewals.UpcomingRenewal && !ch.Date.Equal(issue) {
				t.Errorf("service %s: invoiced %v, want %v", ch.Service, ch.Date, issue)
			}
			if wt.kind == renewals.UpcomingEnding && !ch.Date.Equal(upcomingAnchor.AddDate(0, 1, 0)) {
				t.Errorf("ending service %s: ends %v, want Apr 1", ch.Service, ch.Date)
			}
		}
		if len(got.Totals) != len(tc.totals) || got.Totals["USD"] != tc.totals["USD"] {
			t.Errorf("%s totals %v, want %v", tc.customer.Email(), got.Totals, tc.totals)
		}
	}

	// The run bills exactly what was announced, per service.
	run(t, app, issue)
	billed := map[string]int64{}
	items, err := app.FindAllRecords("invoice_items")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		billed[it.GetString("service")] += it.GetInt64("amount") + it.GetInt64("tax_amount")
	}
	for svc, amount := range map[string]int64{couponSvc.Id: 900, expiredSvc.Id: 1000, overrideSvc.Id: 750, taxedSvc.Id: 1200, cancelSvc.Id: 0} {
		if billed[svc] != amount {
			t.Errorf("renewal billed service %s %d, announced %d", svc, billed[svc], amount)
		}
	}
}
