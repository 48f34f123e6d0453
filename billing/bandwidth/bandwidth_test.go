package bandwidth_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/integrations/elastiflow"
	"github.com/ezscale/ezscale/internal/testutil"
)

var (
	ctx         = context.Background()
	periodStart = time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	periodEnd   = time.Date(2026, 4, 5, 10, 0, 0, 0, time.UTC)
	midPeriod   = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
)

const gb = bandwidth.BytesPerGB

// The ElastiFlow client is what production measures with.
var _ bandwidth.Source = (*elastiflow.Client)(nil)

// fakeSource answers with the days it holds, or with err.
type fakeSource struct {
	days  map[[2]string][2]int64 // service, day → in, out
	extra []elastiflow.DayUsage  // sent as they are, to test bad answers
	// addrOf is each service's address: the run asks about addresses.
	addrOf map[string]string
	err    error
	calls  []call
}

type call struct {
	services []elastiflow.Service
	from, to time.Time
}

func newSource() *fakeSource { return &fakeSource{days: map[[2]string][2]int64{}} }

func (f *fakeSource) set(service, day string, in, out int64) {
	f.days[[2]string{service, day}] = [2]int64{in, out}
}

func (f *fakeSource) Usage(_ context.Context, services []elastiflow.Service, from, to time.Time) ([]elastiflow.DayUsage, elastiflow.Stats, error) {
	f.calls = append(f.calls, call{services, from, to})
	if f.err != nil {
		return nil, elastiflow.Stats{Requests: 1}, f.err
	}
	asked := map[string]bool{}
	for _, s := range services {
		asked[s.ID] = true
	}
	var out []elastiflow.DayUsage
	for k, v := range f.days {
		key := cmp.Or(f.addrOf[k[0]], k[0])
		if !asked[key] {
			continue
		}
		out = append(out, elastiflow.DayUsage{ServiceID: key, Day: k[1], BytesIn: v[0], BytesOut: v[1]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ServiceID+out[i].Day < out[j].ServiceID+out[j].Day })
	return append(out, f.extra...), elastiflow.Stats{Requests: 2, Pages: 2}, nil
}

type world struct {
	app      core.App
	customer *core.Record
	ips      map[string]string // service → its address
}

func newWorld(t *testing.T) *world {
	t.Helper()
	app := testutil.NewApp(t)
	return &world{app: app, customer: testutil.Customer(t, app, "traffic@example.com", "USD"), ips: map[string]string{}}
}

// service creates an active service on a plan with quotaGB and an
// overage price of perGB cents, in the March period, with one address
// unless noIPs.
func (w *world) service(t *testing.T, slug string, quotaGB, perGB int64, noIPs bool) *core.Record {
	t.Helper()
	plan := testutil.Create(t, w.app, "plans", map[string]any{"name": "VPS " + slug, "slug": slug, "service_type": "vps",
		"platform": "virtfusion", "status": "active", "bandwidth_quota_gb": quotaGB})
	price := testutil.Create(t, w.app, "plan_prices", map[string]any{"plan": plan.Id, "currency": "USD", "cycle": "monthly",
		"amount": 1000, "overage_per_gb": perGB, "active": true})
	sub := testutil.Create(t, w.app, "subscriptions", map[string]any{"customer": w.customer.Id, "plan": plan.Id, "plan_price": price.Id,
		"status": "active", "cycle": "monthly", "currency": "USD", "amount": 1000,
		"current_period_start": periodStart, "current_period_end": periodEnd, "billed_until": periodEnd})
	ips := []string{"203.0.113." + fmt.Sprint(len(slug))}
	if noIPs {
		ips = nil
	}
	svc := testutil.Create(t, w.app, "services", map[string]any{"customer": w.customer.Id, "subscription": sub.Id, "plan": plan.Id,
		"service_type": "vps", "platform": "virtfusion", "status": "active", "label": slug + ".example.com", "ip_addresses": ips})
	if len(ips) > 0 {
		w.ips[svc.Id] = ips[0]
	}
	return svc
}

func (w *world) run(t *testing.T, src bandwidth.Source, now time.Time) bandwidth.Result {
	t.Helper()
	if f, ok := src.(*fakeSource); ok {
		f.addrOf = w.ips
	}
	res, err := bandwidth.Run(ctx, w.app, src, bandwidth.Options{Now: now})
	if err != nil {
		t.Fatalf("run at %s: %v", now, err)
	}
	return res
}

func (w *world) usage(t *testing.T, service string) *core.Record {
	t.Helper()
	u, err := w.app.FindFirstRecordByFilter(bandwidth.UsageCollection, "service = {:s}", dbx.Params{"s": service})
	if err != nil {
		t.Fatalf("usage of %s: %v", service, err)
	}
	return u
}

func (w *world) count(t *testing.T, collection, filter string, params dbx.Params) int {
	t.Helper()
	n, err := w.app.CountRecords(collection, dbx.NewExp(filter, params))
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// daily is the stored days of service as "day=in/out".
func (w *world) daily(t *testing.T, service string) []string {
	t.Helper()
	recs, err := w.app.FindRecordsByFilter(bandwidth.DailyCollection, "service = {:s}", "day", 0, 0, dbx.Params{"s": service})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprintf("%s=%d/%d", r.GetString("day"), r.GetInt64("bytes_in"), r.GetInt64("bytes_out")))
	}
	return out
}

