package ledgercheck_test

import (
	"testing"

	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/internal/testutil"
)

// BenchmarkLedgerCheck checks the whole database of the data dir
// EZ_BENCH_DATA (made by `make seed`), or else of 300 synthetic customers.
func BenchmarkLedgerCheck(b *testing.B) {
	app := testutil.SeededApp(b, 300, nil)
	b.ResetTimer()
	for b.Loop() {
		report, err := ledgercheck.Run(app)
		if err != nil {
			b.Fatal(err)
		}
		if !report.OK() {
			b.Fatalf("%d violations, first: %s", len(report.Violations), report.Violations[0])
		}
	}
}
