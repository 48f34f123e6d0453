package bandwidth_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/internal/testutil"
)

// withHistory gives svc a year of monthly usage periods before March 2026,
// none final (the daily settle pass has not run, or failed), as a service
// ordered in March 2025 would have.
func withHistory(t *testing.T, w *world, svc *core.Record) {
	t.Helper()
	for m := 12; m >= 1; m-- {
		start := periodStart.AddDate(0, -m, 0)
		testutil.Create(t, w.app, bandwidth.UsageCollection, map[string]any{"service": svc.Id, "customer": w.customer.Id,
			"period_start": start, "period_end": start.AddDate(0, 1, 0), "quota_bytes": 100 * gb})
	}
}

// asked is each call's window and the services it named.
func asked(src *fakeSource) []string {
	var out []string
	for _, c := range src.calls {
		out = append(out, fmt.Sprintf("%s..%s x%d", c.from.Format(time.DateOnly), c.to.Format(time.RFC3339), len(c.services)))
	}
	return out
}

// TestRunAsksOnlyForPeriodsNotYetSettled: a service with a year of open
// history is asked about for its current period and, only while it is
// inside bandwidth_settle_hours (6) of its end, the previous one; never
// back to its first month. A service whose subscription was not rolled
// over for months is not asked about its long-settled period.
func TestRunAsksOnlyForPeriodsNotYetSettled(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "old", 100, 150, false)
	withHistory(t, w, svc)
	march := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"inside the previous period's settle window", periodStart.Add(5 * time.Hour), feb.Format(time.DateOnly)},
		{"past the previous period's settle window", periodStart.Add(6 * time.Hour), march.Format(time.DateOnly)},
		{"mid period", midPeriod, march.Format(time.DateOnly)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := newSource()
			w.run(t, src, tc.now)
			want := fmt.Sprintf("%s..%s x1", tc.want, tc.now.Format(time.RFC3339))
			if got := asked(src); len(got) != 1 || got[0] != want {
				t.Errorf("asked %v, want [%s]", got, want)
			}
		})
	}

	// A subscription left in its March 2025 period (never rolled over).
	stale := w.service(t, "stale", 100, 150, false)
	sub, _ := w.app.FindRecordById("subscriptions", stale.GetString("subscription"))
	sub.Set("current_period_start", periodStart.AddDate(-1, 0, 0))
	sub.Set("current_period_end", periodEnd.AddDate(-1, 0, 0))
	if err := w.app.Save(sub); err != nil {
		t.Fatal(err)
	}
	src := newSource()
	w.run(t, src, midPeriod)
	for _, c := range src.calls {
		if c.from.Before(march) {
			t.Errorf("asked from %s for %d services", c.from.Format(time.DateOnly), len(c.services))
		}
	}
}

// TestRunAsksEachServiceOnlyForItsOwnPeriods: an annual service's year-long
// period does not widen what is asked about a monthly service, and the
// annual one is asked only for its current month (traffic is monthly).
func TestRunAsksEachServiceOnlyForItsOwnPeriods(t *testing.T) {
	w := newWorld(t)
	monthly := w.service(t, "monthly", 100, 150, false)
	annual := w.service(t, "annual", 100, 150, false)
	sub, _ := w.app.FindRecordById("subscriptions", annual.GetString("subscription"))
	sub.Set("cycle", "annual")
	sub.Set("current_period_start", periodStart.AddDate(0, -10, -10))
	sub.Set("current_period_end", periodStart.AddDate(0, 2, -10))
	if err := w.app.Save(sub); err != nil {
		t.Fatal(err)
	}
	src := newSource()
	src.set(monthly.Id, "2026-03-10", 1*gb, 2*gb)
	w.run(t, src, midPeriod)
	from := map[string]string{}
	for _, c := range src.calls {
		for _, s := range c.services {
			from[s.ID] = c.from.Format(time.DateOnly)
		}
	}
	if from[w.ips[monthly.Id]] != "2026-03-05" || from[w.ips[annual.Id]] != "2026-02-25" {
		t.Errorf("asked the monthly service from %s and the annual one from %s; want each from its own period", from[w.ips[monthly.Id]], from[w.ips[annual.Id]])
	}
	if u := w.usage(t, monthly.Id); u.GetInt64("bytes_total") != 3*gb {
		t.Errorf("monthly total %d, want 3 GB", u.GetInt64("bytes_total"))
	}
}
