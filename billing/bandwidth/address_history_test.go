package bandwidth_test

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/integrations/elastiflow/elastiflowsim"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/standins"
)

// flowSource is the real ElastiFlow client over a simulator holding one
// inbound record per (address, day, bytes) given.
func flowSource(t *testing.T, traffic ...any) bandwidth.Source {
	t.Helper()
	sim := elastiflowsim.New("")
	peer := netip.MustParseAddr("198.51.100.7")
	for i := 0; i < len(traffic); i += 3 {
		day, _ := time.Parse(time.DateOnly, traffic[i+1].(string))
		sim.Add(elastiflow.Flow{Time: day.Add(9 * time.Hour), SrcIP: peer, DstIP: netip.MustParseAddr(traffic[i].(string)),
			Bytes: traffic[i+2].(int64), Sampling: 1})
	}
	url, stop := sim.Start()
	t.Cleanup(stop)
	client, err := elastiflow.New(elastiflow.Config{URL: url, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// at moves the app's clock, so the address history is stamped with the
// test's dates.
func (w *world) at(t time.Time) { clock.Set(w.app, func() time.Time { return t }) }

func (w *world) save(t *testing.T, r *core.Record, fields map[string]any) {
	t.Helper()
	for k, v := range fields {
		r.Set(k, v)
	}
	if err := w.app.Save(r); err != nil {
		t.Fatal(err)
	}
}

// history is a service's address holdings as "address from..to".
func (w *world) history(t *testing.T, service string) []string {
	t.Helper()
	recs, err := w.app.FindAllRecords(bandwidth.AddressesCollection, dbx.HashExp{"service": service})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprintf("%s %s..%s", r.GetString("address"), r.GetString("from"), r.GetString("to")))
	}
	slices.Sort(out)
	return out
}

// staffNotices counts the queued staff notices whose dedupe key starts with prefix.
func (w *world) staffNotices(t *testing.T, prefix string) int {
	return w.count(t, "outbox", "dedupe_key LIKE {:p}", dbx.Params{"p": "%" + prefix + "%"})
}

// TestDuplicateAddressIsSkippedNotFatal: two live services claiming the
// same address (as the synthetic seeder handed out) used to fail the run
// for everyone. Now that address is billed to neither for the overlap,
// the services' other addresses and every other service are measured, and
// staff are told once.
func TestDuplicateAddressIsSkippedNotFatal(t *testing.T) {
	w := newWorld(t)
	w.at(periodStart.Add(-time.Hour))
	alpha := w.service(t, "alpha", 100, 150, false) // 203.0.113.5
	bravo := w.service(t, "bravo1", 100, 150, false)
	w.save(t, bravo, map[string]any{"ip_addresses": []string{"203.0.113.5", "203.0.113.66"}})
	other := w.service(t, "charlie12", 100, 150, false) // 203.0.113.9
	src := flowSource(t, "203.0.113.5", "2026-03-06", int64(10*gb), "203.0.113.66", "2026-03-06", int64(1*gb),
		"203.0.113.9", "2026-03-06", int64(2*gb))

	for range 2 {
		res := w.run(t, src, midPeriod)
		if res.Skipped != 1 {
			t.Errorf("skipped %d address-days, want the one of 203.0.113.5", res.Skipped)
		}
	}
	for _, tc := range []struct {
		svc  *core.Record
		want int64
	}{{alpha, 0}, {bravo, 1 * gb}, {other, 2 * gb}} {
		if got := w.usage(t, tc.svc.Id).GetInt64("bytes_total"); got != tc.want {
			t.Errorf("%s: total %d, want %d", tc.svc.GetString("label"), got, tc.want)
		}
	}
	if n := w.staffNotices(t, "bandwidth_address_conflict:203.0.113.5:"); n != 1 {
		t.Errorf("%d conflict notices for 203.0.113.5 over two runs, want 1", n)
	}
	if n := w.staffNotices(t, "bandwidth_run_failed"); n != 0 {
		t.Errorf("%d run-failed notices, want none", n)
	}
}

// TestReusedAddressGoesToItsHolderThatDay: alpha's address goes to bravo
// after alpha is terminated. Alpha's traffic on it before then is not
// bravo's, and bravo's traffic on its previous address still is.
func TestReusedAddressGoesToItsHolderThatDay(t *testing.T) {
	w := newWorld(t)
	w.at(periodStart.Add(-time.Hour))
	alpha := w.service(t, "alpha", 100, 150, false)  // 203.0.113.5
	bravo := w.service(t, "bravo1", 100, 150, false) // 203.0.113.6
	released := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	given := time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)
	w.at(released)
	w.save(t, alpha, map[string]any{"status": "terminated"})
	w.at(given)
	w.save(t, bravo, map[string]any{"ip_addresses": []string{"203.0.113.5"}})

	stamp := func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000Z") }
	if got, want := w.history(t, alpha.Id), []string{"203.0.113.5 .." + stamp(released)}; !slices.Equal(got, want) {
		t.Errorf("alpha's history %q, want %q", got, want)
	}
	if got, want := w.history(t, bravo.Id), []string{"203.0.113.5 " + stamp(given) + "..", "203.0.113.6 .." + stamp(given)}; !slices.Equal(got, want) {
		t.Errorf("bravo's history %q, want %q", got, want)
	}

	src := flowSource(t,
		"203.0.113.6", "2026-03-07", int64(1*gb), // bravo's, on its first address
		"203.0.113.5", "2026-03-08", int64(7*gb), // alpha's
		"203.0.113.5", "2026-03-15", int64(3*gb)) // bravo's
	w.run(t, src, midPeriod)
	if got, want := w.daily(t, bravo.Id), []string{"2026-03-07=1000000000/0", "2026-03-15=3000000000/0"}; !slices.Equal(got, want) {
		t.Errorf("bravo's days %q, want %q", got, want)
	}
	if got := w.usage(t, bravo.Id).GetInt64("bytes_total"); got != 4*gb {
		t.Errorf("bravo's total %d, want 4 GB", got)
	}
}

