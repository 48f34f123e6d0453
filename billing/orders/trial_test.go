package orders_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/coupon"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/testutil"
)

var trialNow = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

// trialCoupon creates an active 14-day trial coupon; extra overrides fields.
func trialCoupon(t *testing.T, app core.App, code string, extra map[string]any) *core.Record {
	t.Helper()
	data := map[string]any{"code": code, "kind": "trial", "trial_days": 14, "duration": "once", "active": true}
	for k, v := range extra {
		data[k] = v
	}
	return testutil.Create(t, app, "coupons", data)
}

// A trial order charges nothing: its invoice is zero and paid at once, so
// the service is queued for creation as for a paid order, and the
// subscription is billed until the trial's end, from which its periods
// count.
func TestTrialOrder(t *testing.T) {
	app := testutil.NewApp(t)
	_, price := testutil.Plan(t, app, "trial-vps", "EUR", 1500)
	cpn := trialCoupon(t, app, "TRY14", nil)
	customer := testutil.Customer(t, app, "trial@example.com", "EUR")
	req := orders.Request{PlanPrice: price.Id, Coupon: "try14"}

	q, err := orders.Quote(context.Background(), app, customer, req, orders.By{}, trialNow)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 12, 21, 9, 30, 0, 0, time.UTC)
	if q.Renews != "Free for 14 days, then €15.00 monthly" || q.TrialDays != 14 || q.TrialEnd == nil || !q.TrialEnd.Equal(end) {
		t.Fatalf("quote renews %q, trial %d days until %v", q.Renews, q.TrialDays, q.TrialEnd)
	}
	if q.Invoice.GetInt64("total") != 0 || q.Invoice.GetString("status") != ledger.StatusPaid {
		t.Fatalf("quoted invoice %s total %d, want a paid zero invoice", q.Invoice.GetString("status"), q.Invoice.GetInt64("total"))
	}

	res, err := orders.Place(context.Background(), app, customer, req, orders.By{}, trialNow)
	if err != nil {
		t.Fatal(err)
	}
	inv := res.Invoice
	if inv.Status() != ledger.StatusPaid || inv.GetInt64("total") != 0 || inv.Number() == "" {
		t.Fatalf("invoice %s %q total %d, want a numbered paid zero invoice", inv.Status(), inv.Number(), inv.GetInt64("total"))
	}
	items, err := ledger.Items(app, inv.Id)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].GetString("kind") != ledger.KindPeriod || items[0].GetInt64("amount") != 0 ||
		!items[0].GetDateTime("period_start").Time().Equal(trialNow) || !items[0].GetDateTime("period_end").Time().Equal(end) {
		t.Fatalf("lines %v, want one free period line for the trial", items)
	}
	if got := ledger.LineRenewalLabel(app, inv, items[0]); got != "Free for 14 days, then €15.00 monthly" {
		t.Fatalf("line renews %q", got)
	}
	sub, err := subscriptions.Find(app, res.Subscription.Id)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Status() != subscriptions.StatusActive || !sub.TrialEnd().Time().Equal(end) || !sub.BilledUntil().Time().Equal(end) ||
		!sub.AnchorAt().Time().Equal(end) || !sub.CurrentPeriodEnd().Time().Equal(end) || sub.CouponID() != "" {
		t.Fatalf("subscription %s trial_end %v billed_until %v anchor %v period_end %v coupon %q", sub.Status(), sub.TrialEnd(),
			sub.BilledUntil(), sub.AnchorAt(), sub.CurrentPeriodEnd(), sub.CouponID())
	}
	if !sub.InTrial(end.Add(-time.Second)) || sub.InTrial(end) {
		t.Fatal("InTrial does not end at the trial's end")
	}
	jobs, err := app.CountRecords("provisioning_jobs", dbx.HashExp{"service": res.Service.Id, "action": "create"})
	if err != nil || jobs != 1 {
		t.Fatalf("%d create jobs (%v), want 1", jobs, err)
	}
	if res.Order.GetString("coupon") != cpn.Id {
		t.Fatal("the order does not name its trial coupon")
	}
	uses, err := app.FindAllRecords("coupon_redemptions", dbx.HashExp{"coupon": cpn.Id})
	if err != nil || len(uses) != 1 || uses[0].GetInt64("amount_off") != 0 || uses[0].GetString("invoice") != inv.Id {
		t.Fatalf("redemptions %v (%v), want one of 0 naming the invoice", uses, err)
	}
	checkLedger(t, app)
}

