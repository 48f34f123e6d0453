package metrics_test

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/metrics"
	"github.com/ezscale/ezscale/internal/testutil"
)

// scrape is what Prometheus reads from app's metrics.
func scrape(t testing.TB, app core.App) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.For(app).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// sample is the value of series (name and labels as exposed), and whether
// it is there.
func sample(body, series string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

func insert(t *testing.T, app core.App, table string, rows ...dbx.Params) {
	t.Helper()
	for _, r := range rows {
		if _, err := app.DB().Insert(table, r).Execute(); err != nil {
			t.Fatalf("%s %v: %v", table, r, err)
		}
	}
}

func TestScrapeReadsQueuesWebhooksAndBusinessFigures(t *testing.T) {
	app := testutil.NewApp(t)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock.Set(app, func() time.Time { return now })
	db := func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000Z") }

	sub := func(id, status, cycle, currency string, amount int64) dbx.Params {
		return dbx.Params{"id": id, "status": status, "cycle": cycle, "currency": currency, "amount": amount}
	}
	insert(t, app, "subscriptions",
		sub("sub0000000000a1", "active", "monthly", "EUR", 1000),
		sub("sub0000000000a2", "active", "annual", "EUR", 12000),    // 1000 a month
		sub("sub0000000000a3", "active", "quarterly", "EUR", 1000),  // 333.33…
		sub("sub0000000000a4", "active", "hourly", "EUR", 2),        // 1460
		sub("sub0000000000a5", "past_due", "monthly", "EUR", 500),   // still billed
		sub("sub0000000000a6", "cancelled", "monthly", "EUR", 9999), // gone
		sub("sub0000000000a7", "pending", "monthly", "EUR", 7777),   // not yet
		sub("sub0000000000a8", "active", "semiannual", "USD", 1001), // 166.83…
	)
	inv := func(id, status, currency string, due int64) dbx.Params {
		return dbx.Params{"id": id, "status": status, "currency": currency, "amount_due": due}
	}
	insert(t, app, "invoices",
		inv("inv0000000000a1", "open", "EUR", 2500), inv("inv0000000000a2", "open", "EUR", 1000),
		inv("inv0000000000a3", "paid", "EUR", 0), inv("inv0000000000a4", "draft", "EUR", 4000),
		inv("inv0000000000a5", "open", "USD", 700),
	)
	job := func(id, status string) dbx.Params { return dbx.Params{"id": id, "status": status, "action": "create"} }
	insert(t, app, "provisioning_jobs", job("job0000000000a1", "pending"), job("job0000000000a2", "pending"),
		job("job0000000000a3", "running"), job("job0000000000a4", "succeeded"))
	msg := func(id, status string) dbx.Params {
		return dbx.Params{"id": id, "status": status, "channel": "email", "template": "t"}
	}
	insert(t, app, "outbox", msg("msg0000000000a1", "pending"), msg("msg0000000000a2", "sent"), msg("msg0000000000a3", "failed"))
	ev := func(id, status string, created time.Time) dbx.Params {
		return dbx.Params{"id": id, "gateway": "stripe", "event_id": id, "type": "x", "status": status, "created": db(created)}
	}
	insert(t, app, "webhook_events",
		ev("evt0000000000a1", "received", now.Add(-90*time.Second)), ev("evt0000000000a2", "received", now.Add(-30*time.Second)),
		ev("evt0000000000a3", "failed", now.Add(-time.Hour)), ev("evt0000000000a4", "processed", now.Add(-2*time.Hour)))

	body := scrape(t, app)
	for series, want := range map[string]float64{
		`ezscale_mrr_minor_units{currency="EUR"}`:                    1000 + 1000 + 333 + 1460 + 500, // 4293.33 rounded once
		`ezscale_mrr_minor_units{currency="USD"}`:                    167,
		`ezscale_receivables_minor_units{currency="EUR"}`:            3500,
		`ezscale_open_invoices{currency="EUR"}`:                      2,
		`ezscale_receivables_minor_units{currency="USD"}`:            700,
		`ezscale_provisioning_jobs{status="pending"}`:                2,
		`ezscale_provisioning_jobs{status="running"}`:                1,
		`ezscale_provisioning_jobs{status="failed"}`:                 0,
		`ezscale_outbox_messages{status="pending"}`:                  1,
		`ezscale_outbox_messages{status="failed"}`:                   1,
		`ezscale_webhook_events{gateway="stripe",status="received"}`: 2,
		`ezscale_webhook_events{gateway="stripe",status="failed"}`:   1,
		`ezscale_webhook_oldest_unprocessed_seconds`:                 90,
	} {
		if got, ok := sample(body, series); !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
		}
	}
	if strings.Contains(body, "ezscale_replication_up") {
		t.Error("replication reported while it is off")
	}
}

