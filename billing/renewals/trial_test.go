package renewals_test

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/cancellation"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

var (
	trialOrdered = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	trialEnds    = time.Date(2026, 12, 21, 9, 30, 0, 0, time.UTC) // 14 days later
)

// trialOrder orders a €15.00 monthly plan with a 14-day trial coupon at
// trialOrdered; the service is made active as provisioning would.
func trialOrder(t *testing.T) (app core.App, customer *core.Record, res *orders.Result) {
	t.Helper()
	app = testutil.NewApp(t)
	_, price := testutil.Plan(t, app, "trial", "EUR", 1500)
	testutil.Create(t, app, "coupons", map[string]any{"code": "TRY14", "kind": "trial", "trial_days": 14, "duration": "once", "active": true})
	customer = testutil.Customer(t, app, "trial@example.com", "EUR")
	res, err := orders.Place(ctx, app, customer, orders.Request{PlanPrice: price.Id, Coupon: "TRY14"}, orders.By{}, trialOrdered)
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := app.FindRecordById("services", res.Service.Id)
	svc.Set("status", "active")
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	return app, customer, res
}

func checkBooks(t *testing.T, app core.App, at time.Time) {
	t.Helper()
	rep, err := ledgercheck.RunAt(app, at)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		t.Errorf("ledger check: %+v", v)
	}
}

// The trial's first charge is the normal renewal at its end: the run bills
// the first period once, at the price, its lead days ahead, and later or
// repeated runs bill nothing more. The test logs the timeline.
func TestTrialFirstChargeIsTheRenewal(t *testing.T) {
	app, customer, res := trialOrder(t)
	s, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	lead := s.RenewalLeadDays["monthly"]
	t.Logf("%s order %s: invoice %s %s total %d %s, trial until %s",
		trialOrdered.Format(time.DateTime), res.Order.GetString("number"), res.Invoice.Number(), res.Invoice.Status(),
		res.Invoice.Total(), res.Invoice.Currency(), trialEnds.Format(time.DateTime))

	up, err := renewals.Upcoming(app, customer.Id, trialOrdered)
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Charges) != 1 || up.Charges[0].Amount == nil || *up.Charges[0].Amount != 1500 || up.Charges[0].TrialEnd == nil ||
		!up.Charges[0].TrialEnd.Equal(trialEnds) || !up.Charges[0].PeriodStart.Equal(trialEnds) {
		t.Fatalf("upcoming %+v", up.Charges)
	}
	t.Logf("upcoming at order: %d %s issued %s for %s – %s (trial_end %s)", *up.Charges[0].Amount, up.Charges[0].Currency,
		up.Charges[0].Date.Format(time.DateTime), up.Charges[0].PeriodStart.Format(time.DateTime), up.Charges[0].PeriodEnd.Format(time.DateTime),
		up.Charges[0].TrialEnd.Format(time.DateTime))

	issue := trialEnds.AddDate(0, 0, -lead)
	for _, at := range []time.Time{trialOrdered.Add(time.Hour), issue.Add(-time.Second)} {
		if r := run(t, app, at); r.Invoices != 0 {
			t.Fatalf("run at %s billed %d invoices during the trial, before the lead time", at, r.Invoices)
		}
	}
	run(t, app, issue)
	for _, at := range []time.Time{issue, trialEnds, trialEnds.AddDate(0, 0, 1)} {
		if r := run(t, app, at); r.Invoices != 0 {
			t.Fatalf("run at %s billed again", at)
		}
	}
	invs := renewalInvoices(t, app)
	if len(invs) != 1 {
		t.Fatalf("%d renewal invoices, want 1", len(invs))
	}
	inv := ledger.AsInvoice(invs[0])
	items, err := ledger.Items(app, inv.Id)
	if err != nil {
		t.Fatal(err)
	}
	wantEnd := time.Date(2027, 1, 21, 9, 30, 0, 0, time.UTC)
	if inv.Total() != 1500 || inv.Status() != ledger.StatusOpen || len(items) != 1 || items[0].GetInt64("amount") != 1500 ||
		!items[0].GetDateTime("period_start").Time().Equal(trialEnds) || !items[0].GetDateTime("period_end").Time().Equal(wantEnd) {
		t.Fatalf("renewal %s total %d lines %v", inv.Status(), inv.Total(), items)
	}
	t.Logf("%s renewal run: invoice %s %s total %d %s for %s – %s, due %s", issue.Format(time.DateTime), inv.Number(), inv.Status(),
		inv.Total(), inv.Currency(), trialEnds.Format(time.DateTime), wantEnd.Format(time.DateTime), inv.GetDateTime("due_at").Time().Format(time.DateTime))
	sub, _ := app.FindRecordById("subscriptions", res.Subscription.Id)
	if !sub.GetDateTime("current_period_start").Time().Equal(trialEnds) || !sub.GetDateTime("billed_until").Time().Equal(wantEnd) {
		t.Fatalf("after the trial: period from %v, billed until %v", sub.GetDateTime("current_period_start"), sub.GetDateTime("billed_until"))
	}
	checkBooks(t, app, trialEnds.AddDate(0, 0, 1))
}