// Each refusal names its reason in the coupon error style and writes
// nothing.
func TestTrialRefusals(t *testing.T) {
	app := testutil.NewApp(t)
	plan, monthly := testutil.Plan(t, app, "trial-ref", "EUR", 1500)
	annual := testutil.Create(t, app, "plan_prices", map[string]any{"plan": plan.Id, "currency": "EUR", "cycle": "annual", "amount": 15000, "active": true})
	hourly := testutil.Create(t, app, "plan_prices", map[string]any{"plan": plan.Id, "currency": "EUR", "cycle": "hourly", "amount": 3, "active": true})
	otherPlan, _ := testutil.Plan(t, app, "trial-other", "EUR", 900)
	_, withSetup := testutil.Plan(t, app, "trial-setup", "EUR", 1500)
	withSetup.Set("setup_fee", 2000)
	if err := app.Save(withSetup); err != nil {
		t.Fatal(err)
	}
	trialCoupon(t, app, "MONTHLY", map[string]any{"cycles": []string{"monthly"}})
	trialCoupon(t, app, "OTHERPLAN", map[string]any{"plans": []string{otherPlan.Id}})
	trialCoupon(t, app, "OLD", map[string]any{"expires_at": trialNow.Add(-time.Hour)})
	trialCoupon(t, app, "OFF", map[string]any{"active": false})
	trialCoupon(t, app, "ANY", nil)
	used := trialCoupon(t, app, "ONCE", map[string]any{"once_per_customer": true})

	fresh := testutil.Customer(t, app, "fresh@example.com", "EUR")
	returning := testutil.Customer(t, app, "returning@example.com", "EUR")
	if _, err := orders.Place(context.Background(), app, returning, orders.Request{PlanPrice: monthly.Id}, orders.By{}, trialNow); err != nil {
		t.Fatal(err)
	}
	onceUser := testutil.Customer(t, app, "once@example.com", "EUR")
	_, elsewhere := testutil.Plan(t, app, "trial-elsewhere", "EUR", 700)
	if _, err := orders.Place(context.Background(), app, onceUser, orders.Request{PlanPrice: elsewhere.Id, Coupon: used.GetString("code")}, orders.By{}, trialNow); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		customer *core.Record
		price    *core.Record
		code     string
		wantCode string
		wantMsg  string
	}{
		{"cycle not allowed", fresh, annual, "MONTHLY", coupon.CodeCycleNotEligible, "coupon MONTHLY does not apply to annual billing"},
		{"plan not allowed", fresh, monthly, "OTHERPLAN", coupon.CodePlanNotEligible, "coupon OTHERPLAN does not apply to any plan on this order"},
		{"hourly", fresh, hourly, "ANY", coupon.CodeCycleNotEligible, "coupon ANY gives a free trial, which metered (hourly) billing does not have"},
		{"setup fee", fresh, withSetup, "ANY", coupon.CodeTrialNotAvailable, "coupon ANY gives a free trial, which is not offered on a plan with a setup fee"},
		{"plan had before", returning, annual, "ANY", coupon.CodeTrialNotAvailable,
			"coupon ANY gives a free trial of a new subscription, and this account has had this plan before"},
		{"once per customer", onceUser, monthly, "ONCE", coupon.CodeAlreadyUsed, "coupon ONCE can be used once per customer and was already used"},
		{"expired", fresh, monthly, "OLD", coupon.CodeExpired, "coupon OLD expired on 2026-12-07 08:30:00 UTC"},
		{"inactive", fresh, monthly, "OFF", coupon.CodeInactive, "coupon OFF is not active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := counts(t, app)
			req := orders.Request{PlanPrice: tt.price.Id, Coupon: tt.code}
			_, qerr := orders.Quote(context.Background(), app, tt.customer, req, orders.By{}, trialNow)
			_, err := orders.Place(context.Background(), app, tt.customer, req, orders.By{}, trialNow)
			for _, e := range []error{qerr, err} {
				oe, ok := e.(*orders.Error)
				if !ok || oe.Status != http.StatusBadRequest || oe.Field != "coupon" || oe.Code != tt.wantCode || oe.Message != tt.wantMsg {
					t.Fatalf("got %#v, want %s %q", e, tt.wantCode, tt.wantMsg)
				}
			}
			if after := counts(t, app); after != before {
				t.Fatalf("refused order wrote: %s -> %s", before, after)
			}
		})
	}
}

// counts is how many orders, subscriptions, invoices and coupon uses exist.
func counts(t *testing.T, app core.App) string {
	t.Helper()
	out := ""
	for _, c := range []string{"orders", "subscriptions", "invoices", "coupon_redemptions"} {
		n, err := app.CountRecords(c)
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s=%d ", c, n)
	}
	return out
}

// Orders racing for a trial coupon's last use, and one customer ordering
// the same trial twice at once, get one trial each time: the uses and the
// customer's subscriptions are counted in the order's transaction.
func TestTrialConcurrentOrders(t *testing.T) {
	app := testutil.NewApp(t)
	_, price := testutil.Plan(t, app, "trial-race", "EUR", 1500)
	trialCoupon(t, app, "LAST", map[string]any{"max_uses": 1})
	trialCoupon(t, app, "TWICE", nil)
	place := func(customers []*core.Record, code string) int {
		var ok atomic.Int32
		var wg sync.WaitGroup
		for _, c := range customers {
			wg.Go(func() {
				_, err := orders.Place(context.Background(), app, c, orders.Request{PlanPrice: price.Id, Coupon: code}, orders.By{}, trialNow)
				if err == nil {
					ok.Add(1)
				} else if oe, isOrder := err.(*orders.Error); !isOrder || oe.Field != "coupon" {
					t.Errorf("unexpected error %v", err)
				}
			})
		}
		wg.Wait()
		return int(ok.Load())
	}
	var racers []*core.Record
	for i := range 4 {
		racers = append(racers, testutil.Customer(t, app, fmt.Sprintf("racer%d@example.com", i), "EUR"))
	}
	if n := place(racers, "LAST"); n != 1 {
		t.Fatalf("%d orders got the last use, want 1", n)
	}
	same := testutil.Customer(t, app, "twice@example.com", "EUR")
	if n := place([]*core.Record{same, same, same}, "TWICE"); n != 1 {
		t.Fatalf("%d concurrent trial orders of one customer succeeded, want 1", n)
	}
	checkLedger(t, app)
}

