package analytics_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/internal/bulk"
	"github.com/ezscale/ezscale/internal/testutil"
)

// The fixed dataset: a range of three months (January to March 2026),
// USD as base with the default rates EUR 1.08 and GBP 1.27, and
// receivables aged on fixtureNow.
var (
	fixtureFrom = day("2026-01-01")
	fixtureTo   = day("2026-03-31")
	fixtureNow  = at("2026-04-15 12:00:00")
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

// inserter writes fixture rows as they are stored, with the dates the
// test gives them (created included), and no hooks: the dataset is the
// history of a business, not the result of running it today.
type inserter struct {
	t   testing.TB
	app core.App
}

func (in inserter) add(collection string, data map[string]any) string {
	in.t.Helper()
	col, err := in.app.FindCollectionByNameOrId(collection)
	if err != nil {
		in.t.Fatal(err)
	}
	rec := core.NewRecord(col)
	for k, v := range data {
		if tm, ok := v.(time.Time); ok {
			v = tm.UTC().Format("2006-01-02 15:04:05.000Z")
		}
		if k == "created" { // autodate: only a raw value is taken
			dt, err := types.ParseDateTime(v)
			if err != nil {
				in.t.Fatal(err)
			}
			rec.SetRaw(k, dt)
			continue
		}
		rec.Set(k, v)
	}
	bulk.Prepare([]*core.Record{rec}, fixtureNow)
	if err := bulk.Insert(in.app, []*core.Record{rec}); err != nil {
		in.t.Fatalf("%s %v: %v", collection, data, err)
	}
	return rec.Id
}

// fixture is the dataset the expectations in report_test.go are computed
// from by hand; its comments carry the arithmetic.
type fixture struct {
	planA, planB string
}

func buildFixture(t testing.TB, app core.App) fixture {
	t.Helper()
	in := inserter{t, app}
	planA, priceA := testutil.Plan(t, app, "vps-s", "USD", 1000)
	planB, priceB := testutil.Plan(t, app, "vps-l", "USD", 2000)
	f := fixture{planA: planA.Id, planB: planB.Id}

	customer := func(email, currency string, created time.Time) string {
		return in.add("customers", map[string]any{"email": email, "name": email, "currency": currency,
			"status": "active", "created": created, "tokenKey": email})
	}
	c1 := customer("c1@example.com", "USD", at("2025-12-10 09:00:00"))
	c2 := customer("c2@example.com", "EUR", at("2026-01-05 10:00:00"))
	c3 := customer("c3@example.com", "GBP", at("2026-02-03 11:00:00"))
	c4 := customer("c4@example.com", "USD", at("2026-02-20 12:00:00"))
	c5 := customer("c5@example.com", "USD", at("2025-11-01 08:00:00"))

	sub := func(customer, plan, price, status, cyc, currency string, amount int64, created time.Time, cancelled any) string {
		return in.add("subscriptions", map[string]any{"customer": customer, "plan": plan, "plan_price": price,
			"status": status, "cycle": cyc, "currency": currency, "amount": amount, "created": created,
			"cancelled_at": cancelled})
	}
	// s1: USD monthly, 1200 until downgraded to 1000 on 20 March.
	s1 := sub(c1, planA.Id, priceA.Id, "active", "monthly", "USD", 1000, at("2025-12-10 09:05:00"), "")
	// s2: EUR quarterly, 1500 (500/month) until upgraded to 3000 (1000/month) on 10 February.
	s2 := sub(c2, planB.Id, priceB.Id, "active", "quarterly", "EUR", 3000, at("2026-01-05 10:05:00"), "")
	// s3: GBP annual 12345: 1028.75/month.
	sub(c3, planA.Id, priceA.Id, "active", "annual", "GBP", 12345, at("2026-02-03 11:05:00"), "")
	// s4: USD monthly 2000, cancelled on 15 March: c5's only subscription.
	sub(c5, planB.Id, priceB.Id, "cancelled", "monthly", "USD", 2000, at("2025-11-01 08:05:00"), at("2026-03-15 00:00:00"))
	// s5: ordered, never paid: never live.
	sub(c4, planA.Id, priceA.Id, "pending", "monthly", "USD", 500, at("2026-02-20 12:05:00"), "")
	// s6: USD hourly at 2 a hour, past due: 2 × 730 = 1460/month.
	sub(c1, planB.Id, priceB.Id, "past_due", "hourly", "USD", 2, at("2026-03-05 14:00:00"), "")

	change := func(subscription string, before, after int64, when time.Time) {
		in.add("audit_logs", map[string]any{"actor_kind": "customer", "action": "update", "collection": "subscriptions",
			"record_id": subscription, "changes": map[string]any{"amount": map[string]any{"before": before, "after": after},
				"plan_price": map[string]any{"before": "x", "after": "y"}}, "created": when})
	}
	change(s2, 1500, 3000, at("2026-02-10 15:00:00"))
	change(s1, 1200, 1000, at("2026-03-20 16:00:00"))
	// An update that does not touch the amount is no plan change.
	in.add("audit_logs", map[string]any{"actor_kind": "job", "action": "update", "collection": "subscriptions",
		"record_id": s1, "changes": map[string]any{"billed_until": map[string]any{"before": "a", "after": "b"}},
		"created": at("2026-01-10 06:00:00")})

	payment := func(customer, kind, status, currency string, amount int64, paid any, created time.Time) {
		in.add("payments", map[string]any{"customer": customer, "kind": kind, "gateway": "manual", "status": status,
			"currency": currency, "amount": amount, "paid_at": paid, "created": created})
	}
	payment(c1, "charge", "succeeded", "USD", 1200, at("2026-01-10 10:00:00"), at("2026-01-10 10:00:00"))
	payment(c2, "charge", "succeeded", "EUR", 1500, at("2026-01-05 12:00:00"), at("2026-01-05 12:00:00"))
	payment(c2, "charge", "succeeded", "EUR", 999, at("2026-02-10 15:00:00"), at("2026-02-10 15:00:00"))
	payment(c3, "charge", "succeeded", "GBP", 12345, at("2026-02-03 11:10:00"), at("2026-02-03 11:10:00"))
	payment(c1, "refund", "succeeded", "USD", 300, at("2026-02-15 09:00:00"), at("2026-02-15 09:00:00"))
	payment(c1, "charge", "failed", "USD", 5000, "", at("2026-03-01 06:00:00"))
	payment(c1, "charge", "succeeded", "USD", 2000, at("2025-12-31 23:59:00"), at("2025-12-31 23:59:00"))
	payment(c1, "charge", "succeeded", "USD", 700, "", at("2026-03-31 18:00:00"))
	payment(c1, "refund", "pending", "USD", 100, "", at("2026-03-10 09:00:00"))

	invoice := func(customer, status, currency string, due int64, dueAt, paidAt any) string {
		return in.add("invoices", map[string]any{"customer": customer, "status": status, "currency": currency,
			"total": due, "amount_due": due, "due_at": dueAt, "paid_at": paidAt, "purpose": "order",
			"created": at("2026-01-01 00:00:00")})
	}
	i1 := invoice(c2, "paid", "EUR", 0, at("2026-01-12 10:00:00"), at("2026-01-05 12:00:00"))
	i2 := invoice(c3, "refunded", "GBP", 0, at("2026-02-10 11:00:00"), at("2026-02-03 11:10:00"))
	i3 := invoice(c4, "open", "USD", 500, at("2026-04-20 00:00:00"), "") // not yet due
	invoice(c1, "open", "USD", 1000, at("2026-04-10 00:00:00"), "")      // 5 days past due
	invoice(c1, "open", "USD", 700, at("2026-03-16 12:00:00"), "")       // exactly 30 days
	invoice(c1, "open", "USD", 100, at("2026-03-15 12:00:00"), "")       // exactly 31 days
	invoice(c2, "open", "EUR", 2000, at("2026-03-01 00:00:00"), "")      // 45 days
	invoice(c3, "open", "GBP", 3000, at("2026-01-20 00:00:00"), "")      // 85 days
	invoice(c5, "open", "USD", 4000, at("2025-12-01 00:00:00"), "")      // 135 days
	invoice(c1, "draft", "USD", 9999, "", "")
	invoice(c5, "uncollectible", "USD", 8888, at("2025-10-01 00:00:00"), "")

	order := func(customer, price, invoice string, created time.Time) {
		in.add("orders", map[string]any{"customer": customer, "plan_price": price, "invoice": invoice,
			"status": "active", "created": created})
	}
	order(c2, priceB.Id, i1, at("2026-01-05 10:05:00"))
	order(c3, priceA.Id, i2, at("2026-02-03 11:05:00"))
	order(c4, priceA.Id, i3, at("2026-02-20 12:05:00"))
	order(c1, priceA.Id, "", at("2025-12-10 09:05:00")) // before the range
	return f
}