func TestRunMeasuresEachPeriodOnce(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "metered", 100, 150, false)
	bare := w.service(t, "noaddress", 100, 150, true)
	src := newSource()
	src.set(svc.Id, "2026-03-04", 9*gb, 9*gb) // before the period: the previous one, never measured
	src.set(svc.Id, "2026-03-05", 1*gb, 2*gb)
	src.set(svc.Id, "2026-03-06", 3*gb, 4*gb)

	first := w.run(t, src, midPeriod)
	if len(src.calls) != 1 || len(src.calls[0].services) != 1 || src.calls[0].services[0].ID != w.ips[svc.Id] {
		t.Fatalf("source asked %+v, want one call about the service with addresses", src.calls)
	}
	if c := src.calls[0]; !c.from.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)) || !c.to.Equal(midPeriod) {
		t.Errorf("window %s – %s, want the period's first day to now", c.from, c.to)
	}
	if first.Days != 2 || first.Periods != 1 || first.Source.Pages != 2 {
		t.Errorf("first run %+v", first)
	}
	want := []string{"2026-03-05=1000000000/2000000000", "2026-03-06=3000000000/4000000000"}
	tests := []struct {
		name   string
		change func()
		days   []string
		total  int64
	}{
		{"same answer again", func() {}, want, 10 * gb},
		{"a late day and a corrected day", func() {
			src.set(svc.Id, "2026-03-06", 5*gb, 4*gb)
			src.set(svc.Id, "2026-03-07", 1*gb, 1*gb)
		}, []string{"2026-03-05=1000000000/2000000000", "2026-03-06=5000000000/4000000000", "2026-03-07=1000000000/1000000000"}, 14 * gb},
		{"and the same again", func() {}, []string{"2026-03-05=1000000000/2000000000", "2026-03-06=5000000000/4000000000", "2026-03-07=1000000000/1000000000"}, 14 * gb},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.change()
			w.run(t, src, midPeriod)
			if got := w.daily(t, svc.Id); strings.Join(got, " ") != strings.Join(tc.days, " ") {
				t.Errorf("days %v, want %v", got, tc.days)
			}
			u := w.usage(t, svc.Id)
			if u.GetInt64("bytes_total") != tc.total || u.GetInt64("bytes_in")+u.GetInt64("bytes_out") != tc.total {
				t.Errorf("total %d (in %d, out %d), want %d", u.GetInt64("bytes_total"), u.GetInt64("bytes_in"), u.GetInt64("bytes_out"), tc.total)
			}
			if u.GetInt64("quota_bytes") != 100*gb || u.GetInt64("overage_bytes") != 0 || u.GetBool("final") {
				t.Errorf("quota %d overage %d final %v", u.GetInt64("quota_bytes"), u.GetInt64("overage_bytes"), u.GetBool("final"))
			}
			if n := w.count(t, bandwidth.UsageCollection, "service = {:s}", dbx.Params{"s": svc.Id}); n != 1 {
				t.Errorf("%d usage records, want 1", n)
			}
		})
	}
	if n := w.count(t, bandwidth.UsageCollection, "service = {:s}", dbx.Params{"s": bare.Id}); n != 0 {
		t.Errorf("a service without addresses has %d usage records", n)
	}
	if again := w.run(t, src, midPeriod); again.Days != 0 {
		t.Errorf("an unchanged answer rewrote %d days", again.Days)
	}
}