// A wait-listed trial order starts its trial when staff approve it, with
// the same number of free days, and its zero invoice is issued paid then.
func TestApprovalStartsTheTrial(t *testing.T) {
	app := testutil.NewApp(t)
	plan, price := testutil.Plan(t, app, "dedi-trial", "USD", 9900)
	plan.Load(map[string]any{"track_stock": true, "stock": 0, "allow_waitlist": true})
	if err := app.Save(plan); err != nil {
		t.Fatal(err)
	}
	trialCoupon(t, app, "WAIT14", nil)
	customer := testutil.Customer(t, app, "waiting@example.com", "USD")
	ordered := time.Now().UTC().Truncate(time.Millisecond)
	res, err := orders.Place(context.Background(), app, customer, orders.Request{PlanPrice: price.Id, Coupon: "WAIT14"}, orders.By{}, ordered)
	if err != nil {
		t.Fatal(err)
	}
	if res.Invoice.Status() != ledger.StatusDraft {
		t.Fatalf("wait-listed trial invoice is %s", res.Invoice.Status())
	}
	setStock(t, app, plan, 1)
	approvedAt := ordered.AddDate(0, 0, 12)
	clock.Set(app, func() time.Time { return approvedAt })
	if _, err := orders.Approve(context.Background(), app, res.Order.Id, staff); err != nil {
		t.Fatal(err)
	}
	sub, err := subscriptions.Find(app, res.Subscription.Id)
	if err != nil {
		t.Fatal(err)
	}
	end := approvedAt.AddDate(0, 0, 14)
	line, err := app.FindFirstRecordByFilter(ledger.ItemsCollection, "invoice = {:i} && kind = 'period'", dbx.Params{"i": res.Invoice.Id})
	if err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string]time.Time{
		"trial end": sub.TrialEnd().Time(), "billed until": sub.BilledUntil().Time(), "anchor": sub.AnchorAt().Time(),
		"line period end": line.GetDateTime("period_end").Time(),
	} {
		if !got.Equal(end) {
			t.Errorf("%s %v, want %v", what, got, end)
		}
	}
	if !sub.CurrentPeriodStart().Time().Equal(approvedAt) || !line.GetDateTime("period_start").Time().Equal(approvedAt) {
		t.Errorf("trial starts %v (line %v), want the approval %v", sub.CurrentPeriodStart(), line.GetDateTime("period_start"), approvedAt)
	}
	inv, err := ledger.FindInvoice(app, res.Invoice.Id)
	if err != nil || inv.Status() != ledger.StatusPaid || inv.Total() != 0 {
		t.Fatalf("approved trial invoice %v (%v), want paid 0", inv, err)
	}
	checkLedger(t, app)
}

// A trial coupon cannot be attached to an existing subscription (staff
// editing it in the dashboard): a trial is a new subscription's first
// period. A money coupon still can.
func TestTrialCouponOnExistingSubscription(t *testing.T) {
	app := testutil.NewApp(t)
	_, price := testutil.Plan(t, app, "trial-existing", "EUR", 1500)
	trialCoupon(t, app, "LATE14", nil)
	off := testutil.Create(t, app, "coupons", map[string]any{"code": "TENOFF", "kind": "percent", "percent_off": 10, "duration": "forever", "active": true})
	customer := testutil.Customer(t, app, "existing@example.com", "EUR")
	res, err := orders.Place(context.Background(), app, customer, orders.Request{PlanPrice: price.Id}, orders.By{}, trialNow)
	if err != nil {
		t.Fatal(err)
	}
	late, err := ledger.FindCoupon(app, "LATE14")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		coupon  *core.Record
		wantErr string
	}{
		// As PocketBase words a 400 (capital, full stop).
		{late, "Coupon LATE14 gives a free trial to new subscriptions only: it cannot be added to a subscription."},
		{off, ""},
	} {
		sub, err := app.FindRecordById("subscriptions", res.Subscription.Id)
		if err != nil {
			t.Fatal(err)
		}
		sub.Set("coupon", tt.coupon.Id)
		err = app.Save(sub)
		if got := fmt.Sprint(err); (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && got != tt.wantErr) {
			t.Fatalf("coupon %s: %v, want %q", tt.coupon.GetString("code"), err, tt.wantErr)
		}
	}
}
