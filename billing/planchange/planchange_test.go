package planchange_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/planchange"
	"github.com/ezscale/ezscale/internal/testutil"
)

var (
	ctx   = context.Background()
	start = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) // a 28-day period: Feb 1 – Mar 1
	half  = start.Add(14 * 24 * time.Hour)
)

type world struct {
	app                          core.App
	customer                     *core.Record
	small, large, huge, otherCur *core.Record
	yearly, dedicated            *core.Record
}

func newWorld(t *testing.T) *world {
	t.Helper()
	app := testutil.NewApp(t)
	w := &world{app: app, customer: testutil.Customer(t, app, "a@example.com", "USD")}
	price := func(slug, typ, currency, cycle string, amount int64) *core.Record {
		plan := testutil.Create(t, app, "plans", map[string]any{"name": slug, "slug": slug, "service_type": typ, "platform": "virtfusion", "status": "active"})
		return testutil.Create(t, app, "plan_prices", map[string]any{"plan": plan.Id, "currency": currency, "cycle": cycle, "amount": amount, "active": true})
	}
	w.small = price("small", "vps", "USD", "monthly", 1000)
	w.large = price("large", "vps", "USD", "monthly", 2000)
	w.huge = price("huge", "vps", "USD", "monthly", 4000)
	w.otherCur = price("eur", "vps", "EUR", "monthly", 2000)
	w.yearly = price("yearly", "vps", "USD", "annual", 20000)
	w.dedicated = price("dedi", "dedicated", "USD", "monthly", 9000)
	return w
}

// service places an order for price at start and activates it, as payment would.
func (w *world) service(t *testing.T, price *core.Record) *core.Record {
	t.Helper()
	res, err := orders.Place(ctx, w.app, w.customer, orders.Request{PlanPrice: price.Id}, orders.By{}, start)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := ledger.FindInvoice(w.app, res.Invoice.Id)
	inv.Set("status", ledger.StatusPaid)
	if err := w.app.Save(inv); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*core.Record{res.Subscription, res.Service} {
		fresh, _ := w.app.FindRecordById(r.Collection().Name, r.Id)
		fresh.Set("status", "active")
		if err := w.app.Save(fresh); err != nil {
			t.Fatal(err)
		}
	}
	svc, _ := w.app.FindRecordById("services", res.Service.Id)
	return svc
}

