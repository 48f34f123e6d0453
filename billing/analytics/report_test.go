package analytics_test

import (
	"reflect"
	"testing"

	"github.com/ezscale/ezscale/billing/analytics"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestReport(t *testing.T) {
	app := testutil.NewApp(t)
	f := buildFixture(t, app)

	got, err := analytics.Report(app, analytics.Range{From: fixtureFrom, To: fixtureTo, Now: fixtureNow}, "USD")
	if err != nil {
		t.Fatal(err)
	}

	// MRR now (active and past due), monthly, then converted at
	// USD 1, EUR 1.08, GBP 1.27 and rounded half to even once per currency:
	//   USD: s1 1000 + s6 2 × 730 = 2460
	//   EUR: s2 3000 / 3 = 1000 → × 1.08 = 1080
	//   GBP: s3 12345 / 12 = 1028.75 → × 1.27 = 1306.5125 → 1307
	//   total 2460 + 1080 + 1307 = 4847; ARR = 12 × each.
	wantMRR := analytics.Breakdown{Total: 4847, ByCurrency: map[string]int64{"USD": 2460, "EUR": 1080, "GBP": 1307}}
	wantARR := analytics.Breakdown{Total: 58164, ByCurrency: map[string]int64{"USD": 29520, "EUR": 12960, "GBP": 15684}}
	if !reflect.DeepEqual(got.MRR, wantMRR) || !reflect.DeepEqual(got.ARR, wantARR) {
		t.Errorf("MRR %+v ARR %+v, want %+v and %+v", got.MRR, got.ARR, wantMRR, wantARR)
	}

	// Months. MRR at 1 January: s1 at 1200 (before its downgrade) + s4 2000 = 3200.
	//   January:  new s2 at 1500/3 = 500 EUR = 540.                       MRR 3200 + 540 = 3740
	//   February: new s3 1307; expansion s2 +1500/3 = 500 EUR = 540.      MRR 3200 + 1080 + 1307 = 5587
	//   March:    new s6 1460; churned s4 2000; contraction s1 200.       MRR 1000 + 1460 + 1080 + 1307 = 4847
	//             revenue churn (2000 + 200) / 5587 = 39.3771 % → 3938 bp.
	// Customers live: 1 Jan c1, c5 (2); 1 Feb + c2 (3); 1 Mar + c3 (4); 1 Apr c5 gone (3):
	//   March customer churn 1 / 4 = 2500 bp. Sign-ups: c2 in January, c3 and c4 in February.
	// Revenue per month: see the revenue figures below.
	wantMonths := []analytics.Month{
		{Month: "2026-01", MRR: 3740, New: 540, NetNew: 540, ActiveCustomers: 3, Signups: 1, Revenue: 2820},
		{Month: "2026-02", MRR: 5587, New: 1307, Expansion: 540, NetNew: 1847, ActiveCustomers: 4, Signups: 2, Revenue: 16457},
		{Month: "2026-03", MRR: 4847, New: 1460, Contraction: 200, Churned: 2000, NetNew: -740, ActiveCustomers: 3,
			CustomerChurnBP: 2500, RevenueChurnBP: 3938, Revenue: 700},
	}
	if !reflect.DeepEqual(got.Months, wantMonths) {
		t.Errorf("months\n got %+v\nwant %+v", got.Months, wantMonths)
	}

	// Revenue: succeeded charges minus succeeded refunds, by payment date, in the range:
	//   2026-01-05 EUR 1500 × 1.08 = 1620      2026-01-10 USD 1200
	//   2026-02-03 GBP 12345 × 1.27 = 15678.15 → 15678
	//   2026-02-10 EUR 999 × 1.08 = 1078.92 → 1079      2026-02-15 refund USD −300
	//   2026-03-31 USD 700 (no paid_at: its creation date)
	//   not counted: the failed charge, the pending refund, 31 December's charge.
	//   total 1620 + 1200 + 15678 + 1079 − 300 + 700 = 19977
	rev := got.Revenue
	if rev.Total != 19977 || !reflect.DeepEqual(rev.ByCurrency, map[string]int64{"USD": 1600, "EUR": 2699, "GBP": 15678}) {
		t.Errorf("revenue total %d by currency %v, want 19977 and USD 1600, EUR 2699, GBP 15678", rev.Total, rev.ByCurrency)
	}
	wantByMonth := []analytics.MonthAmount{{Month: "2026-01", Amount: 2820}, {Month: "2026-02", Amount: 16457}, {Month: "2026-03", Amount: 700}}
	if !reflect.DeepEqual(rev.ByMonth, wantByMonth) || !reflect.DeepEqual(rev.ByYear, []analytics.YearAmount{{Year: "2026", Amount: 19977}}) {
		t.Errorf("revenue by month %v by year %v", rev.ByMonth, rev.ByYear)
	}
	if len(rev.ByDay) != 31+28+31 || rev.ByDay[0].Date != "2026-01-01" || rev.ByDay[89].Date != "2026-03-31" {
		t.Fatalf("by_day has %d days from %v", len(rev.ByDay), rev.ByDay[0])
	}
	var daySum int64
	for _, d := range rev.ByDay {
		daySum += d.Amount
	}
	for _, want := range []analytics.DayAmount{{"2026-01-05", 1620}, {"2026-01-10", 1200}, {"2026-02-15", -300}, {"2026-03-31", 700}, {"2026-03-01", 0}} {
		for _, d := range rev.ByDay {
			if d.Date == want.Date && d != want {
				t.Errorf("revenue of %s: %d, want %d", d.Date, d.Amount, want.Amount)
			}
		}
	}
	if daySum != rev.Total {
		t.Errorf("days add up to %d, total is %d", daySum, rev.Total)
	}

	// Plans by MRR: B has s2 (1080) and s6 (1460); A has s1 (1000) and s3 (1307).
	wantPlans := []analytics.Plan{
		{Plan: f.planB, Name: "Plan vps-l", Active: 2, MRR: 2540},
		{Plan: f.planA, Name: "Plan vps-s", Active: 2, MRR: 2307},
	}
	if !reflect.DeepEqual(got.Plans, wantPlans) {
		t.Errorf("plans %+v, want %+v", got.Plans, wantPlans)
	}

	// Orders in the range: three; paid: the paid one and the refunded one. 2/3 = 6667 bp.
	if want := (analytics.Conversion{Orders: 3, Paid: 2, RateBP: 6667}); got.Conversion != want {
		t.Errorf("conversion %+v, want %+v", got.Conversion, want)
	}

	// Receivables on 15 April, 12:00: open invoices only (no draft, no uncollectible).
	//   not yet due USD 500; 0-30: USD 1000 (5 days) + USD 700 (30 days);
	//   31-60: USD 100 (31 days) + EUR 2000 × 1.08 = 2160 (45 days); 61-90: GBP 3000 × 1.27 = 3810;
	//   90+: USD 4000. Overdue 1700 + 2260 + 3810 + 4000 = 11770; outstanding + 500 = 12270.
	wantRec := analytics.Receivables{Outstanding: 12270, Overdue: 11770, Buckets: []analytics.Bucket{
		{Label: "0-30", Amount: 1700, Count: 2}, {Label: "31-60", Amount: 2260, Count: 2},
		{Label: "61-90", Amount: 3810, Count: 1}, {Label: "90+", Amount: 4000, Count: 1},
	}}
	if !reflect.DeepEqual(got.Receivables, wantRec) {
		t.Errorf("receivables %+v, want %+v", got.Receivables, wantRec)
	}
}

// In another currency the same figures are converted from each currency
// directly: EUR MRR = 2460 / 1.08 + 1000 + 1028.75 × 1.27 / 1.08.
func TestReportInOtherCurrency(t *testing.T) {
	app := testutil.NewApp(t)
	buildFixture(t, app)
	got, err := analytics.Report(app, analytics.Range{From: fixtureFrom, To: fixtureTo, Now: fixtureNow}, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	// USD 2460 / 1.08 = 2277.78 → 2278; EUR 1000; GBP 1028.75 × 1.27 / 1.08 = 1209.733… → 1210.
	want := analytics.Breakdown{Total: 4488, ByCurrency: map[string]int64{"USD": 2278, "EUR": 1000, "GBP": 1210}}
	if got.Currency != "EUR" || !reflect.DeepEqual(got.MRR, want) {
		t.Errorf("%s MRR %+v, want %+v", got.Currency, got.MRR, want)
	}
	if _, err := analytics.Report(app, analytics.Range{From: fixtureFrom, To: fixtureTo}, "JPY"); err == nil {
		t.Error("a report in JPY, which has no rate, was made")
	}
}

// An empty database reports zeros, and lists (never null) for the console.
func TestReportEmpty(t *testing.T) {
	app := testutil.NewApp(t)
	got, err := analytics.Report(app, analytics.Range{From: day("2024-02-15"), To: day("2024-04-10")}, "USD")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Months) != 3 || got.Months[0].Month != "2024-02" || got.Months[2].Month != "2024-04" ||
		len(got.Revenue.ByDay) != 56 || got.Plans == nil || got.MRR.ByCurrency == nil || len(got.Receivables.Buckets) != 4 {
		t.Errorf("empty report: %+v", got)
	}
	// The longest range: 62 bounds, the most the bit runs of the customer counts take.
	got, err = analytics.Report(app, analytics.Range{From: day("2020-01-15"), To: day("2025-01-14")}, "USD")
	if err != nil || len(got.Months) != 61 {
		t.Errorf("five years: %v, %d months", err, len(got.Months))
	}
}

// A customer who leaves and comes back is churned in the month they left
// and active again from the month they returned.
func TestReportCustomerReturns(t *testing.T) {
	app := testutil.NewApp(t)
	in := inserter{t, app}
	plan, price := testutil.Plan(t, app, "vps-s", "USD", 100)
	c := in.add("customers", map[string]any{"email": "back@example.com", "name": "Back", "currency": "USD",
		"status": "active", "created": at("2025-12-01 00:00:00"), "tokenKey": "back"})
	for _, s := range []struct {
		status           string
		created, cancels any
	}{
		{"cancelled", at("2025-12-01 00:00:00"), at("2026-01-20 00:00:00")},
		{"active", at("2026-02-10 00:00:00"), ""},
	} {
		in.add("subscriptions", map[string]any{"customer": c, "plan": plan.Id, "plan_price": price.Id, "status": s.status,
			"cycle": "monthly", "currency": "USD", "amount": 100, "created": s.created, "cancelled_at": s.cancels})
	}
	got, err := analytics.Report(app, analytics.Range{From: fixtureFrom, To: fixtureTo, Now: fixtureNow}, "USD")
	if err != nil {
		t.Fatal(err)
	}
	want := []analytics.Month{
		{Month: "2026-01", Churned: 100, NetNew: -100, CustomerChurnBP: 10000, RevenueChurnBP: 10000},
		{Month: "2026-02", MRR: 100, New: 100, NetNew: 100, ActiveCustomers: 1},
		{Month: "2026-03", MRR: 100, ActiveCustomers: 1},
	}
	if !reflect.DeepEqual(got.Months, want) {
		t.Errorf("months\n got %+v\nwant %+v", got.Months, want)
	}
}
