package ledger_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestPaidValue holds the value of a subscription's time against what its
// paid invoices actually took: discounts, tax, refunds, unpaid invoices and
// credit already returned all count.
func TestPaidValue(t *testing.T) {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	mar := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	midJan := jan.Add(feb.Sub(jan) / 2)

	type line struct {
		kind       string
		unit       int64
		start, end time.Time
	}
	tests := []struct {
		name     string
		taxRate  int64 // thousandths of a percent, exclusive
		lines    []line
		status   string // what the invoice becomes
		refunded int64
		credited int64 // credit already returned for the second half of January
		// the discount lines name no service, as orders placed before
		// discounts named theirs
		noService bool
		from, to  time.Time
		want      int64
	}{
		{name: "whole period paid", lines: []line{{ledger.KindPeriod, 3100, jan, feb}}, status: ledger.StatusPaid,
			from: jan, to: feb, want: 3100},
		{name: "second half", lines: []line{{ledger.KindPeriod, 3100, jan, feb}}, status: ledger.StatusPaid,
			from: midJan, to: feb, want: 1550},
		{name: "an open invoice paid nothing", lines: []line{{ledger.KindPeriod, 3100, jan, feb}}, status: ledger.StatusOpen,
			from: jan, to: feb, want: 0},
		{name: "a 100 % coupon paid nothing", status: ledger.StatusPaid,
			lines: []line{{ledger.KindPeriod, 3100, jan, feb}, {ledger.KindDiscount, -3100, time.Time{}, time.Time{}}},
			from:  midJan, to: feb, want: 0},
		{name: "a 50 % coupon paid half", status: ledger.StatusPaid,
			lines: []line{{ledger.KindPeriod, 3100, jan, feb}, {ledger.KindDiscount, -1550, time.Time{}, time.Time{}}},
			from:  midJan, to: feb, want: 775},
		{name: "a discount naming no service is spread over the invoice", status: ledger.StatusPaid,
			lines:     []line{{ledger.KindPeriod, 3100, jan, feb}, {ledger.KindDiscount, -1550, time.Time{}, time.Time{}}},
			noService: true, from: midJan, to: feb, want: 775},
		{name: "tax paid counts", taxRate: 20000, status: ledger.StatusPaid,
			lines: []line{{ledger.KindPeriod, 3100, jan, feb}}, from: midJan, to: feb, want: 1860},
		{name: "a refund takes its share", status: ledger.StatusPaid, refunded: 1000,
			lines: []line{{ledger.KindPeriod, 4000, jan, feb}}, from: jan, to: feb, want: 3000},
		{name: "credit already returned is not returned twice", status: ledger.StatusPaid, credited: 1000,
			lines: []line{{ledger.KindPeriod, 3100, jan, feb}}, from: midJan, to: feb, want: 550},
		{name: "an upgrade's proration adds to the period", status: ledger.StatusPaid,
			lines: []line{{ledger.KindPeriod, 3100, jan, feb}, {ledger.KindProration, 1000, midJan, feb}},
			from:  midJan, to: feb, want: 2550},
		{name: "spans two periods", status: ledger.StatusPaid,
			lines: []line{{ledger.KindPeriod, 3100, jan, feb}, {ledger.KindPeriod, 2800, feb, mar}},
			from:  midJan, to: mar, want: 1550 + 2800},
		{name: "nothing outside the span", status: ledger.StatusPaid,
			lines: []line{{ledger.KindPeriod, 3100, jan, feb}}, from: feb, to: mar, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			customer := testutil.Customer(t, app, "paid@example.com", "USD")
			if tt.taxRate > 0 {
				customer.Set("country", "GB")
				if err := app.Save(customer); err != nil {
					t.Fatal(err)
				}
				testutil.Create(t, app, "tax_rates", map[string]any{"name": "VAT", "country": "GB", "rate": tt.taxRate, "active": true})
			}
			svc := testutil.Service(t, app, customer)
			_, price := testutil.Plan(t, app, "value", "USD", 3100)
			sub := testutil.Create(t, app, "subscriptions", map[string]any{
				"customer": customer.Id, "plan": price.GetString("plan"), "plan_price": price.Id, "status": "active", "cycle": "monthly",
				"currency": "USD", "amount": 3100, "current_period_start": jan, "current_period_end": feb,
			})
			inv := draft(t, app, customer)
			for _, l := range tt.lines {
				ln := ledger.Line{Kind: l.kind, Description: l.kind, Quantity: 1, UnitAmount: l.unit, Service: svc.Id,
					PeriodStart: l.start, PeriodEnd: l.end}
				if l.kind != ledger.KindDiscount {
					ln.Subscription = sub.Id
				} else if tt.noService {
					ln.Service = ""
				}
				if _, err := ledger.AddLine(ctx, app, inv, ln); err != nil {
					t.Fatal(err)
				}
			}
			if err := ledger.Finalize(ctx, app, inv, jan); err != nil {
				t.Fatal(err)
			}
			inv = reload(t, app, inv)
			if tt.status == ledger.StatusPaid {
				inv.Set("status", ledger.StatusPaid)
				mustSave(t, app, inv.ProxyRecord())
			}
			if tt.refunded > 0 {
				inv.Set("amount_refunded", tt.refunded)
				inv.Set("status", ledger.StatusPartiallyRefunded)
				mustSave(t, app, inv.ProxyRecord())
			}
			if tt.credited > 0 {
				if _, err := ledger.AddCredit(ctx, app, ledger.CreditEntry{CustomerID: customer.Id, Currency: "USD",
					Amount: tt.credited, Reason: ledger.CreditDowngrade, Description: "test",
					Subscription: sub.Id, PeriodStart: midJan, PeriodEnd: feb}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ledger.PaidValue(app, sub.Id, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PaidValue = %d, want %d", got, tt.want)
			}
		})
	}
}

func mustSave(t *testing.T, app core.App, rec *core.Record) {
	t.Helper()
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
}

// TestPaidUntil: the paid time of a span ends where payment reached, not
// at a later period billed and never paid.
func TestPaidUntil(t *testing.T) {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb, mar := jan.AddDate(0, 1, 0), jan.AddDate(0, 2, 0)
	midJan := jan.Add(feb.Sub(jan) / 2)
	app := testutil.NewApp(t)
	customer := testutil.Customer(t, app, "until@example.com", "USD")
	svc := testutil.Service(t, app, customer)
	_, price := testutil.Plan(t, app, "until", "USD", 3100)
	sub := testutil.Create(t, app, "subscriptions", map[string]any{
		"customer": customer.Id, "plan": price.GetString("plan"), "plan_price": price.Id, "status": "active", "cycle": "monthly",
		"currency": "USD", "amount": 3100, "current_period_start": jan, "current_period_end": feb,
	})
	for _, p := range []struct {
		start, end time.Time
		paid       bool
	}{{jan, feb, true}, {feb, mar, false}} {
		inv := draft(t, app, customer)
		if _, err := ledger.AddLine(ctx, app, inv, ledger.Line{Kind: ledger.KindPeriod, Description: "period", Quantity: 1, UnitAmount: 3100,
			Subscription: sub.Id, Service: svc.Id, PeriodStart: p.start, PeriodEnd: p.end}); err != nil {
			t.Fatal(err)
		}
		if err := ledger.Finalize(ctx, app, inv, jan); err != nil {
			t.Fatal(err)
		}
		if p.paid {
			inv = reload(t, app, inv)
			inv.Set("status", ledger.StatusPaid)
			mustSave(t, app, inv.ProxyRecord())
		}
	}
	for _, tt := range []struct {
		from, to, want time.Time
	}{{midJan, mar, feb}, {midJan, midJan.Add(time.Hour), midJan.Add(time.Hour)}, {feb, mar, feb}} {
		got, err := ledger.PaidUntil(app, sub.Id, tt.from, tt.to)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(tt.want) {
			t.Errorf("PaidUntil(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.want)
		}
	}
}