func (w *world) subscription(t *testing.T, svc *core.Record) *core.Record {
	t.Helper()
	sub, err := w.app.FindRecordById("subscriptions", svc.GetString("subscription"))
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func (w *world) change(t *testing.T, svc *core.Record, to *core.Record, at time.Time) *planchange.Outcome {
	t.Helper()
	q, err := planchange.QuoteChange(w.app, svc, to.Id, at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := planchange.Apply(ctx, w.app, q)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func jobs(t *testing.T, app core.App, svc *core.Record) int {
	t.Helper()
	recs, _ := app.FindRecordsByFilter("provisioning_jobs", "service = {:s} && action = 'change_plan'", "", 0, 0, map[string]any{"s": svc.Id})
	return len(recs)
}

func TestUpgradeAppliesWhenPaid(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, w.small)
	out := w.change(t, svc, w.large, half)
	if out.Quote.Net != 500 || out.Quote.Kind != planchange.KindUpgrade || out.Applied {
		t.Fatalf("half-way upgrade 10.00 → 20.00: %+v", out.Quote)
	}
	if out.Invoice == nil || out.Invoice.Total() != 500 || out.Invoice.Status() != ledger.StatusOpen {
		t.Fatalf("upgrade invoice: %+v", out.Invoice)
	}
	if sub := w.subscription(t, svc); sub.GetString("plan_price") != w.small.Id || jobs(t, w.app, svc) != 0 {
		t.Fatal("the change applied before the invoice was paid")
	}
	// A second change waits for the first.
	if _, err := planchange.QuoteChange(w.app, svc, w.huge.Id, half); !isCode(err, "change_pending") {
		t.Errorf("second change while the first is unpaid: %v", err)
	}

	inv := out.Invoice
	inv.Set("status", ledger.StatusPaid)
	if err := w.app.Save(inv); err != nil {
		t.Fatal(err)
	}
	sub := w.subscription(t, svc)
	if sub.GetString("plan_price") != w.large.Id || sub.GetInt64("amount") != 2000 || jobs(t, w.app, svc) != 1 {
		t.Errorf("after payment: price %s amount %d jobs %d", sub.GetString("plan_price"), sub.GetInt64("amount"), jobs(t, w.app, svc))
	}

	// The second change in the period credits what the first one charged for.
	threeQuarters := start.Add(21 * 24 * time.Hour)
	q, err := planchange.QuoteChange(w.app, svc, w.huge.Id, threeQuarters)
	if err != nil {
		t.Fatal(err)
	}
	if q.Credit != 500 || q.Charge != 1000 || q.Net != 500 {
		t.Errorf("second change 20.00 → 40.00 with a quarter left: %+v", q)
	}
}

func TestDowngradeCreditsAtOnce(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, w.large)
	out := w.change(t, svc, w.small, half)
	if !out.Applied || out.Credit != 500 || out.Invoice != nil {
		t.Fatalf("downgrade: %+v", out)
	}
	if bal, _ := ledger.Balance(w.app, w.customer.Id, "USD"); bal != 500 {
		t.Errorf("credit balance %d", bal)
	}
	if sub := w.subscription(t, svc); sub.GetString("plan_price") != w.small.Id || jobs(t, w.app, svc) != 1 {
		t.Error("downgrade not applied")
	}
	// The credit pays the next upgrade.
	out = w.change(t, svc, w.large, half.Add(time.Hour))
	if !out.Applied || out.Invoice.Status() != ledger.StatusPaid || out.Invoice.GetInt64("credit_applied") == 0 {
		t.Errorf("upgrade paid from credit: applied %v invoice %s", out.Applied, out.Invoice.Status())
	}
}

func TestUnpaidUpgradeIsVoidedAndDropped(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, w.small)
	out := w.change(t, svc, w.large, half)
	if n, err := planchange.VoidExpired(ctx, w.app, half.AddDate(0, 0, 2)); err != nil || n != 0 {
		t.Fatalf("voided before the void date: %d %v", n, err)
	}
	if n, err := planchange.VoidExpired(ctx, w.app, half.AddDate(0, 0, 3)); err != nil || n != 1 {
		t.Fatalf("void after 3 days: %d %v", n, err)
	}
	inv, _ := ledger.FindInvoice(w.app, out.Invoice.Id)
	if inv.Status() != ledger.StatusVoid || w.subscription(t, svc).GetString("plan_price") != w.small.Id {
		t.Errorf("status %s, plan %s", inv.Status(), w.subscription(t, svc).GetString("plan_price"))
	}
	// With the invoice void, a new change may be quoted.
	if _, err := planchange.QuoteChange(w.app, svc, w.large.Id, half.AddDate(0, 0, 3)); err != nil {
		t.Errorf("new quote after the void: %v", err)
	}
}

func TestRefusedChanges(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, w.small)
	for name, tc := range map[string]struct {
		to   string
		code string
	}{
		"currency":     {w.otherCur.Id, "currency_change"},
		"service type": {w.dedicated.Id, "service_type_change"},
		"cycle":        {w.yearly.Id, "cycle_change"},
		"same price":   {w.small.Id, "same_plan"},
		"unknown":      {"nosuchprice0000", "plan_price_not_found"},
	} {
		if _, err := planchange.QuoteChange(w.app, svc, tc.to, half); !isCode(err, tc.code) {
			t.Errorf("%s: want %s, got %v", name, tc.code, err)
		}
	}
}

func isCode(err error, code string) bool {
	var pe *planchange.Error
	return errors.As(err, &pe) && pe.Code == code && pe.Status >= http.StatusBadRequest
}
