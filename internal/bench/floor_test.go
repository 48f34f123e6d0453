package bench_test

import (
	"io"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/bench"
	"github.com/ezscale/ezscale/internal/testutil"
)

// The floor writes exactly the rows the run wrote, and makes the key
// checks it is asked for.
func TestBillingFloorCopiesTheRunsRows(t *testing.T) {
	app := testutil.NewApp(t)
	res, err := bench.Billing(app, bench.BillingOptions{Subscriptions: 40, PerCustomer: 2, Floor: true,
		Now: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, table := range bench.FloorTables {
		n, err := app.CountRecords(table)
		if err != nil {
			t.Fatal(err)
		}
		want += int(n)
	}
	if want == 0 || res.Floor.Rows != want {
		t.Errorf("floor wrote %d rows, the run's tables hold %d", res.Floor.Rows, want)
	}
	if res.Floor.KeyChecks != 60 {
		t.Errorf("%d key checks for 40 subscriptions, want 60", res.Floor.KeyChecks)
	}
}