func TestRunKeepsMeasuringThePreviousPeriodUntilFinal(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "rolled", 100, 150, false)
	src := newSource()
	src.set(svc.Id, "2026-04-04", 1*gb, 0)
	w.run(t, src, periodEnd.Add(-time.Hour))

	// The subscription moves on to April; a late March day still counts for March.
	sub, _ := w.app.FindRecordById("subscriptions", svc.GetString("subscription"))
	sub.Set("current_period_start", periodEnd)
	sub.Set("current_period_end", periodEnd.AddDate(0, 1, 0))
	if err := w.app.Save(sub); err != nil {
		t.Fatal(err)
	}
	src.set(svc.Id, "2026-03-30", 2*gb, 0)
	src.set(svc.Id, "2026-04-05", 4*gb, 0)
	w.run(t, src, periodEnd.Add(3*time.Hour))
	if from := src.calls[1].from; !from.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("second run asked from %s, want the open March period's first day", from)
	}
	march, err := w.app.FindFirstRecordByFilter(bandwidth.UsageCollection, "service = {:s} && period_start = {:p}",
		dbx.Params{"s": svc.Id, "p": periodStart.Format("2006-01-02 15:04:05.000Z")})
	if err != nil {
		t.Fatal(err)
	}
	if march.GetInt64("bytes_total") != 3*gb {
		t.Errorf("March total %d, want 3 GB", march.GetInt64("bytes_total"))
	}
	april, err := w.app.FindFirstRecordByFilter(bandwidth.UsageCollection, "service = {:s} && period_start = {:p}",
		dbx.Params{"s": svc.Id, "p": periodEnd.Format("2006-01-02 15:04:05.000Z")})
	if err != nil {
		t.Fatal(err)
	}
	if april.GetInt64("bytes_total") != 4*gb {
		t.Errorf("April total %d, want 4 GB", april.GetInt64("bytes_total"))
	}

	// Once March is final, a later answer for it changes nothing.
	march.Set("final", true)
	if err := w.app.Save(march); err != nil {
		t.Fatal(err)
	}
	src.set(svc.Id, "2026-03-31", 50*gb, 0)
	w.run(t, src, periodEnd.Add(10*time.Hour))
	march, _ = w.app.FindRecordById(bandwidth.UsageCollection, march.Id)
	if march.GetInt64("bytes_total") != 3*gb {
		t.Errorf("final March total changed to %d", march.GetInt64("bytes_total"))
	}
}