// replica is a replication status of the test's choosing.
type replica struct {
	lag time.Duration
	err error
}

func (r replica) ReplicationLag(context.Context) (time.Duration, error) { return r.lag, r.err }

func TestScrapeReportsReplication(t *testing.T) {
	app := testutil.NewApp(t)
	metrics.SetReplication(app, replica{lag: 1500 * time.Millisecond})
	body := scrape(t, app)
	if v, _ := sample(body, "ezscale_replication_up"); v != 1 {
		t.Errorf("up = %v, want 1", v)
	}
	if v, _ := sample(body, "ezscale_replication_lag_seconds"); v != 1.5 {
		t.Errorf("lag = %v, want 1.5", v)
	}
	metrics.SetReplication(app, replica{err: errors.New("s3 unreachable")})
	body = scrape(t, app)
	if v, ok := sample(body, "ezscale_replication_up"); !ok || v != 0 {
		t.Errorf("broken: up = %v (present %v), want 0", v, ok)
	}
}

func TestSchedulerRunsAndFailuresAreCounted(t *testing.T) {
	app := testutil.NewApp(t)
	cron, err := gocron.NewScheduler(gocron.WithMonitorStatus(metrics.For(app).Jobs()))
	if err != nil {
		t.Fatal(err)
	}
	defer cron.Shutdown()
	done := make(chan struct{}, 2)
	every := gocron.DurationJob(time.Hour)
	ok, _ := cron.NewJob(every, gocron.NewTask(func() error { done <- struct{}{}; return nil }), gocron.WithName("fine"))
	bad, _ := cron.NewJob(every, gocron.NewTask(func() error { done <- struct{}{}; return errors.New("gateway down") }), gocron.WithName("broken"))
	cron.Start()
	for _, j := range []gocron.Job{ok, bad} {
		if err := j.RunNow(); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	<-done
	want := map[string]float64{
		`ezscale_job_runs_total{job="fine"}`: 1, `ezscale_job_runs_total{job="broken"}`: 1,
		`ezscale_job_failures_total{job="broken"}`: 1, `ezscale_job_duration_seconds_count{job="broken"}`: 1,
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		body := scrape(t, app)
		missing := ""
		for series, v := range want {
			if got, _ := sample(body, series); got != v {
				missing = series
			}
		}
		if missing == "" {
			if _, ok := sample(body, `ezscale_job_failures_total{job="fine"}`); ok {
				t.Error("a run that succeeded counted as a failure")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not reported:\n%s", missing, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestJobOverdueAfterTwiceItsInterval(t *testing.T) {
	app := testutil.NewApp(t)
	t0 := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	now := t0
	clock.Set(app, func() time.Time { return now })
	jobs := metrics.For(app).Jobs()
	jobs.Expect("billing", 24*time.Hour)
	jobs.Expect("status-sync", 5*time.Minute)

	for _, tc := range []struct {
		name string
		at   time.Time
		ran  string // a job that ran just before
		want []string
	}{
		{"at twice the interval", t0.Add(10 * time.Minute), "", nil},
		{"past twice the interval", t0.Add(11 * time.Minute), "", []string{"status-sync"}},
		{"status sync ran", t0.Add(11 * time.Minute), "status-sync", nil},
		{"billing within two days", t0.Add(47 * time.Hour), "status-sync", nil},
		{"billing missed two runs", t0.Add(49 * time.Hour), "status-sync", []string{"billing"}},
		{"billing ran", t0.Add(49 * time.Hour), "billing", nil},
	} {
		now = tc.at
		if tc.ran != "" {
			jobs.Ran(tc.ran, time.Second, false)
		}
		var got []string
		for _, o := range jobs.Overdue(now) {
			got = append(got, o.Job)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: overdue %v, want %v", tc.name, got, tc.want)
		}
	}
	body := scrape(t, app)
	if v, ok := sample(body, `ezscale_job_overdue{job="billing"}`); !ok || v != 0 {
		t.Errorf("billing overdue gauge %v (present %v), want 0", v, ok)
	}
}