// TestNoRecordsAtAllIsNotZero: a source with no record for any address of
// several services (an ECS index queried with CODEX names answers exactly
// so) fails the run, stores nothing and tells staff once a day; a single
// idle server is just idle.
func TestNoRecordsAtAllIsNotZero(t *testing.T) {
	w := newWorld(t)
	w.service(t, "alpha", 100, 150, false)
	w.service(t, "bravo1", 100, 150, false)
	for _, now := range []time.Time{midPeriod, midPeriod.Add(time.Hour)} {
		_, err := bandwidth.Run(ctx, w.app, newSource(), bandwidth.Options{Now: now})
		if !errors.Is(err, bandwidth.ErrNoRecords) {
			t.Fatalf("run at %s over a silent source: %v, want ErrNoRecords", now, err)
		}
	}
	if n := w.count(t, bandwidth.UsageCollection, "id != ''", nil); n != 0 {
		t.Errorf("%d usage rows stored from a silent source", n)
	}
	if n := w.staffNotices(t, "bandwidth_no_records:"); n != 1 {
		t.Errorf("%d staff notices for two silent runs on one day, want 1", n)
	}

	idle := newWorld(t)
	svc := idle.service(t, "alpha", 100, 150, false)
	idle.run(t, newSource(), midPeriod)
	if u := idle.usage(t, svc.Id); u.GetInt64("bytes_total") != 0 {
		t.Errorf("idle server total %d", u.GetInt64("bytes_total"))
	}
}

// TestDevRunOverSeededData: the dev traffic source over the synthetic
// seed measures every live service in one request per start day, feeding
// a bounded look-back whatever the periods' length (it used to re-sort
// the whole store on each address-day and took minutes).
func TestDevRunOverSeededData(t *testing.T) {
	w := newWorld(t)
	if _, err := seed.Synthetic(w.app, seed.SyntheticOptions{Customers: 10, Seed: 1}, io.Discard); err != nil {
		t.Fatal(err)
	}
	dev, err := standins.NewDevSource()
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	now := time.Now().UTC()
	res, err := bandwidth.Run(ctx, w.app, dev, bandwidth.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Services == 0 || res.Skipped != 0 || res.Days == 0 {
		t.Fatalf("dev run over the seed: %+v", res)
	}
	live := w.liveAddresses(t)
	addresses := 0
	for _, n := range live {
		addresses += n
	}
	// One request per group of addresses asked from the same day: at most
	// one per service, never one per day or per page of records.
	if res.Source.Requests > len(live) || res.Source.Requests != res.Source.Pages {
		t.Errorf("%d requests, %d pages for %d live services", res.Source.Requests, res.Source.Pages, len(live))
	}
	// 48 hourly records per address and day, for at most the look-back.
	if max := addresses * 48 * (int(standins.DevLookback/(24*time.Hour)) + 1); dev.Records() > max {
		t.Errorf("%d dev records for %d addresses, want at most %d", dev.Records(), addresses, max)
	}
}

// liveAddresses is the address count of each active or suspended service.
func (w *world) liveAddresses(t *testing.T) map[string]int {
	t.Helper()
	recs, err := w.app.FindAllRecords("services", dbx.In("status", "active", "suspended"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range recs {
		out[r.Id] = len(bandwidth.Addresses(r.Get("ip_addresses")))
	}
	return out
}
