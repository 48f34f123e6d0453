package bandwidth_test

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/testutil"
)

// annualService is an active service on an 8 TB plan (1 cent per GB over),
// billed annually: its period runs Mar 5 2026 – Mar 5 2027.
func (w *world) annualService(t *testing.T, slug string) *core.Record {
	t.Helper()
	plan := testutil.Create(t, w.app, "plans", map[string]any{"name": "VPS " + slug, "slug": slug, "service_type": "vps",
		"platform": "virtfusion", "status": "active", "bandwidth_quota_gb": 8000})
	price := testutil.Create(t, w.app, "plan_prices", map[string]any{"plan": plan.Id, "currency": "USD", "cycle": "annual",
		"amount": 12000, "overage_per_gb": 1, "active": true})
	end := periodStart.AddDate(1, 0, 0)
	sub := testutil.Create(t, w.app, "subscriptions", map[string]any{"customer": w.customer.Id, "plan": plan.Id, "plan_price": price.Id,
		"status": "active", "cycle": "annual", "currency": "USD", "amount": 12000,
		"current_period_start": periodStart, "current_period_end": end, "billed_until": end})
	ip := "198.51.100.7"
	svc := testutil.Create(t, w.app, "services", map[string]any{"customer": w.customer.Id, "subscription": sub.Id, "plan": plan.Id,
		"service_type": "vps", "platform": "virtfusion", "status": "active", "label": slug + ".example.com", "ip_addresses": []string{ip}})
	w.ips[svc.Id] = ip
	return svc
}

// windows is the service's usage records as period start → record.
func (w *world) windows(t *testing.T, service string) map[string]*core.Record {
	t.Helper()
	recs, err := w.app.FindRecordsByFilter(bandwidth.UsageCollection, "service = {:s}", "period_start", 0, 0, dbx.Params{"s": service})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*core.Record{}
	for _, r := range recs {
		out[r.GetDateTime("period_start").Time().Format("2006-01-02")+"/"+r.GetDateTime("period_end").Time().Format("2006-01-02")] = r
	}
	return out
}

// TestAnnualAllowanceIsMonthly: an annual service with 8 TB a month that
// uses 5 TB in each of two months is over nothing and warned of nothing,
// each month measured in its own window from the period's start.
func TestAnnualAllowanceIsMonthly(t *testing.T) {
	w := newWorld(t)
	svc := w.annualService(t, "annual")
	src := newSource()
	src.set(svc.Id, "2026-03-10", 5000*gb, 0)
	w.run(t, src, time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
	src.set(svc.Id, "2026-04-10", 2500*gb, 2500*gb)
	w.run(t, src, time.Date(2026, 4, 5, 12, 0, 0, 0, time.UTC)) // March's window still settling
	w.run(t, src, time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC))

	got := w.windows(t, svc.Id)
	if len(got) != 2 {
		t.Fatalf("usage windows %v, want March and April", keys(got))
	}
	for _, win := range []string{"2026-03-05/2026-04-05", "2026-04-05/2026-05-05"} {
		u := got[win]
		if u == nil {
			t.Fatalf("no window %s in %v", win, keys(got))
		}
		if u.GetInt64("bytes_total") != 5000*gb || u.GetInt64("quota_bytes") != 8000*gb || u.GetInt64("overage_bytes") != 0 {
			t.Errorf("%s: total %d quota %d overage %d, want 5 TB of 8 TB, none over", win,
				u.GetInt64("bytes_total"), u.GetInt64("quota_bytes"), u.GetInt64("overage_bytes"))
		}
	}
	if n := w.count(t, "outbox", "template = 'bandwidth_alert'", nil); n != 0 {
		t.Errorf("%d bandwidth alerts for 5 TB of an 8 TB monthly allowance", n)
	}
}

// TestAnnualOverageIsBilledPerMonth: each month of an annual period is
// alerted and billed on its own, as soon as that month has settled.
func TestAnnualOverageIsBilledPerMonth(t *testing.T) {
	w := newWorld(t)
	svc := w.annualService(t, "heavy")
	src := newSource()
	src.set(svc.Id, "2026-03-10", 9000*gb, 0)
	w.run(t, src, time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
	if n := w.count(t, "outbox", "template = 'bandwidth_alert'", nil); n != 1 {
		t.Errorf("%d alerts after March's 9 TB, want 1", n)
	}
	src.set(svc.Id, "2026-04-06", 8500*gb, 0)
	w.run(t, src, time.Date(2026, 4, 6, 18, 0, 0, 0, time.UTC))
	if n := w.count(t, "outbox", "template = 'bandwidth_alert'", nil); n != 2 {
		t.Errorf("%d alerts after April's 8.5 TB, want one per month: 2", n)
	}

	// March's window ended Apr 5 10:00; once settled its 1 TB over is billed
	// while the annual period goes on, and April's is not.
	res := settle(t, w.app, time.Date(2026, 4, 6, 18, 0, 0, 0, time.UTC))
	if res.Settled != 1 || res.Charged != 1 {
		t.Fatalf("settle %+v, want March settled and charged", res)
	}
	got := w.windows(t, svc.Id)
	march, april := got["2026-03-05/2026-04-05"], got["2026-04-05/2026-05-05"]
	if march == nil || april == nil {
		t.Fatalf("windows %v", keys(got))
	}
	if march.GetInt64("overage_bytes") != 1000*gb || !march.GetBool("final") || april.GetBool("final") {
		t.Errorf("March overage %d final %v, April final %v", march.GetInt64("overage_bytes"), march.GetBool("final"), april.GetBool("final"))
	}
	items, err := ledger.Items(w.app, march.GetString("invoice"))
	if err != nil || len(items) != 1 || items[0].GetInt64("amount") != 1000 {
		t.Errorf("March overage lines %v (%v), want one of 1000 GB at 1 cent", items, err)
	}
}

func keys(m map[string]*core.Record) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