// Cancelling during the trial charges nothing: at period end the renewal
// never bills (or is voided when already issued) and the service is
// terminated at the trial's end; staff cancelling now terminate it at once
// with no credit, since nothing was paid.
func TestCancelDuringTrial(t *testing.T) {
	tests := []struct {
		name          string
		at            time.Time
		req           cancellation.Request
		renewalBefore bool   // the renewal was issued (lead time) before the cancellation
		wantRenewal   string // the renewal invoice's status after; "" for none
	}{
		{"at period end", trialOrdered.AddDate(0, 0, 3), cancellation.Request{When: cancellation.AtPeriodEnd, Reason: "not_needed"}, false, ""},
		{"at period end after the renewal was issued", trialEnds.AddDate(0, 0, -1),
			cancellation.Request{When: cancellation.AtPeriodEnd}, true, ledger.StatusVoid},
		{"now with credit", trialOrdered.AddDate(0, 0, 3), cancellation.Request{When: cancellation.Immediately, Credit: true}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, customer, res := trialOrder(t)
			if tt.renewalBefore {
				s, _ := settings.Load(app)
				run(t, app, trialEnds.AddDate(0, 0, -s.RenewalLeadDays["monthly"]))
			}
			svc, _ := app.FindRecordById("services", res.Service.Id)
			out, err := cancellation.Cancel(ctx, app, svc, tt.req, tt.req.When == cancellation.Immediately, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if out.Credit != 0 {
				t.Fatalf("credit %d for a trial", out.Credit)
			}
			terminations := func() int64 {
				n, err := app.CountRecords("provisioning_jobs", dbx.HashExp{"service": svc.Id, "action": "terminate"})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if tt.req.When == cancellation.AtPeriodEnd {
				if n := terminations(); n != 0 {
					t.Fatalf("%d terminations before the trial's end", n)
				}
				run(t, app, trialEnds.Add(-time.Second))
				if n := terminations(); n != 0 {
					t.Fatalf("%d terminations before the trial's end", n)
				}
				run(t, app, trialEnds)
			}
			if n := terminations(); n != 1 {
				t.Fatalf("%d terminations, want 1", n)
			}
			invs := renewalInvoices(t, app)
			switch {
			case tt.wantRenewal == "" && len(invs) != 0:
				t.Fatalf("%d renewal invoices, want none", len(invs))
			case tt.wantRenewal != "" && (len(invs) != 1 || invs[0].GetString("status") != tt.wantRenewal):
				t.Fatalf("renewals %v, want one %s", invs, tt.wantRenewal)
			}
			if bal, err := ledger.Balance(app, customer.Id, "EUR"); err != nil || bal != 0 {
				t.Fatalf("credit balance %d (%v), want 0", bal, err)
			}
			paid, err := app.FindRecordsByFilter("payments", "customer = {:c}", "", 0, 0, dbx.Params{"c": customer.Id})
			if err != nil || len(paid) != 0 {
				t.Fatalf("payments %v (%v), want none", paid, err)
			}
			checkBooks(t, app, trialEnds.AddDate(0, 0, 1))
		})
	}
}