func TestAlertsAreSentOnceEach(t *testing.T) {
	w := newWorld(t)
	metered := w.service(t, "metered", 100, 150, false)
	unmetered := w.service(t, "unmetered", 0, 150, false)
	src := newSource()
	alerts := func(svc *core.Record) []string {
		recs, err := w.app.FindRecordsByFilter("outbox", "template = 'bandwidth_alert' && dedupe_key ~ {:u}", "created,dedupe_key", 0, 0,
			dbx.Params{"u": "bandwidth_usage:"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := w.app.FindFirstRecordByFilter(bandwidth.UsageCollection, "service = {:s}", dbx.Params{"s": svc.Id})
		if err != nil {
			return nil
		}
		var out []string
		for _, r := range recs {
			if k := r.GetString("dedupe_key"); strings.HasPrefix(k, "bandwidth_usage:"+u.Id+":") {
				out = append(out, strings.TrimPrefix(k, "bandwidth_usage:"+u.Id+":"))
			}
		}
		return out
	}
	tests := []struct {
		usedGB int64
		want   []string // the alerts queued so far
		staff  int
	}{
		{50, nil, 0},
		{80, []string{"alert_75"}, 0},
		{85, []string{"alert_75"}, 0},
		{99, []string{"alert_75", "alert_90"}, 0},
		{120, []string{"alert_75", "alert_90", "alert_100"}, 1},
		{300, []string{"alert_75", "alert_90", "alert_100"}, 1},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d GB", tc.usedGB), func(t *testing.T) {
			src.set(metered.Id, "2026-03-10", tc.usedGB*gb, 0)
			src.set(unmetered.Id, "2026-03-10", tc.usedGB*gb*10, 0)
			w.run(t, src, midPeriod)
			if got := alerts(metered); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("alerts %v, want %v", got, tc.want)
			}
			if got := alerts(unmetered); len(got) != 0 {
				t.Errorf("unmetered service alerted: %v", got)
			}
			if n := w.count(t, "outbox", "template = 'bandwidth_over_quota' AND channel = 'discord'", nil); n != tc.staff {
				t.Errorf("%d staff notices, want %d", n, tc.staff)
			}
			if u := w.usage(t, unmetered.Id); u.GetInt64("overage_bytes") != 0 || u.GetInt64("quota_bytes") != 0 {
				t.Errorf("unmetered quota %d overage %d", u.GetInt64("quota_bytes"), u.GetInt64("overage_bytes"))
			}
		})
	}
	u := w.usage(t, metered.Id)
	for _, f := range []string{"alerted_75_at", "alerted_90_at", "alerted_100_at"} {
		if u.GetDateTime(f).IsZero() {
			t.Errorf("%s not set", f)
		}
	}
	if u.GetInt64("overage_bytes") != 200*gb {
		t.Errorf("overage %d, want 200 GB", u.GetInt64("overage_bytes"))
	}

	// A jump past several thresholds at once says the highest, and marks all.
	jump := w.service(t, "jump", 10, 150, false)
	src.set(jump.Id, "2026-03-11", 95*gb/10, 0)
	w.run(t, src, midPeriod)
	if got := alerts(jump); strings.Join(got, ",") != "alert_90" {
		t.Errorf("jump alerts %v, want only alert_90", got)
	}
	if ju := w.usage(t, jump.Id); ju.GetDateTime("alerted_75_at").IsZero() || !ju.GetDateTime("alerted_100_at").IsZero() {
		t.Errorf("jump marks 75 %v, 100 %v", ju.GetDateTime("alerted_75_at"), ju.GetDateTime("alerted_100_at"))
	}
}

func TestSourceFailureWritesNothing(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(src *fakeSource, svc string)
		wantIs error
	}{
		{"elasticsearch down", func(src *fakeSource, _ string) {
			src.err = fmt.Errorf("search flows: %w: connection refused", elastiflow.ErrUnavailable)
		}, elastiflow.ErrUnavailable},
		{"negative bytes", func(src *fakeSource, svc string) {
			src.extra = []elastiflow.DayUsage{{ServiceID: svc, Day: "2026-03-09", BytesIn: -1}}
		}, nil},
		{"a day twice", func(src *fakeSource, svc string) {
			src.extra = []elastiflow.DayUsage{{ServiceID: svc, Day: "2026-03-05", BytesIn: 1}}
		}, nil},
		{"a malformed day", func(src *fakeSource, svc string) {
			src.extra = []elastiflow.DayUsage{{ServiceID: svc, Day: "2026-3-9", BytesIn: 1}}
		}, nil},
		{"a service not asked about", func(src *fakeSource, _ string) {
			src.extra = []elastiflow.DayUsage{{ServiceID: "someoneelse123", Day: "2026-03-09", BytesIn: 1}}
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			svc := w.service(t, "metered", 100, 150, false)
			src := newSource()
			src.set(svc.Id, "2026-03-05", 90*gb, 0)
			tc.break_(src, svc.Id)
			src.addrOf = w.ips
			_, err := bandwidth.Run(ctx, w.app, src, bandwidth.Options{Now: midPeriod})
			if err == nil || !strings.Contains(err.Error(), "traffic source") {
				t.Fatalf("err %v, want a traffic source error", err)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("err %v does not wrap %v", err, tc.wantIs)
			}
			for _, c := range []string{bandwidth.DailyCollection, bandwidth.UsageCollection} {
				if n := w.count(t, c, "1=1", nil); n != 0 {
					t.Errorf("%d %s records written", n, c)
				}
			}
			if n := w.count(t, "outbox", "template = 'bandwidth_run_failed' AND channel = 'discord'", nil); n != 1 {
				t.Errorf("%d staff notices, want 1", n)
			}
			if n := w.count(t, "outbox", "template = 'bandwidth_alert'", nil); n != 0 {
				t.Errorf("%d customer alerts for a failed run", n)
			}
		})
	}
	w := newWorld(t)
	if _, err := bandwidth.Run(ctx, w.app, nil, bandwidth.Options{Now: midPeriod}); !errors.Is(err, bandwidth.ErrNoSource) {
		t.Errorf("no source: %v", err)
	}
}

