package jobs

import (
	"testing"

	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestParseClock(t *testing.T) {
	for in, ok := range map[string]bool{"06:00": true, "23:59": true, "00:00": true, "24:00": false, "6": false, "06:60": false, "ab:cd": false} {
		if _, err := parseClock(in); (err == nil) != ok {
			t.Errorf("%q: err %v", in, err)
		}
	}
}

func TestSchedulerFollowsTheSettings(t *testing.T) {
	app := testutil.NewApp(t)
	s, err := start(app, &gateways.Set{}, "http://127.0.0.1:8090")
	if err != nil {
		t.Fatal(err)
	}
	defer s.cron.Shutdown()
	first, err := s.billing.NextRun()
	if err != nil {
		t.Fatal(err)
	}
	if first.UTC().Hour() != 6 || first.UTC().Minute() != 0 {
		t.Errorf("default billing time: next run %v, want 06:00 UTC", first)
	}

	rec, _ := settings.Record(app)
	rec.Set("billing_run_time", "21:30")
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	if err := s.scheduleBilling(); err != nil {
		t.Fatal(err)
	}
	next, _ := s.billing.NextRun()
	if next.UTC().Hour() != 21 || next.UTC().Minute() != 30 {
		t.Errorf("after the change: next run %v, want 21:30 UTC", next)
	}
	if len(s.cron.Jobs()) != 2 {
		t.Errorf("rescheduling added a job: %d jobs", len(s.cron.Jobs()))
	}
}
