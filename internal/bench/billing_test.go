package bench_test

import (
	"io"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/bench"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A small run of the renewal benchmark: every seeded subscription is billed
// once, on invoices shared per customer, and the second run bills nothing.
func TestBillingBenchmarkBillsOnce(t *testing.T) {
	app := testutil.NewApp(t)
	res, err := bench.Billing(app, bench.BillingOptions{Subscriptions: 300, PerCustomer: 3,
		Now: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if res.Invoices != 100 || res.SecondRun != 0 {
		t.Fatalf("%+v", res)
	}
	if n, _ := app.CountRecords("invoice_items"); n != 300 {
		t.Errorf("%d lines for 300 subscriptions", n)
	}
}

func BenchmarkRenewals(b *testing.B) {
	for i := 0; i < b.N; i++ {
		app := testutil.NewApp(b)
		res, err := bench.Billing(app, bench.BillingOptions{Subscriptions: 2000, Now: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)}, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(2000)/res.First.Seconds(), "subscriptions/s")
	}
}