func TestOverageAmount(t *testing.T) {
	tests := []struct {
		name        string
		over, perGB int64
		want        int64
	}{
		{"150 GB at 1.50", 150 * gb, 150, 22500},
		{"exact bytes, rounded up", 12_345_678_901, 150, 1852},  // 1851.85183515
		{"rounded down", 12_344_999_999, 100, 1234},             // 1234.4999999
		{"half to even, even stays", 12_345_000_000, 100, 1234}, // 1234.5
		{"half to even, down", 5_000_000, 100, 0},               // 0.5
		{"half to even, up", 15_000_000, 100, 2},                // 1.5
		{"no price", 150 * gb, 0, 0},
		{"no overage", 0, 150, 0},
		{"a petabyte at 1000.00", 1_000_000 * gb, 100_000, 100_000_000_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := bandwidth.OverageAmount(tc.over, tc.perGB); got != tc.want {
				t.Errorf("OverageAmount(%d, %d) = %d, want %d", tc.over, tc.perGB, got, tc.want)
			}
		})
	}
	if got := bandwidth.GB(12_345_000_000); got != "12.345" {
		t.Errorf("GB = %q", got)
	}
	if got := bandwidth.GB(150 * gb); got != "150" {
		t.Errorf("GB = %q", got)
	}
}

// overWorld has a March period of 250 GB on a 100 GB quota at 1.50 USD
// per GB: 150 GB over, 225.00 USD.
func overWorld(t *testing.T) (*world, *core.Record) {
	w := newWorld(t)
	svc := w.service(t, "over", 100, 150, false)
	src := newSource()
	src.set(svc.Id, "2026-03-10", 200*gb, 0)
	src.set(svc.Id, "2026-04-04", 25*gb, 25*gb)
	w.run(t, src, periodEnd.Add(time.Hour))
	return w, svc
}

func settle(t *testing.T, app core.App, now time.Time) bandwidth.SettleResult {
	t.Helper()
	res, err := bandwidth.Settle(ctx, app, bandwidth.Options{Now: now})
	if err != nil {
		t.Fatalf("settle at %s: %v", now, err)
	}
	return res
}

func TestOverageIsBilledAfterTheSettleDelay(t *testing.T) {
	w, svc := overWorld(t)
	u := w.usage(t, svc.Id)
	if u.GetInt64("overage_bytes") != 150*gb {
		t.Fatalf("overage %d, want 150 GB", u.GetInt64("overage_bytes"))
	}
	steps := []struct {
		name               string
		at                 time.Time
		final              bool
		invoiceStatus      string // "" = no invoice yet
		charged            int    // bandwidth_overage_charged emails
		settled, lines, ok int
	}{
		{"before the settle delay", periodEnd.Add(5*time.Hour + 59*time.Minute), false, "", 0, 0, 0, 0},
		{"settled: a draft for review", periodEnd.Add(6 * time.Hour), true, ledger.StatusDraft, 0, 1, 1, 0},
		{"still in review", periodEnd.Add(29*time.Hour + 59*time.Minute), true, ledger.StatusDraft, 0, 0, 0, 0},
		{"issued", periodEnd.Add(30 * time.Hour), true, ledger.StatusOpen, 1, 0, 0, 1},
		{"nothing twice", periodEnd.Add(72 * time.Hour), true, ledger.StatusOpen, 1, 0, 0, 0},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			res := settle(t, w.app, st.at)
			if res.Settled != st.settled || res.Charged != st.lines || res.Invoices != st.ok {
				t.Errorf("result %+v, want settled %d lines %d invoices %d", res, st.settled, st.lines, st.ok)
			}
			u := w.usage(t, svc.Id)
			if u.GetBool("final") != st.final {
				t.Errorf("final %v, want %v", u.GetBool("final"), st.final)
			}
			if st.invoiceStatus == "" {
				if u.GetString("invoice") != "" {
					t.Errorf("invoiced early: %s", u.GetString("invoice"))
				}
				return
			}
			inv, err := ledger.FindInvoice(w.app, u.GetString("invoice"))
			if err != nil {
				t.Fatal(err)
			}
			if inv.Status() != st.invoiceStatus || inv.GetString("purpose") != ledger.PurposeOverage {
				t.Errorf("invoice %s purpose %s, want %s overage", inv.Status(), inv.GetString("purpose"), st.invoiceStatus)
			}
			items, _ := ledger.Items(w.app, inv.Id)
			if len(items) != 1 {
				t.Fatalf("%d lines, want 1", len(items))
			}
			it := items[0]
			if it.GetString("kind") != ledger.KindOverage || it.GetInt64("amount") != 22500 || it.GetString("service") != svc.Id {
				t.Errorf("line %s %d for %s, want overage 22500", it.GetString("kind"), it.GetInt64("amount"), it.GetString("service"))
			}
			if d := it.GetString("description"); !strings.Contains(d, "150 GB over the 100 GB quota at 1.50 USD per GB") {
				t.Errorf("description %q", d)
			}
			if inv.Total() != 22500 {
				t.Errorf("invoice total %d, want 22500", inv.Total())
			}
			if n := w.count(t, "outbox", "template = 'bandwidth_overage_charged'", nil); n != st.charged {
				t.Errorf("%d overage emails, want %d", n, st.charged)
			}
		})
	}
	if inv, _ := ledger.FindInvoice(w.app, w.usage(t, svc.Id).GetString("invoice")); inv.Number() == "" {
		t.Error("issued overage invoice has no number")
	}
}

