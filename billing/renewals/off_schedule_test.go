package renewals_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A subscription paid until a date off its schedule (here one day after
// the Feb 28 boundary of a Jan 31 anchor) is billed from that date, the
// rest of the scheduled period pro rata, then back on the schedule: the
// run used to bill the whole scheduled period again from Feb 28, the day
// already paid for included.
func TestPaidUntilOffTheScheduleIsNotBilledTwice(t *testing.T) {
	w := newWorld(t)
	c := testutil.Customer(t, w.app, "a@example.com", "USD")
	sub := w.subscribe(t, c, "")
	paidUntil := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	sub.Set("billed_until", paidUntil)
	if err := w.app.Save(sub); err != nil {
		t.Fatal(err)
	}

	run(t, w.app, time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC))
	run(t, w.app, time.Date(2026, 4, 25, 0, 0, 0, 0, time.UTC))

	invs := renewalInvoices(t, w.app)
	if len(invs) != 2 {
		t.Fatalf("want 2 renewal invoices, got %d", len(invs))
	}
	want := []struct {
		start, end time.Time
		amount     int64
	}{
		// 30 of the 31 days of Feb 28 – Mar 31, rounded down: 1000 × 30/31.
		{paidUntil, time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC), 967},
		{time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC), time.Date(2026, 4, 30, 10, 0, 0, 0, time.UTC), 1000},
	}
	for i, inv := range invs {
		items, err := ledger.Items(w.app, inv.Id)
		if err != nil || len(items) != 1 {
			t.Fatalf("invoice %s: %d lines, %v", inv.GetString("number"), len(items), err)
		}
		it := items[0]
		start, end := it.GetDateTime("period_start").Time(), it.GetDateTime("period_end").Time()
		if !start.Equal(want[i].start) || !end.Equal(want[i].end) || it.GetInt64("unit_amount") != want[i].amount {
			t.Errorf("renewal %d: %v – %v at %d, want %v – %v at %d", i+1, start, end, it.GetInt64("unit_amount"),
				want[i].start, want[i].end, want[i].amount)
		}
	}

	rep, err := ledgercheck.RunAt(w.app, time.Date(2026, 4, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		// The fixture pays the order by status alone; the period rules are
		// the ones this test is about.
		if strings.HasPrefix(v.Rule, "period.") {
			t.Errorf("ledger: %s", v)
		}
	}
}
