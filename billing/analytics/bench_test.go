package analytics_test

import (
	"io"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/analytics"
	"github.com/ezscale/ezscale/internal/testutil"
)

// BenchmarkReport is a twelve-month report in the base currency on a copy
// of the data dir EZ_BENCH_DATA (made by `make seed`), or else on
// EZ_BENCH_CUSTOMERS synthetic customers (1,000 by default) seeded first.
// `ezscale bench analytics` measures the same on a data dir in place.
func BenchmarkReport(b *testing.B) {
	app := testutil.SeededApp(b, 1000, io.Discard)
	now := time.Now().UTC()
	r := analytics.Range{From: time.Date(now.Year(), now.Month()-11, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), Now: now}
	if _, err := analytics.Report(app, r, "USD"); err != nil { // warm the page cache
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := analytics.Report(app, r, "USD"); err != nil {
			b.Fatal(err)
		}
	}
}