func TestWaivedOverageIsNotCharged(t *testing.T) {
	tests := []struct {
		name          string
		waive         []string // services whose line staff waive
		status        string
		total, emails int
	}{
		{"nothing waived", nil, ledger.StatusOpen, 30000 + 600, 2},
		{"one line waived", []string{"over"}, ledger.StatusOpen, 600, 1},
		{"every line waived", []string{"over", "other"}, ledger.StatusVoid, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, svc := overWorld(t)
			other := w.service(t, "other", 10, 200, false)
			src := newSource()
			src.set(svc.Id, "2026-03-10", 250*gb, 0)  // with overWorld's 04-04: 300 GB, 200 over: 30000
			src.set(other.Id, "2026-03-10", 13*gb, 0) // 3 GB over at 2.00: 600
			w.run(t, src, periodEnd.Add(time.Hour))
			settle(t, w.app, periodEnd.Add(6*time.Hour))

			invID := w.usage(t, svc.Id).GetString("invoice")
			if w.usage(t, other.Id).GetString("invoice") != invID {
				t.Fatal("one customer's overage lines should share the draft")
			}
			// Staff waive lines in the dashboard while the invoice is a draft.
			byLabel := map[string]string{"over": svc.Id, "other": other.Id}
			for _, label := range tc.waive {
				item, err := w.app.FindFirstRecordByFilter(ledger.ItemsCollection, "invoice = {:i} && service = {:s}",
					dbx.Params{"i": invID, "s": byLabel[label]})
				if err != nil {
					t.Fatal(err)
				}
				item.Set("waived", true)
				if err := w.app.Save(item); err != nil {
					t.Fatal(err)
				}
			}
			if err := ledger.RecomputeAndSave(ctx, w.app, invID); err != nil {
				t.Fatal(err)
			}
			settle(t, w.app, periodEnd.Add(30*time.Hour))

			inv, _ := ledger.FindInvoice(w.app, invID)
			if inv.Status() != tc.status || inv.Total() != int64(tc.total) || inv.AmountDue() != int64(tc.total) {
				t.Errorf("invoice %s total %d due %d, want %s %d", inv.Status(), inv.Total(), inv.AmountDue(), tc.status, tc.total)
			}
			if tc.status == ledger.StatusVoid && inv.Number() != "" {
				t.Errorf("a fully waived invoice took number %s", inv.Number())
			}
			if n := w.count(t, "outbox", "template = 'bandwidth_overage_charged'", nil); n != tc.emails {
				t.Errorf("%d overage emails, want %d", n, tc.emails)
			}
			if n := w.count(t, "outbox", "template IN ('payment_received', 'invoice_paid')", nil); n != 0 {
				t.Errorf("%d payment notices for an overage invoice", n)
			}
		})
	}
}
