package jobs

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/metrics"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestSchedulerReportsRunsAndSchedules(t *testing.T) {
	app := testutil.NewApp(t)
	t0 := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	now := t0
	clock.Set(app, func() time.Time { return now })
	s, err := start(app, &gateways.Set{}, "http://127.0.0.1:8090")
	if err != nil {
		t.Fatal(err)
	}
	defer s.cron.Shutdown()
	s.expectSchedules()

	jobs := metrics.For(app).Jobs()
	if late := jobs.Overdue(t0.Add(47 * time.Hour)); len(late) != 0 {
		t.Errorf("late within two days: %+v", late)
	}
	var late []string
	for _, o := range jobs.Overdue(t0.Add(49 * time.Hour)) {
		late = append(late, o.Job+"/"+o.Every.String())
	}
	if strings.Join(late, ",") != "billing/24h0m0s,dunning/24h0m0s" {
		t.Errorf("late after two days: %v", late)
	}

	now = t0.Add(30 * time.Hour) // a day late, not yet two
	if err := s.billing.RunNow(); err != nil {
		t.Fatal(err)
	}
	body := waitForMetric(t, app, `ezscale_job_runs_total{job="billing"} 1`)
	if strings.Contains(body, `ezscale_job_failures_total{job="billing"}`) {
		t.Error("a billing run on an empty database counted as failed")
	}
	now = t0.Add(49 * time.Hour)
	for _, o := range jobs.Overdue(now) {
		if o.Job == "billing" {
			t.Errorf("billing late after it ran: %+v", o)
		}
	}
}

// A scheduled run that fails says so to the scheduler, which counts it.
func TestAFailedRunIsCountedAsFailed(t *testing.T) {
	app := testutil.NewApp(t)
	s, err := start(app, &gateways.Set{}, "http://127.0.0.1:8090")
	if err != nil {
		t.Fatal(err)
	}
	defer s.cron.Shutdown()
	// No traffic source: the bandwidth run fails.
	j, err := s.cron.NewJob(gocron.DurationJob(time.Hour), gocron.NewTask(func() error { return runBandwidth(app, nil, time.Now().UTC()) }),
		gocron.WithName("bandwidth"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RunNow(); err != nil {
		t.Fatal(err)
	}
	waitForMetric(t, app, `ezscale_job_failures_total{job="bandwidth"} 1`)
}

// waitForMetric scrapes app until series appears, and returns the scrape.
func waitForMetric(t *testing.T, app core.App, series string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rec := httptest.NewRecorder()
		metrics.For(app).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if strings.Contains(rec.Body.String(), series) {
			return rec.Body.String()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s", series)
		}
	}
}
